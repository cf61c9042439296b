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
import { connectPg } from "../src/db/raw";

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

async function adminQuery(sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(sql).finally(() => admin.end());
}

/** A migrated PostgreSQL database of its own, by URL (for benches that start server processes). */
export async function createPostgresDatabase(
  prefix: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(4).toString("hex")}`;
  await adminQuery(`CREATE DATABASE "${name}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const conn = await connectPg(url.toString());
  await migrate(conn).finally(() => conn.release());
  return { url: url.toString(), drop: () => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

/** A fresh migrated database of the engine for `fn`, dropped afterwards. */
export async function withDatabase<T>(
  engine: "pglite" | "postgres",
  fn: (db: Database) => Promise<T>,
): Promise<T> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "sso-bridge-bench-"));
  // On disk, as the embedded default runs (DATA_DIR), not in memory.
  const created = engine === "postgres" ? await createPostgresDatabase("sso_bridge_bench") : null;
  const db: Database = created
    ? openPostgres(created.url, { poolSize: 4 })
    : openPglite({ dir: path.join(dataDir, "pglite") });
  try {
    if (!created) {
      const conn = await db.raw();
      await migrate(conn);
      await conn.release();
    }
    return await fn(db);
  } finally {
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
    await created?.drop();
  }
}
