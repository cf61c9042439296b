// Once per run: a migrated PGlite snapshot that every test file restores in about a second,
// and, when TEST_DATABASE_URL is set, a migrated PostgreSQL template database that each test
// file clones into a database of its own.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { PGlite } from "@electric-sql/pglite";
import { migrate } from "../../src/db/migrate";
import { connectPg, pgliteConnection } from "../../src/db/raw";
import { adminUrl, runDir, snapshotFile, templateDb } from "./run";

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Whether `name` (a database or temp folder) is of a run that crashed before its teardown. */
function ofDeadRun(name: string): boolean {
  const pid = Number(/^ssob_t_(\d+)_/.exec(name)?.[1]);
  return pid > 0 && !alive(pid);
}

/** Databases left by runs that crashed before their teardown (their pid is gone). */
async function dropStale(admin: pg.Client): Promise<void> {
  const { rows } = await admin.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname LIKE 'ssob\\_t\\_%'`,
  );
  for (const { datname } of rows) {
    if (ofDeadRun(datname))
      await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => undefined);
  }
}

/** Their temp folders too (the PGlite snapshot, the tests' data directories: tens of MB each). */
function removeStaleDirs(): void {
  for (const name of readdirSync(os.tmpdir()))
    if (ofDeadRun(name)) rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
}

export default async function globalSetup(): Promise<void> {
  if (existsSync(snapshotFile())) return; // the second project of the same run
  removeStaleDirs();
  mkdirSync(runDir(), { recursive: true });
  const lite = new PGlite();
  await migrate(pgliteConnection(lite));
  const dump = await lite.dumpDataDir("none");
  writeFileSync(snapshotFile(), Buffer.from(await dump.arrayBuffer()));
  await lite.close();

  if (process.env.TEST_DATABASE_URL) {
    const admin = new pg.Client({ connectionString: adminUrl() });
    await admin.connect();
    try {
      await dropStale(admin);
      await admin.query(`CREATE DATABASE "${templateDb()}"`);
    } finally {
      await admin.end();
    }
    const conn = await connectPg(adminUrl(templateDb()));
    try {
      await migrate(conn);
    } finally {
      await conn.release();
    }
  }
}
