// The server side of bench/scim.ts, in a process of its own (forked by the bench) so the load
// generator never shares a Node event loop with the server it measures: opens the engine, seeds
// an organization and a SCIM token, serves an Express hello-world (the ceiling) and the real app,
// and answers the bench's IPC commands (raw INSERT floor, VACUUM ANALYZE, member counts, RSS, stop).
// Its database is dropped on stop, and also when the bench goes away without one, when this
// process fails, and on SIGINT or SIGTERM (bench/database.ts).
import express from "express";
import { Prisma } from "../src/generated/prisma/client";
import { createApp } from "../src/http/app";
import { benchOrg, listen, openEngine, rawInserter, run, rssMb } from "./scim-harness";
import { exitAfterCleanup } from "./database";

export type ServerCommand =
  | { cmd: "raw"; conc: number; ops: number }
  | { cmd: "members"; groupId: string }
  | { cmd: "map"; groups: string[]; role: "Admin" | "Support" | "Viewer" }
  | { cmd: "vacuum" }
  | { cmd: "rss" }
  | { cmd: "stop" };

export interface ServerReady {
  helloPort: number;
  scimPort: number;
  token: string;
  database?: string;
}

async function main() {
  const engine = process.argv[2] as "pglite" | "postgres";
  const { db, drop } = await openEngine(engine);
  const { services, org } = await benchOrg(db, {
    // One token sends every request of the bench: on a quiet machine its phases pass the
    // per-token limit (120,000 a minute), which would measure the limiter instead of the request.
    RATE_LIMIT_SCIM_PER_TOKEN: "0",
  });
  const { token } = await services.credentials.create(
    "scim_token",
    { orgId: org.id, actor: { type: "cli" } },
    "bench",
  );
  const hello = express();
  hello.get("/hello", (_req, res) => {
    res.json({ hello: "world" });
  });
  // The floor of any lookup on this stack: Express plus one prepared SELECT on the app's own
  // connection pool (Database.read), answering its row; no auth, no SCIM.
  hello.get("/one-select", async (req, res) => {
    const rows = await db.read(Prisma.sql`SELECT ${String(req.query.v ?? "x")}::text AS v, now() AS at`);
    res.json(rows[0]);
  });
  const [helloServer, scimServer] = [await listen(hello), await listen(createApp(services))];

  async function handle(m: ServerCommand): Promise<unknown> {
    switch (m.cmd) {
      case "raw": {
        // One autocommitted single-row INSERT without the ORM: each commit waits for the WAL
        // flush, as every SCIM write does. Runs here, next to the database connection.
        const raw = await rawInserter(db);
        const r = await run("raw single-row INSERT (floor)", m.conc, m.ops, 1, () => raw.insert());
        await raw.close();
        return r;
      }
      case "map":
        // The same service as PUT /role-mappings: every named group maps to the role.
        return services.roles.putMappings(
          { orgId: org.id, actor: { type: "cli" } },
          { defaultRole: null, rules: m.groups.map((group) => ({ group, role: m.role })) },
          { force: true },
        );
      case "vacuum": {
        // What autovacuum does after a bulk change, within its naptime (a minute by default):
        // fresh statistics for the planner, and a visibility map that lets index-only scans skip
        // the heap. This machine's PostgreSQL runs with autovacuum off; PGlite has none but the
        // server's (src/db/embedded-autovacuum.ts), which this process does not run.
        const conn = await db.raw();
        await conn.exec("VACUUM ANALYZE").finally(() => conn.release());
        return null;
      }
      case "members":
        return db.prisma.groupMembership.count({ where: { groupId: m.groupId } });
      case "rss":
        return rssMb();
      case "stop":
        if (process.env.BENCH_PLANS) await printPlans();
        await helloServer.close();
        await scimServer.close();
        await db.close();
        await drop();
        return null;
    }
  }
  /**
   * BENCH_PLANS=1: each prepared statement's generic and custom plan counts, summed over the
   * pool's connections (pg_prepared_statements is per connection), the most custom-planned first:
   * a statement PostgreSQL keeps planning for each execution's values shows here.
   */
  async function printPlans() {
    const pool = db.pgPool;
    if (!pool) return;
    const clients = await Promise.all(Array.from({ length: pool.totalCount }, () => pool.connect()));
    const sums = new Map<string, { generic: number; custom: number }>();
    for (const c of clients) {
      const r = await c.query<{ statement: string; generic: number; custom: number }>(
        "SELECT statement, generic_plans::int AS generic, custom_plans::int AS custom FROM pg_prepared_statements",
      );
      for (const x of r.rows) {
        const key = x.statement.replace(/\s+/g, " ").trim();
        const sum = sums.get(key) ?? { generic: 0, custom: 0 };
        sums.set(key, { generic: sum.generic + x.generic, custom: sum.custom + x.custom });
      }
    }
    clients.forEach((c) => c.release());
    const rows = [...sums].sort((a, b) => b[1].custom - a[1].custom).slice(0, 25);
    for (const [text, n] of rows)
      console.log(`plans: generic ${n.generic} custom ${n.custom}  ${text.slice(0, 200)}`);
  }
  // The bench gone (ended, killed or crashed) without a stop: drop the database all the same.
  process.once("disconnect", () => void exitAfterCleanup(0));
  process.on("message", (m: ServerCommand & { id: number }) => {
    handle(m).then(
      (result) => {
        process.send!({ id: m.id, result });
        if (m.cmd === "stop") process.disconnect();
      },
      (e: Error) => process.send!({ id: m.id, error: e.stack ?? String(e) }),
    );
  });
  const database = "url" in db ? new URL(db.url as string).pathname.slice(1) : undefined;
  const ready: ServerReady = { helloPort: helloServer.port, scimPort: scimServer.port, token, database };
  process.send!({ ready });
}

main().catch((e) => {
  console.error(e);
  void exitAfterCleanup(1);
});
