// PGlite has no autovacuum; the server runs autovacuumOnce for it every minute
// (src/db/embedded-autovacuum.ts). It must handle exactly the tables autovacuum would: one that
// took many inserts is vacuumed and analysed (the planner then knows its size), one that changed
// a little is left alone. It runs on both engines (the SQL is PostgreSQL's own).
import { Prisma } from "../../src/generated/prisma/client";
import type { Database } from "../../src/db/client";
import { autovacuumOnce, startEmbeddedAutovacuum } from "../../src/db/embedded-autovacuum";
import { openTestDatabase } from "../support/db";

let db: Database;
beforeAll(async () => {
  // The rows written here by hand test the tables, not the catalogue.
  db = await openTestDatabase({ checkEventRows: false });
});
afterAll(() => db.close());

const stats = async (table: string) =>
  (
    await db.read<{ analyzed: boolean; vacuumed: boolean; reltuples: number }>(Prisma.sql`
      SELECT s.last_analyze IS NOT NULL AS analyzed, s.last_vacuum IS NOT NULL AS vacuumed,
        c.reltuples::int AS reltuples
      FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid WHERE s.relname = ${table}`)
  )[0]!;

/** Statistics counters reach pg_stat_user_tables a moment after the statements that moved them. */
async function flushed(table: string, atLeast: number) {
  for (let i = 0; i < 100; i++) {
    const [row] = await db.read<{ n: number }>(
      Prisma.sql`SELECT n_mod_since_analyze::int AS n FROM pg_stat_user_tables WHERE relname = ${table}`,
    );
    if (row && row.n >= atLeast) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${table}: statistics counters never reached ${atLeast}`);
}

test("when a table took many inserts, then it is vacuumed and analysed; a table barely touched is not", async () => {
  const org = await db.prisma.organization.create({ data: { slug: "vac", name: "Vac" } });
  await db.prisma.$executeRaw`INSERT INTO outbox_events (org_id, type, subject_id, payload)
    SELECT ${org.id}::uuid, 'bulk', g::text, '{}'::jsonb FROM generate_series(1, 3000) g`;
  await flushed("outbox_events", 3000);
  expect(await stats("outbox_events")).toMatchObject({ analyzed: false, vacuumed: false });

  const conn = await db.raw();
  const done = await autovacuumOnce(conn).finally(() => conn.release());

  expect(done).toMatchObject({ "public.outbox_events": "vacuum" });
  expect(done).not.toHaveProperty("public.organizations");
  expect(await stats("outbox_events")).toMatchObject({ analyzed: true, vacuumed: true, reltuples: 3000 });
  expect(await stats("organizations")).toMatchObject({ analyzed: false, vacuumed: false });
});

test("when nothing changed since, then the next run does nothing", async () => {
  const conn = await db.raw();
  const done = await autovacuumOnce(conn).finally(() => conn.release());
  expect(done).not.toHaveProperty("public.outbox_events");
});

test("when the periodic run is stopped, then it waits for a run under way and runs no more", async () => {
  // The interval is driven by jest's clock (only setInterval is faked: the database's own I/O
  // keeps real timers), and the run's connection waits on a gate the test opens.
  jest.useFakeTimers({
    doNotFake: [
      "Date",
      "hrtime",
      "nextTick",
      "performance",
      "queueMicrotask",
      "setImmediate",
      "clearImmediate",
      "setTimeout",
      "clearTimeout",
    ],
  });
  try {
    let runs = 0;
    let released = 0;
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    const gated = {
      raw: async () => {
        runs += 1;
        await gate;
        const conn = await db.raw();
        return { ...conn, release: () => conn.release().then(() => void (released += 1)) };
      },
    };
    const stop = startEmbeddedAutovacuum(
      gated,
      (e) => {
        throw e;
      },
      20,
    );
    jest.advanceTimersByTime(20);
    expect(runs).toBe(1);
    jest.advanceTimersByTime(200); // ten more naptimes while the first run is under way
    expect(runs).toBe(1);

    let stopped = false;
    const stopping = stop().then(() => void (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false); // still waiting for the run under way
    openGate();
    await stopping;
    expect(released).toBe(1);
    jest.advanceTimersByTime(1_000);
    expect(runs).toBe(1);
  } finally {
    jest.useRealTimers();
  }
});
