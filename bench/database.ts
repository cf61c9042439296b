// A fresh migrated database for one benchmark, dropped afterwards: PostgreSQL at
// BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres), where a database of
// its own is created, or PGlite on disk in a temporary directory, as the embedded default runs.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { openPglite, openPostgres, type Database } from "../src/db/client";
import { migrate } from "../src/db/migrate";

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** A fresh migrated database of the engine for `fn`, dropped afterwards. */
export async function withDatabase<T>(
  engine: "pglite" | "postgres",
  fn: (db: Database) => Promise<T>,
): Promise<T> {
  const dbName = `sso_bridge_bench_${randomBytes(4).toString("hex")}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), "sso-bridge-bench-"));
  let db: Database;
  if (engine === "postgres") {
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${dbName}"`).finally(() => admin.end());
    const url = new URL(ADMIN_URL);
    url.pathname = `/${dbName}`;
    db = openPostgres(url.toString(), { poolSize: 4 });
  } else {
    // On disk, as the embedded default runs (DATA_DIR), not in memory.
    db = openPglite({ dir: path.join(dataDir, "pglite") });
  }
  try {
    const conn = await db.raw();
    await migrate(conn);
    await conn.release();
    return await fn(db);
  } finally {
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (engine === "postgres") {
      const admin = new pg.Client({ connectionString: ADMIN_URL });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).finally(() => admin.end());
    }
  }
}
