// Database.transaction runs the SCIM member batches on the driver itself, without Prisma's
// interactive transaction, and Database.direct the single-statement SCIM create (src/db/client.ts).
// On each engine: what a transaction writes commits together or not at all, a failed statement
// leaves the connection usable, rows are what $queryRaw answers, concurrent reads never see a
// transaction's writes before it commits, and a unique violation carries its SQLSTATE (which
// SCIM turns into 409 uniqueness). On PostgreSQL, BEGIN goes with the first statement and COMMIT
// with the one marked last (committing, src/db/pg-transaction.ts): the same outcomes.
import { Prisma } from "../../src/generated/prisma/client";
import { committing, type Database } from "../../src/db/client";
import { openTestDatabase } from "../support/db";

let db: Database;
let orgId: string;
beforeAll(async () => {
  // The rows written here by hand test the tables, not the catalogue.
  db = await openTestDatabase({ checkEventRows: false });
  orgId = (await db.prisma.organization.create({ data: { slug: "tx", name: "Tx" } })).id;
});
afterAll(() => db.close());

const outboxCount = async (type: string) => db.prisma.outboxEvent.count({ where: { orgId, type } });
const enqueue = (type: string) =>
  Prisma.sql`INSERT INTO outbox_events (org_id, type, subject_id, payload) VALUES (${orgId}::uuid, ${type}, 's', '{}'::jsonb)`;

test("when the function resolves, then every write commits and $executeRaw counted them", async () => {
  const counts = await db.transaction(async (tx) => [
    await tx.$executeRaw(enqueue("tx.commit")),
    await tx.$executeRaw`INSERT INTO outbox_events (org_id, type, subject_id, payload)
      SELECT ${orgId}::uuid, 'tx.commit', 's', '{}'::jsonb FROM generate_series(1, 3)`,
  ]);
  expect(counts).toEqual([1, 3]);
  expect(await outboxCount("tx.commit")).toBe(4);
});

test("when the function throws after writing, then nothing it wrote remains", async () => {
  await expect(
    db.transaction(async (tx) => {
      await tx.$executeRaw(enqueue("tx.rollback"));
      throw new Error("refused");
    }),
  ).rejects.toThrow("refused");
  expect(await outboxCount("tx.rollback")).toBe(0);
});

test("when a statement fails, then the transaction rolls back and the next one works", async () => {
  await expect(
    db.transaction(async (tx) => {
      await tx.$executeRaw(enqueue("tx.failed"));
      await tx.$executeRaw`INSERT INTO outbox_events (org_id, type, subject_id, payload)
        VALUES ('00000000-0000-0000-0000-000000000000'::uuid, 'tx.failed', 's', '{}'::jsonb)`;
    }),
  ).rejects.toThrow();
  expect(await outboxCount("tx.failed")).toBe(0);
  // Every pooled connection is still usable (PostgreSQL: the failed one was rolled back).
  await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      db.transaction((tx) => tx.$executeRaw(enqueue(`tx.after.${i % 2}`))),
    ),
  );
  expect((await outboxCount("tx.after.0")) + (await outboxCount("tx.after.1"))).toBe(12);
});

test("when the last statement is marked, then it and every write before it commit with it", async () => {
  const counts = await db.transaction(async (tx) => [
    await tx.$executeRaw(enqueue("tx.last")),
    await committing(tx).$executeRaw(enqueue("tx.last")),
  ]);
  expect(counts).toEqual([1, 1]);
  expect(await outboxCount("tx.last")).toBe(2);
  // The first statement of a transaction may be its last: BEGIN and COMMIT around it.
  const rows = await db.transaction((tx) => committing(tx).$queryRaw<{ n: number }[]>`SELECT ${3}::int AS n`);
  expect(rows).toEqual([{ n: 3 }]);
});

test("when the last statement fails, then nothing the transaction wrote remains and the connection works", async () => {
  for (let i = 0; i < 3; i++) {
    await expect(
      db.transaction(async (tx) => {
        await tx.$executeRaw(enqueue("tx.last.failed"));
        await committing(tx).$executeRaw`INSERT INTO outbox_events (org_id, type, subject_id, payload)
          VALUES ('00000000-0000-0000-0000-000000000000'::uuid, 'tx.last.failed', 's', '{}'::jsonb)`;
      }),
    ).rejects.toThrow();
  }
  expect(await outboxCount("tx.last.failed")).toBe(0);
  await Promise.all(
    Array.from({ length: 12 }, () =>
      db.transaction((tx) => committing(tx).$executeRaw(enqueue("tx.last.after"))),
    ),
  );
  expect(await outboxCount("tx.last.after")).toBe(12);
});

test("when the first statement fails, then the transaction rolls back and the next one works", async () => {
  for (let i = 0; i < 3; i++) {
    await expect(
      db.transaction(async (tx) => {
        await tx.$executeRaw`SELECT 1 / 0`;
      }),
    ).rejects.toThrow();
  }
  // A rolled-back connection holds no transaction: a statement here commits on its own.
  await Promise.all(
    Array.from({ length: 12 }, () => db.transaction((tx) => tx.$executeRaw(enqueue("tx.first.after")))),
  );
  expect(await outboxCount("tx.first.after")).toBe(12);
});

test("when a statement follows the last one on PostgreSQL, then it is refused and the last one stays committed", async () => {
  if (db.kind !== "postgres") return; // PGlite and Prisma transactions commit when the callback returns.
  await expect(
    db.transaction(async (tx) => {
      await committing(tx).$executeRaw(enqueue("tx.after.last"));
      await tx.$executeRaw(enqueue("tx.after.last"));
    }),
  ).rejects.toThrow("the transaction has committed");
  expect(await outboxCount("tx.after.last")).toBe(1);
});

test("when a transaction queries, then its rows equal Prisma's $queryRaw, in both call forms", async () => {
  const sql = Prisma.sql`SELECT 'a'::text AS t, 42::int AS i, '{"k": [1, null]}'::jsonb AS j,
    '2026-11-23T01:02:03.456Z'::timestamptz AS at, ${["x", "y"]}::text[] AS list`;
  const [asSql, asTemplate] = await db.transaction(async (tx) => [
    await tx.$queryRaw<unknown[]>(sql),
    await tx.$queryRaw<unknown[]>`SELECT 'a'::text AS t, 42::int AS i, '{"k": [1, null]}'::jsonb AS j,
      '2026-11-23T01:02:03.456Z'::timestamptz AS at, ${["x", "y"]}::text[] AS list`,
  ]);
  const viaPrisma = await db.prisma.$queryRaw<unknown[]>(sql);
  expect(asSql).toEqual(viaPrisma);
  expect(asTemplate).toEqual(viaPrisma);
});

test("when a transaction has written but not committed, then a concurrent read does not see it", async () => {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let written!: () => void;
  const wrote = new Promise<void>((r) => (written = r));
  const tx = db.transaction(async (t) => {
    await t.$executeRaw(enqueue("tx.isolated"));
    written();
    await held;
  });
  await wrote;
  // PGlite: the read waits for the transaction (one connection); PostgreSQL: it sees the last commit.
  const during = db.read<{ n: number }>(
    Prisma.sql`SELECT count(*)::int AS n FROM outbox_events WHERE org_id = ${orgId}::uuid AND type = 'tx.isolated'`,
  );
  const settled = await Promise.race([
    during.then((r) => r[0]!.n),
    new Promise((r) => setTimeout(() => r("waiting"), 200)),
  ]);
  expect([0, "waiting"]).toContain(settled);
  release();
  await tx;
  expect(await outboxCount("tx.isolated")).toBe(1);
});

test("when a direct statement runs, then it commits on its own and counts its rows", async () => {
  expect(await db.direct.$executeRaw(enqueue("direct.one"))).toBe(1);
  expect(await outboxCount("direct.one")).toBe(1);
  const rows = await db.direct.$queryRaw<{ n: number }[]>`SELECT ${7}::int AS n`;
  expect(rows).toEqual([{ n: 7 }]);
});

test("when a direct statement violates a unique index, then the error carries SQLSTATE 23505", async () => {
  const slug = "unique-slug";
  const insert = Prisma.sql`INSERT INTO organizations (id, slug, name, updated_at)
    VALUES (gen_random_uuid(), ${slug}, 'U', now())`;
  await db.direct.$executeRaw(insert);
  await expect(db.direct.$executeRaw(insert)).rejects.toMatchObject({ code: "23505" });
  await expect(db.transaction((tx) => tx.$executeRaw(insert))).rejects.toMatchObject({ code: "23505" });
  expect(await db.prisma.organization.count({ where: { slug } })).toBe(1);
});
