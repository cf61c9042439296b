// What PostgreSQL's autovacuum does, for the embedded database: PGlite runs PostgreSQL in
// single-user mode, where no background worker ever analyses or vacuums a table. Without it the
// planner never learns how large an organization has grown (a page of users then sorts them
// all; docs/benchmarks.md) and index-only scans keep reading the table. Once a
// minute (autovacuum's naptime), each table that autovacuum would have handled by now, by its
// default thresholds and the statistics counters PGlite keeps, is vacuumed and/or analysed.
// A PostgreSQL server has its own autovacuum: this runs for PGlite only (main.ts).
import type { Database } from "./client";
import type { RawConnection } from "./raw";

const NAPTIME_MS = 60_000;

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
    // VACUUM ANALYZE rather than VACUUM alone: a table worth vacuuming has changed enough to be
    // worth analysing, and it is one pass.
    if (t.vacuum) await conn.exec(`VACUUM (ANALYZE) ${t.name}`);
    else if (t.analyze) await conn.exec(`ANALYZE ${t.name}`);
    else continue;
    done[t.name] = t.vacuum ? "vacuum" : "analyze";
  }
  return done;
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
