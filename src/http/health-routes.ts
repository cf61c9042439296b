// Operations endpoints: /healthz says the process is up, /readyz that
// the database answers and every committed migration is applied, /metrics is Prometheus text.
import { Router } from "express";
import type { Registry } from "prom-client";
import type { Database } from "../db/client";
import { pendingMigrations } from "../db/migrate";
import { AppError } from "../shared/errors";

export function healthRoutes(db: Database, registry: Registry): Router {
  const router = Router();
  router.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  router.get("/readyz", async (_req, res) => {
    const conn = await db.raw().catch((e: unknown) => {
      throw new AppError("unavailable", "the database is not reachable", { cause: e });
    });
    try {
      const pending = await pendingMigrations(conn).catch((e: unknown) => {
        throw new AppError("unavailable", "the database is not reachable", { cause: e });
      });
      if (pending.length > 0) {
        throw new AppError("unavailable", `migrations pending: ${pending.join(", ")}`, {
          extra: { pending },
        });
      }
      res.json({ status: "ready", database: db.kind });
    } finally {
      await conn.release();
    }
  });
  router.get("/metrics", async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  return router;
}
