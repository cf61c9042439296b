// Applies prisma/migrations/*/migration.sql in name order, recorded exactly as
// `prisma migrate deploy` records them (table _prisma_migrations, sha256 checksum, one
// transaction per migration, Prisma's advisory lock key), so both tools can share a database.
// Several instances starting at once serialise on the lock: one applies, the others wait
// and then find nothing left to do.
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { RawConnection } from "./raw";

export const MIGRATIONS_DIR = path.resolve(__dirname, "../../prisma/migrations");
// prisma-engines uses this key for pg_advisory_lock during migrate deploy.
const PRISMA_ADVISORY_LOCK = 72707369;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
)`.replace(" UNSIGNED", "");

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

export class MigrationError extends Error {
  override name = "MigrationError";
}

async function tableExists(conn: RawConnection, name: string): Promise<boolean> {
  const rows = await conn.query<{ exists: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1) AS exists`,
    [name],
  );
  return rows[0]?.exists === true;
}

export async function appliedMigrations(conn: RawConnection): Promise<AppliedRow[]> {
  if (!(await tableExists(conn, "_prisma_migrations"))) return [];
  return conn.query<AppliedRow>(
    `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at, migration_name`,
  );
}

/** Names of migrations on disk that are not applied (empty when the database is current). */
export async function pendingMigrations(
  conn: RawConnection,
  migrations = readMigrations(),
): Promise<string[]> {
  const done = new Set(
    (await appliedMigrations(conn))
      .filter((r) => r.finished_at && !r.rolled_back_at)
      .map((r) => r.migration_name),
  );
  return migrations.filter((m) => !done.has(m.name)).map((m) => m.name);
}

export async function migrate(conn: RawConnection, migrations = readMigrations()): Promise<string[]> {
  await conn.query(`SELECT pg_advisory_lock(${PRISMA_ADVISORY_LOCK})`);
  try {
    if (!(await tableExists(conn, "_prisma_migrations"))) {
      const others = await conn.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = current_schema()`,
      );
      // Like Prisma (P3005): never run our schema over a database that holds something else.
      if ((others[0]?.n ?? 0) > 0) {
        throw new MigrationError(
          "the database is not empty and has no _prisma_migrations table: refusing to migrate it",
        );
      }
      await conn.exec(CREATE_TABLE);
    }
    const rows = await appliedMigrations(conn);
    const failed = rows.find((r) => !r.finished_at && !r.rolled_back_at);
    if (failed) {
      throw new MigrationError(
        `migration ${failed.migration_name} failed earlier and is not rolled back: resolve it before migrating (see docs/operations.md)`,
      );
    }
    const done = new Map(
      rows.filter((r) => r.finished_at && !r.rolled_back_at).map((r) => [r.migration_name, r]),
    );
    const applied: string[] = [];
    for (const m of migrations) {
      const row = done.get(m.name);
      if (row) {
        if (row.checksum !== m.checksum) {
          throw new MigrationError(`migration ${m.name} was edited after it was applied (checksum differs)`);
        }
        continue;
      }
      await conn.exec("BEGIN");
      try {
        await conn.exec(m.sql);
        await conn.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
           VALUES ($1, $2, $3, now(), now(), 1)`,
          [randomUUID(), m.checksum, m.name],
        );
        await conn.exec("COMMIT");
      } catch (e) {
        await conn.exec("ROLLBACK");
        throw new MigrationError(`migration ${m.name} failed: ${(e as Error).message}`);
      }
      applied.push(m.name);
    }
    return applied;
  } finally {
    await conn.query(`SELECT pg_advisory_unlock(${PRISMA_ADVISORY_LOCK})`);
  }
}
