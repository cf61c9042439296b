// The count of an organization's users that the database keeps (org_user_counts, migration
// org_user_counts) must always equal count(*) of its users, whatever writes them: one row or
// many per statement, statements that fail, concurrent creates, deletes, a deleted organization.
// It is the totalResults of every unfiltered SCIM list.
import { Prisma } from "../../src/generated/prisma/client";
import { createTestApp, type TestApp } from "../support/app";
import { newUser, scimClient, type ScimClient } from "../scim/scim-client";

let t: TestApp;
let c: ScimClient;
beforeAll(async () => {
  t = await createTestApp();
  c = await scimClient(t);
});
afterAll(() => t.close());

/** Every organization whose kept count differs from its users' count(*), with both numbers. */
const drift = () =>
  t.db.read<{ org_id: string; kept: number; counted: number }>(Prisma.sql`
    SELECT o.id::text AS org_id,
      (SELECT coalesce(sum(users), 0)::int FROM org_user_counts WHERE org_id = o.id) AS kept,
      (SELECT count(*)::int FROM users WHERE org_id = o.id) AS counted
    FROM organizations o
    WHERE (SELECT coalesce(sum(users), 0) FROM org_user_counts WHERE org_id = o.id)
      <> (SELECT count(*) FROM users WHERE org_id = o.id)`);

const kept = async (orgId: string) =>
  (
    await t.db.read<{ n: number }>(
      Prisma.sql`SELECT coalesce(sum(users), 0)::int AS n FROM org_user_counts WHERE org_id = ${orgId}::uuid`,
    )
  )[0]!.n;

test("when users are created one by one, in parallel (with duplicates) and many in one statement, then the kept count follows", async () => {
  for (let i = 0; i < 3; i++) await c.post("/Users", newUser(`one${i}@acme.test`)).expect(201);
  const statuses = await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      c.post("/Users", newUser(`par${i % 6}@acme.test`)).then((r) => r.status),
    ),
  );
  expect(statuses.filter((s) => s === 201)).toHaveLength(6);
  await t.given.users(
    c.org,
    Array.from({ length: 5 }, (_, i) => `bulk${i}@acme.test`),
    { roleSource: {} },
  );
  expect(await kept(c.org.id)).toBe(14);
  expect(await drift()).toEqual([]);
});

test("when a statement that inserts users fails, then nothing is counted", async () => {
  const before = await kept(c.org.id);
  await expect(
    t.db.prisma
      .$executeRaw`INSERT INTO users (id, org_id, email, email_lower, user_name, user_name_lower, role_source, updated_at, provisioned_by)
      VALUES (gen_random_uuid(), ${c.org.id}::uuid, 'x@acme.test', 'x@acme.test', 'dup', 'dup', '{}', now(), 'scim'),
             (gen_random_uuid(), ${c.org.id}::uuid, 'y@acme.test', 'y@acme.test', 'dup', 'dup', '{}', now(), 'scim')`,
  ).rejects.toThrow();
  expect(await kept(c.org.id)).toBe(before);
});

test("when users are deleted one by one and many at once, then the kept count follows", async () => {
  const ids = (await c.get("/Users?count=3").expect(200)).body.Resources.map((r: { id: string }) => r.id);
  await c.del(`/Users/${ids[0]}`).expect(204);
  await t.db.prisma.user.deleteMany({ where: { orgId: c.org.id, userNameLower: { startsWith: "bulk" } } });
  expect(await kept(c.org.id)).toBe(8);
  expect(await drift()).toEqual([]);
});

test("when an unfiltered list is read, then totalResults is the kept count; a filtered one counts its matches", async () => {
  const all = await c.get("/Users?count=2").expect(200);
  expect(all.body.totalResults).toBe(await kept(c.org.id));
  const one = await c.get(`/Users?filter=${encodeURIComponent('userName eq "ONE1@acme.test"')}`).expect(200);
  expect(one.body.totalResults).toBe(1);
});

test("when an organization with users is deleted, then its counts go with it", async () => {
  const other = await scimClient(t, { plan: "enterprise" }, "entra");
  await other.post("/Users", newUser("gone@other.test")).expect(201);
  expect(await kept(other.org.id)).toBe(1);
  await t.db.prisma.organization.delete({ where: { id: other.org.id } });
  const left = await t.db.read<{ n: number }>(
    Prisma.sql`SELECT count(*)::int AS n FROM org_user_counts WHERE org_id = ${other.org.id}::uuid`,
  );
  expect(left[0]!.n).toBe(0);
  expect(await drift()).toEqual([]);
});

test("when a user would move to another organization, then the database refuses", async () => {
  const other = await t.given.org();
  const user = await t.given.user(c.org);
  await expect(
    t.db.prisma.$executeRaw`UPDATE users SET org_id = ${other.id}::uuid WHERE id = ${user.id}::uuid`,
  ).rejects.toThrow(/cannot change organization/);
  expect(await drift()).toEqual([]);
});
