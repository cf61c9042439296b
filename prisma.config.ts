// Prisma CLI configuration. The URL is only used by `prisma migrate` where the
// schema engine is available; the service itself applies prisma/migrations on start.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/sso_bridge" },
});
