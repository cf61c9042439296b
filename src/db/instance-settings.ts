// The server records its public URL in the database at each start. The CLI, which may run in
// another directory, container or job with an environment of its own, prints URLs for IT
// admins to paste into their IdP: it takes them from here so that they are the server's.
import type { Database } from "./client";

export async function recordInstanceSettings(db: Pick<Database, "prisma">, baseUrl: string): Promise<void> {
  await db.prisma.instanceSettings.upsert({
    where: { id: 1 },
    create: { id: 1, baseUrl },
    update: { baseUrl, updatedAt: new Date() },
  });
}

/** The BASE_URL the server last started with; null when no server has run on this database. */
export async function recordedBaseUrl(db: Pick<Database, "prisma">): Promise<string | null> {
  const row = await db.prisma.instanceSettings.findUnique({ where: { id: 1 }, select: { baseUrl: true } });
  return row?.baseUrl ?? null;
}
