// A fresh migrated database for one benchmark, dropped afterwards: PostgreSQL at
// BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres), where a database of
// its own is created, or PGlite on disk in a temporary directory, as the embedded default runs.
// Callers drop it in a `finally`; a bench ended by SIGINT or SIGTERM, or by a fatal error through
// exitAfterCleanup, drops it too, so a crashed run leaves no database behind.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { openPglite, openPostgres, type Database } from "../src/db/client";
import { migrate } from "../src/db/migrate";
import { connectPg } from "../src/db/raw";

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

async function adminQuery(sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(sql).finally(() => admin.end());
}

/** What this process created and has not removed yet, each removal run at most once. */
const pending = new Set<() => Promise<void>>();
let signalsHandled = false;
let exiting = false;

/**
 * Runs every removal still pending (at most 10 s: a server that does not answer must not hold
 * the exit), then exits with `code`: for SIGINT, SIGTERM and a bench's fatal error.
 */
export async function exitAfterCleanup(code: number): Promise<never> {
  const giveUp = new Promise((resolve) => setTimeout(resolve, 10_000).unref());
  await Promise.race([Promise.allSettled([...pending].map((remove) => remove())), giveUp]);
  process.exit(code);
}

/** `remove`, registered until it has run: the returned function runs it (once). */
function untilRemoved(remove: () => Promise<void>): () => Promise<void> {
  if (!signalsHandled) {
    signalsHandled = true;
    for (const [signal, code] of [
      ["SIGINT", 130],
      ["SIGTERM", 143],
    ] as const)
      process.on(signal, () => {
        // A second signal while the first one's removals run: stop waiting for them.
        if (exiting) process.exit(code);
        exiting = true;
        console.error(`${signal}: dropping this bench's databases before exiting`);
        void exitAfterCleanup(code);
      });
  }
  let done: Promise<void> | undefined;
  // Registered until it has finished: an exit while it runs waits for it.
  const once = () => (done ??= remove().finally(() => pending.delete(once)));
  pending.add(once);
  return once;
}

/**
 * A migrated PostgreSQL database of its own, by URL (for benches that start server processes).
 * Drop it in a `finally`: `drop` runs once however often it is called.
 */
export async function createPostgresDatabase(
  prefix: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(4).toString("hex")}`;
  await adminQuery(`CREATE DATABASE "${name}"`);
  const drop = untilRemoved(() => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  try {
    const conn = await connectPg(url.toString());
    await migrate(conn).finally(() => conn.release());
  } catch (e) {
    await drop();
    throw e;
  }
  return { url: url.toString(), drop };
}

/** A fresh migrated database of the engine for `fn`, dropped afterwards. */
export async function withDatabase<T>(
  engine: "pglite" | "postgres",
  fn: (db: Database) => Promise<T>,
): Promise<T> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "sso-bridge-bench-"));
  const removeDir = untilRemoved(async () => rmSync(dataDir, { recursive: true, force: true }));
  let created: Awaited<ReturnType<typeof createPostgresDatabase>> | null = null;
  let db: Database | undefined;
  try {
    // On disk, as the embedded default runs (DATA_DIR), not in memory.
    created = engine === "postgres" ? await createPostgresDatabase("sso_bridge_bench") : null;
    db = created
      ? openPostgres(created.url, { poolSize: 4 })
      : openPglite({ dir: path.join(dataDir, "pglite") });
    if (!created) {
      const conn = await db.raw();
      await migrate(conn);
      await conn.release();
    }
    return await fn(db);
  } finally {
    // Each removal whatever the one before it did.
    await db?.close().catch((e: unknown) => console.error(e));
    await created?.drop();
    await removeDir();
  }
}
