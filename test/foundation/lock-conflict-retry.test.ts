// retryLockConflicts (src/db/lock-conflicts.ts): two transactions that lock two rows in opposite
// orders deadlock for real; PostgreSQL ends one of them (40P01). Alone, that one fails; under
// retryLockConflicts it runs again once the other has committed, and both writes land once.
// An error that is no lock conflict is not retried. PostgreSQL only: PGlite's one connection
// runs transactions one after the other, so they never deadlock.
import { Prisma } from "../../src/generated/prisma/client";
import type { Database, SqlTx } from "../../src/db/client";
import { isLockConflict, retryLockConflicts } from "../../src/db/lock-conflicts";
import { openTestDatabase, testDbKind } from "../support/db";

const onPostgres = testDbKind() === "postgres" ? describe : describe.skip;

onPostgres("retryLockConflicts on PostgreSQL", () => {
  let db: Database;
  let orgs: [string, string];
  beforeAll(async () => {
    // The rows written here by hand test the retry, not the catalogue.
    db = await openTestDatabase({ checkEventRows: false });
    const make = (slug: string) => db.prisma.organization.create({ data: { slug, name: slug } });
    orgs = [(await make("first")).id, (await make("second")).id];
  });
  afterAll(() => db.close());

  const lock = (tx: SqlTx, id: string) =>
    tx.$queryRaw(Prisma.sql`SELECT id FROM organizations WHERE id = ${id}::uuid FOR NO KEY UPDATE`);
  const rename = (tx: SqlTx, id: string, name: string) =>
    tx.$executeRaw(Prisma.sql`UPDATE organizations SET name = name || ${name} WHERE id = ${id}::uuid`);

  /**
   * Two transactions: one locks the first row then the second, the other the reverse; each takes
   * its second lock only once both hold their first, so they always meet in a cycle. Counts the
   * attempts each made; `wrap` runs each transaction (alone, or under the retry).
   */
  async function opposite(wrap: <T>(run: () => Promise<T>) => Promise<T>) {
    const attempts = [0, 0];
    let held = 0;
    const bothHold = new Promise<void>((resolve) => {
      const check = setInterval(() => held >= 2 && (clearInterval(check), resolve()), 5);
    });
    const run = (k: 0 | 1) =>
      wrap(() =>
        db.transaction(async (tx) => {
          attempts[k]! += 1;
          await lock(tx, orgs[k]);
          held += 1;
          await bothHold;
          await rename(tx, orgs[1 - k]!, `+${k}`);
          await rename(tx, orgs[k], `+${k}`);
        }),
      );
    const settled = await Promise.allSettled([run(0), run(1)]);
    return { settled, attempts };
  }

  const names = async () =>
    (await db.prisma.organization.findMany({ where: { id: { in: orgs } }, orderBy: { slug: "asc" } })).map(
      (o) => o.name,
    );

  test("when two transactions lock rows in opposite orders without the retry, then PostgreSQL ends one with 40P01", async () => {
    const before = await names();
    const { settled } = await opposite((run) => run());
    const failed = settled.filter((s) => s.status === "rejected") as PromiseRejectedResult[];
    expect(failed).toHaveLength(1);
    expect(isLockConflict(failed[0]!.reason)).toBe(true);
    // The winner's two renames, and nothing of the victim's.
    const winner = settled.findIndex((s) => s.status === "fulfilled");
    expect(await names()).toEqual(before.map((n) => `${n}+${winner}`));
  });

  test("when the same transactions run under retryLockConflicts, then both commit, the victim on its second attempt", async () => {
    const before = await names();
    const { settled, attempts } = await opposite(retryLockConflicts);
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "fulfilled"]);
    expect([...attempts].sort()).toEqual([1, 2]);
    const second = attempts.indexOf(2);
    expect(await names()).toEqual(before.map((n) => `${n}+${1 - second}+${second}`));
  });

  test("when a transaction fails otherwise, then it is not run again", async () => {
    let attempts = 0;
    await expect(
      retryLockConflicts(() =>
        db.transaction(async (tx) => {
          attempts += 1;
          await tx.$queryRaw(Prisma.sql`SELECT 1 / 0`);
        }),
      ),
    ).rejects.toMatchObject({ code: "22012" });
    expect(attempts).toBe(1);
  });
});
