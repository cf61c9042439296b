// What PostgreSQL's autovacuum does, for the embedded database: PGlite runs PostgreSQL in
// single-user mode, where no background worker ever analyses or vacuums a table. Without it the
// planner never learns how large an organization has grown (a page of users then sorts them
// all; docs/benchmarks.md) and index-only scans keep reading the table. Once a
// minute (autovacuum's naptime), each table that autovacuum would have handled by now, by its
// default thresholds and the statistics counters PGlite keeps, is vacuumed and/or analysed.
// A PostgreSQL server has its own autovacuum: this runs for PGlite only (main.ts).
// Every statement holds PGlite's one connection, and the server's requests wait for it: so each
// step (one table's VACUUM, or its ANALYZE) is a statement of its own, followed by a pause as long
// as it took, and ANALYZE samples fewer rows than PostgreSQL's default (figures:
// docs/benchmarks.md, "Embedded mode under a recompute").
import type { Database } from "./client";
import type { RawConnection } from "./raw";
import { pauseAsLongAsSince } from "./fair-share";

const NAPTIME_MS = 60_000;

// Why 10, not PostgreSQL's default 100: ANALYZE samples 300 rows per unit, and on PGlite the
// 30,000 rows of a 100,000-user table held the connection for 0.5-1.6 s (9,000 rows: 0.1-0.4 s,
// 3,000: about 50 ms). What the planner needs here is a table's size (counted from the pages
// sampled) and, for org_id, the common values of an embedded deployment's few organizations;
// unique columns are recognised as unique from 3,000 rows. Only for columns with no target of
// their own.
const STATISTICS_TARGET = 10;

// autovacuum_analyze_threshold 50 + autovacuum_analyze_scale_factor 0.1; vacuum: 50 + 0.2 of
// the rows for dead rows, 1,000 + 0.2 for inserted ones (PostgreSQL's defaults).
const DUE_SQL = `
  SELECT format('%I.%I', s.schemaname, s.relname) AS name,
    s.n_dead_tup > 50 + 0.2 * greatest(c.reltuples, 0)
      OR s.n_ins_since_vacuum > 1000 + 0.2 * greatest(c.reltuples, 0) AS vacuum,
    s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0) AS analyze
  FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
  ORDER BY s.relname`;

/** Vacuums and analyses the tables that are due now; answers what it did, by table. */
export async function autovacuumOnce(conn: RawConnection): Promise<Record<string, "vacuum" | "analyze">> {
  const due = await conn.query<{ name: string; vacuum: boolean; analyze: boolean }>(DUE_SQL);
  const done: Record<string, "vacuum" | "analyze"> = {};
  for (const t of due) {
    // A table worth vacuuming has changed enough to be worth analysing too, as VACUUM (ANALYZE)
    // would, but in two steps: the requests waiting meanwhile go between them.
    if (t.vacuum) await step(() => conn.exec(`VACUUM ${t.name}`));
    if (t.vacuum || t.analyze)
      await step(() =>
        conn.exec(`SET LOCAL default_statistics_target = ${STATISTICS_TARGET}; ANALYZE ${t.name}`),
      );
    if (t.vacuum || t.analyze) done[t.name] = t.vacuum ? "vacuum" : "analyze";
  }
  return done;
}

/** Runs one statement, then pauses as long as it took (fair-share.ts). */
async function step(run: () => Promise<void>): Promise<void> {
  const started = performance.now();
  await run();
  await pauseAsLongAsSince(started);
}

/** Runs autovacuumOnce every `naptimeMs` until the returned function is called. */
export function startEmbeddedAutovacuum(
  db: Pick<Database, "raw">,
  onError: (e: Error) => void,
  naptimeMs = NAPTIME_MS,
): () => Promise<void> {
  let running: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    running ??= db
      .raw()
      .then((conn) => autovacuumOnce(conn).finally(() => conn.release()))
      .catch(onError)
      .finally(() => (running = null));
  }, naptimeMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
