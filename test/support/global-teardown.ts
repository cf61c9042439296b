// Drops every database this run created and its temp folder.
import { rmSync } from "node:fs";
import pg from "pg";
import { adminUrl, runDir, runId } from "./run";

export default async function globalTeardown(): Promise<void> {
  if (process.env.TEST_DATABASE_URL) {
    const admin = new pg.Client({ connectionString: adminUrl() });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ datname: string }>(
        `SELECT datname FROM pg_database WHERE datname LIKE $1`,
        [`${runId()}%`],
      );
      for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  }
  rmSync(runDir(), { recursive: true, force: true });
}
