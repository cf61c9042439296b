// Once per run: a migrated PGlite snapshot that every test file restores in about a second,
// and, when TEST_DATABASE_URL is set, a migrated PostgreSQL template database that each test
// file clones into a database of its own.
import { mkdirSync, writeFileSync, existsSync } from "node:fs";
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

/** Databases left by runs that crashed before their teardown (their pid is gone). */
async function dropStale(admin: pg.Client): Promise<void> {
  const { rows } = await admin.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname LIKE 'ssob\\_t\\_%'`,
  );
  for (const { datname } of rows) {
    const pid = Number(datname.split("_")[2]);
    if (pid && !alive(pid))
      await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => undefined);
  }
}

export default async function globalSetup(): Promise<void> {
  if (existsSync(snapshotFile())) return; // the second project of the same run
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
