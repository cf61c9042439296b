// A migrated database of its own for each test file: PGlite restored from the run's snapshot,
// or (in the "postgres" jest project) a PostgreSQL database cloned from the run's template.
// Closing it checks every audit and outbox row the test file wrote against the event catalogue
// (event-rows.ts) and throws, failing the file, when one does not parse.
import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { openPglite, openPostgres, type Database, type PoolOptions } from "../../src/db/client";
import type { RawConnection } from "../../src/db/raw";
import { adminUrl, runId, snapshotFile, templateDb } from "./run";
import { assertEventRowsValid } from "./event-rows";

declare const __DB_KIND__: string | undefined;

export const testDbKind = (): "postgres" | "pglite" =>
  typeof __DB_KIND__ !== "undefined" && __DB_KIND__ === "postgres" ? "postgres" : "pglite";

export interface TestDatabaseOptions extends PoolOptions {
  /**
   * false only for tests of the tables' own mechanics (triggers, driver writes), which insert
   * rows by hand that no catalogue entry describes.
   */
  checkEventRows?: boolean;
  /**
   * PostgreSQL only: changes the URL the service connects with, e.g. to go through a proxy the
   * test can cut (test/support/tcp-proxy.ts); the database is still created and dropped directly.
   */
  via?: (url: string) => string;
}

/** Checks the event rows (unless told not to) before closing, and throws what it found after. */
function checkedOnClose(db: Database, options: TestDatabaseOptions): Database {
  if (options.checkEventRows === false) return db;
  return {
    ...db,
    async close() {
      const failure = await assertEventRowsValid(db).then(
        () => null,
        (e: unknown) => e,
      );
      await db.close();
      if (failure) throw failure;
    },
  };
}

export async function openTestDatabase(options: TestDatabaseOptions = {}): Promise<Database> {
  return checkedOnClose(await openUncheckedDatabase(options), options);
}

/** The run's migrated PGlite (global-setup.ts), to restore into a new database. */
export const migratedPgliteSnapshot = (): Blob => new Blob([readFileSync(snapshotFile())]);

async function openUncheckedDatabase(options: TestDatabaseOptions): Promise<Database> {
  if (testDbKind() === "pglite") {
    return openPglite({ loadDataDir: migratedPgliteSnapshot() });
  }
  const migrated = await createMigratedPostgresDatabase();
  const { via = (url: string) => url, checkEventRows: _check, ...pool } = options;
  const db = openPostgres(via(migrated.url), { poolSize: 5, ...pool });
  return {
    ...db,
    async close() {
      await db.close();
      await migrated.drop();
    },
  };
}

/** A migrated PostgreSQL database of its own (a clone of the run's template), by URL: for tests
 * that start service processes on it. */
export async function createMigratedPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${runId()}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${templateDb()}"`).finally(() => admin.end());
  return { url: adminUrl(name), drop: () => dropDatabase(name) };
}

async function dropDatabase(name: string): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl() });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).finally(() => c.end());
}

/** An empty PostgreSQL database of its own (no migrations), for migration tests. */
export async function createEmptyPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${runId()}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`).finally(() => admin.end());
  return {
    url: adminUrl(name),
    drop: () => dropDatabase(name),
  };
}

/**
 * PostgreSQL only: how many backends of this database wait for a lock now, as seen from `conn`
 * (a connection of the test's own, typically the one holding the lock; the snapshot of
 * pg_stat_activity is cleared first, since a transaction would keep its first one).
 */
export async function backendsWaitingOnLock(conn: RawConnection): Promise<number> {
  await conn.query("SELECT pg_stat_clear_snapshot()");
  const [row] = await conn.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
  );
  return row!.n;
}

/**
 * PostgreSQL only: waits until `n` backends of this database wait on a lock, as seen from `conn`
 * (backendsWaitingOnLock), 20 s at most; fails past that.
 */
export async function untilWaiting(conn: RawConnection, n: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while ((await backendsWaitingOnLock(conn)) < n) {
    if (Date.now() > deadline) throw new Error(`fewer than ${n} connections wait on a lock`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
