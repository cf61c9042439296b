// The migration runner: Prisma's exact _prisma_migrations records, one transaction per
// migration, refusal of foreign or broken databases, and serialisation of concurrent runners.
import { createHash } from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import {
  migrate,
  readMigrations,
  pendingMigrations,
  MigrationError,
  type Migration,
} from "../../src/db/migrate";
import { connectPg, pgliteConnection, type RawConnection } from "../../src/db/raw";
import { createEmptyPostgresDatabase, testDbKind } from "../support/db";

interface Fresh {
  conn(): Promise<RawConnection>;
  dispose(): Promise<void>;
}

// A new PGlite runs initdb (2-3 s of CPU); restoring a dump of one that never ran a statement
// gives the same empty database in under a second. Made once, restored for each test.
let emptyPglite: Promise<File | Blob> | null = null;

async function freshDatabase(): Promise<Fresh> {
  if (testDbKind() === "pglite") {
    emptyPglite ??= (async () => {
      const initdb = new PGlite();
      try {
        return await initdb.dumpDataDir("none");
      } finally {
        await initdb.close();
      }
    })();
    const lite = new PGlite({ loadDataDir: await emptyPglite });
    return { conn: async () => pgliteConnection(lite), dispose: () => lite.close() };
  }
  const db = await createEmptyPostgresDatabase();
  const conns: RawConnection[] = [];
  return {
    async conn() {
      const c = await connectPg(db.url);
      conns.push(c);
      return c;
    },
    async dispose() {
      for (const c of conns) await c.release().catch(() => undefined);
      await db.drop();
    },
  };
}

const migration = (name: string, sql: string): Migration => ({
  name,
  sql,
  checksum: createHash("sha256").update(sql).digest("hex"),
});

let fresh: Fresh;
beforeEach(async () => {
  fresh = await freshDatabase();
});
afterEach(() => fresh.dispose());

test("when a fresh database is migrated, then every migration is recorded exactly as prisma migrate deploy records it", async () => {
  const conn = await fresh.conn();
  const all = readMigrations();
  expect(all.length).toBeGreaterThan(0);
  expect(await migrate(conn)).toEqual(all.map((m) => m.name));
  const rows = await conn.query<Record<string, unknown>>(
    `SELECT * FROM _prisma_migrations ORDER BY migration_name`,
  );
  expect(rows).toHaveLength(all.length);
  rows.forEach((row, i) => {
    expect(row.migration_name).toBe(all[i]!.name);
    expect(row.checksum).toBe(all[i]!.checksum);
    expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(String(row.id)).toHaveLength(36);
    expect(row.finished_at).not.toBeNull();
    expect(row.rolled_back_at).toBeNull();
    expect(row.applied_steps_count).toBe(1);
  });
  const columns = await conn.query<{ column_name: string; data_type: string }>(
    `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
  );
  expect(columns.map((c) => c.column_name)).toEqual([
    "id",
    "checksum",
    "finished_at",
    "migration_name",
    "logs",
    "rolled_back_at",
    "started_at",
    "applied_steps_count",
  ]);
  expect(await pendingMigrations(conn)).toEqual([]);
  expect(await migrate(conn)).toEqual([]);
});

test("when the database holds other tables but no migrations table, then the runner refuses to touch it", async () => {
  const conn = await fresh.conn();
  await conn.exec(`CREATE TABLE someone_elses (id int)`);
  await expect(migrate(conn)).rejects.toThrow(/not empty/);
});

test("when a migration fails midway, then nothing of it remains and the next run reports it again", async () => {
  const conn = await fresh.conn();
  const good = migration("001_ok", `CREATE TABLE a (id int);`);
  const bad = migration("002_bad", `CREATE TABLE b (id int); INSERT INTO missing_table VALUES (1);`);
  await expect(migrate(conn, [good, bad])).rejects.toThrow(MigrationError);
  const tables = await conn.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1`,
  );
  expect(tables.map((t) => t.table_name)).toEqual(["_prisma_migrations", "a"]);
  expect(await pendingMigrations(conn, [good, bad])).toEqual(["002_bad"]);
});

test("when an applied migration was edited afterwards, then the runner refuses to go on", async () => {
  const conn = await fresh.conn();
  await migrate(conn, [migration("001_ok", `CREATE TABLE a (id int);`)]);
  await expect(migrate(conn, [migration("001_ok", `CREATE TABLE a (id bigint);`)])).rejects.toThrow(/edited/);
});

test("when an earlier run left a failed, not rolled back migration, then the runner refuses to continue past it", async () => {
  const conn = await fresh.conn();
  await migrate(conn, [migration("001_ok", `CREATE TABLE a (id int);`)]);
  await conn.query(
    `INSERT INTO _prisma_migrations (id, checksum, migration_name, applied_steps_count) VALUES ('00000000-0000-0000-0000-000000000002', 'x', '002_half', 0)`,
  );
  await expect(migrate(conn, [migration("003_next", `CREATE TABLE c (id int);`)])).rejects.toThrow(
    /002_half failed earlier/,
  );
});

if (testDbKind() === "postgres") {
  test("when two runners start at once, then one waits on the advisory lock and each migration is applied once", async () => {
    const [c1, c2] = await Promise.all([fresh.conn(), fresh.conn()]);
    const [a, b] = await Promise.all([migrate(c1), migrate(c2)]);
    const all = readMigrations().map((m) => m.name);
    expect([...a, ...b].sort()).toEqual([...all].sort());
    const rows = await c1.query<{ n: number }>(`SELECT count(*)::int AS n FROM _prisma_migrations`);
    expect(rows[0]!.n).toBe(all.length);
  });
}
