// The member count of each group that the database keeps (group_member_counts, migration
// group_member_counts) must always equal count(*) of its memberships, whatever changes them: SCIM
// creates, member batches and PUTs, user DELETEs by SCIM and by the admin API, invitations with
// teams and their rescinding, group and organization DELETEs, batches and DELETEs at once. It is
// the memberCount of every group event (issue 18: counting 10,000 memberships per member batch).
import { PGlite } from "@electric-sql/pglite";
import request from "supertest";
import { Prisma } from "../../src/generated/prisma/client";
import { migrate, readMigrations } from "../../src/db/migrate";
import { connectPg, pgliteConnection, type RawConnection } from "../../src/db/raw";
import { createEmptyPostgresDatabase, testDbKind } from "../support/db";
import { createTestApp, type TestApp } from "../support/app";
import { GROUP, PATCH_OP, scimClient, type ScimClient } from "../scim/scim-client";
import { invite, orgWithMembers } from "../users/helpers";

let t: TestApp;
let c: ScimClient;
let users: string[];
beforeAll(async () => {
  t = await createTestApp();
  c = await scimClient(t);
  users = await t.given.users(
    c.org,
    Array.from({ length: 40 }, (_, i) => `member${i}@acme.test`),
  );
});
afterAll(() => t.close());

/** Every group whose kept count differs from count(*) of its memberships, and every kept count of no group. */
const drift = () =>
  t.db.read<{ group_id: string; kept: number; counted: number }>(Prisma.sql`
    WITH kept AS (SELECT group_id, sum(members)::int AS kept FROM group_member_counts GROUP BY group_id),
    counted AS (SELECT g.id AS group_id, (SELECT count(*)::int FROM group_memberships m WHERE m.group_id = g.id) AS counted
      FROM groups g)
    SELECT coalesce(k.group_id, n.group_id)::text AS group_id, coalesce(k.kept, 0) AS kept, n.counted
    FROM kept k FULL JOIN counted n ON n.group_id = k.group_id
    WHERE n.group_id IS NULL OR coalesce(k.kept, 0) <> n.counted`);

const membersOf = async (groupId: string) =>
  (
    await t.db.read<{ n: number }>(
      Prisma.sql`SELECT count(*)::int AS n FROM group_memberships WHERE group_id = ${groupId}::uuid`,
    )
  )[0]!.n;

/** The memberCount of the group's latest outbox event. */
const eventCount = async (groupId: string) =>
  (
    await t.db.read<{ n: number }>(Prisma.sql`SELECT (payload->>'memberCount')::int AS n FROM outbox_events
      WHERE subject_id = ${groupId} ORDER BY id DESC LIMIT 1`)
  )[0]!.n;

const members = (op: string, ids: string[]) => ({
  schemas: [PATCH_OP],
  Operations: [{ op, path: "members", value: ids.map((value) => ({ value })) }],
});
const value = (ids: string[]) => ids.map((v) => ({ value: v }));

test("when members are added, added again, removed and replaced by SCIM, then the kept count and each event's memberCount follow", async () => {
  const created = await c
    .post("/Groups", { schemas: [GROUP], displayName: "Crew", members: value(users.slice(0, 3)) })
    .expect(201);
  const id = created.body.id as string;
  const steps: [string, () => Promise<unknown>, number][] = [
    ["create", async () => undefined, 3],
    // Two already members, one named twice.
    ["add", () => c.patch(`/Groups/${id}`, members("add", [...users.slice(1, 8), users[7]!])).expect(204), 8],
    ["remove", () => c.patch(`/Groups/${id}`, members("remove", [users[0]!, users[30]!])).expect(204), 7],
    [
      "replace",
      () =>
        c
          .patch(`/Groups/${id}`, {
            schemas: [PATCH_OP],
            Operations: [{ op: "replace", path: "members", value: value(users.slice(5, 10)) }],
          })
          .expect(204),
      5,
    ],
    [
      "rename with a member",
      () =>
        c
          .patch(`/Groups/${id}`, {
            schemas: [PATCH_OP],
            Operations: [
              { op: "replace", value: { displayName: "Crew 2" } },
              { op: "add", path: "members", value: value([users[11]!]) },
            ],
          })
          .expect(204),
      6,
    ],
    [
      "PUT",
      () =>
        c
          .put(`/Groups/${id}`, {
            schemas: [GROUP],
            displayName: "Crew 2",
            members: value(users.slice(8, 12)),
          })
          .expect(200),
      4,
    ],
  ];
  for (const [step, run, expected] of steps) {
    await run();
    expect({ step, members: await membersOf(id), event: await eventCount(id) }).toEqual({
      step,
      members: expected,
      event: expected,
    });
    expect(await drift()).toEqual([]);
  }
});

test("when a batch names an unknown member, then it fails whole and nothing is counted", async () => {
  const id = (await c.post("/Groups", { schemas: [GROUP], displayName: "Failing" }).expect(201)).body.id;
  await c
    .patch(`/Groups/${id}`, members("add", [users[0]!, "8d0c4f5e-0000-4000-8000-000000000000"]))
    .expect(400);
  expect(await membersOf(id)).toBe(0);
  expect(await drift()).toEqual([]);
});

test("when members are deleted by SCIM, by the admin API and as rescinded invitees, then their groups' kept counts follow", async () => {
  const a = (
    await c.post("/Groups", { schemas: [GROUP], displayName: "A", members: value(users.slice(12, 18)) })
  ).body.id as string;
  const b = (
    await c.post("/Groups", { schemas: [GROUP], displayName: "B", members: value(users.slice(14, 20)) })
  ).body.id as string;
  await c.del(`/Users/${users[15]}`).expect(204);
  expect([await membersOf(a), await membersOf(b)]).toEqual([5, 5]);
  expect(await drift()).toEqual([]);

  const { org, admin, viewer, base } = await orgWithMembers(t);
  const team = await t.given.group(org, "Team", {
    source: "manual",
    members: [admin.user.id, viewer.user.id],
  });
  expect(await drift()).toEqual([]);
  await request(t.app)
    .delete(`${base}/users/${viewer.user.id}`)
    .set("Cookie", admin.cookie)
    .send({ confirm: viewer.user.email })
    .expect(204);
  expect(await membersOf(team.id)).toBe(1);
  expect(await drift()).toEqual([]);

  const sent = await invite(t, base, admin.cookie, [
    { email: "one@example.test", role: "Viewer", teams: ["Team", "Lab"] },
    { email: "two@example.test", role: "Viewer", teams: ["Lab"] },
  ]).expect(201);
  expect(await membersOf(team.id)).toBe(2);
  expect(await drift()).toEqual([]);
  await request(t.app)
    .delete(`${base}/invitations/${sent.body.invitations[0].id}`)
    .set("Cookie", admin.cookie)
    .expect(204);
  expect(await membersOf(team.id)).toBe(1);
  expect(await drift()).toEqual([]);
});

test("when groups and an organization are deleted, then their kept counts go with them", async () => {
  const id = (
    await c.post("/Groups", { schemas: [GROUP], displayName: "Gone", members: value(users.slice(20, 25)) })
  ).body.id as string;
  await c.del(`/Groups/${id}`).expect(204);
  expect(await drift()).toEqual([]);

  const other = await scimClient(t, { plan: "enterprise" }, "entra");
  const theirs = await t.given.users(other.org, ["x@other.test", "y@other.test"]);
  await other.post("/Groups", { schemas: [GROUP], displayName: "X", members: value(theirs) }).expect(201);
  await other
    .post("/Groups", { schemas: [GROUP], displayName: "Y", members: value(theirs.slice(1)) })
    .expect(201);
  await t.db.prisma.organization.delete({ where: { id: other.org.id } });
  expect(await drift()).toEqual([]);
});

test("when member batches, PUTs and DELETEs of shared users run at once, then every answer is a success and the kept count follows", async () => {
  const shared = users.slice(25, 40);
  // Q named by a rule: its batches lock their users, as a user's DELETE does.
  await t.given.rules(c.org, [{ group: "Q", role: "Support" }]);
  const groups: string[] = [];
  for (const g of ["P", "Q", "R"])
    groups.push(
      (await c.post("/Groups", { schemas: [GROUP], displayName: g, members: value(shared) })).body.id,
    );
  const requests = [
    ...groups.flatMap((g, i) => [
      c.patch(`/Groups/${g}`, members("remove", shared.slice(i, i + 6))),
      c.patch(`/Groups/${g}`, members("add", shared.slice(i + 3, i + 9))),
      c.patch(`/Groups/${g}`, members("remove", shared.slice(i + 4, i + 7))),
    ]),
    c.put(`/Groups/${groups[0]}`, {
      schemas: [GROUP],
      displayName: "P",
      members: value(shared.slice(2, 11)),
    }),
    // Members removed by batches while their users are deleted.
    c.patch(`/Groups/${groups[1]}`, members("remove", shared.slice(11, 13))),
    c.patch(`/Groups/${groups[2]}`, members("remove", shared.slice(12, 15))),
    ...shared.slice(11, 15).map((u) => c.del(`/Users/${u}`)),
  ];
  const statuses = (await Promise.all(requests)).map((r) => r.status);
  expect(statuses.every((s) => s >= 200 && s < 300)).toBe(true);
  expect(await drift()).toEqual([]);
});

test("when the migration runs on a database with memberships, then it counts them", async () => {
  const lite = testDbKind() === "pglite" ? new PGlite() : undefined;
  const pgDb = lite ? undefined : await createEmptyPostgresDatabase();
  const conn: RawConnection = lite ? await pgliteConnection(lite) : await connectPg(pgDb!.url);
  try {
    const all = readMigrations();
    const at = all.findIndex((m) => m.name.endsWith("_group_member_counts"));
    await migrate(conn, all.slice(0, at));
    await conn.exec(`
      INSERT INTO organizations (id, slug, name, updated_at) VALUES ('00000000-0000-4000-8000-000000000001', 'o', 'O', now());
      INSERT INTO users (id, org_id, email, email_lower, user_name, user_name_lower, role_source, updated_at, provisioned_by)
        SELECT ('00000000-0000-4000-8000-1000000000' || lpad(i::text, 2, '0'))::uuid, '00000000-0000-4000-8000-000000000001',
          'u' || i || '@o.test', 'u' || i || '@o.test', 'u' || i, 'u' || i, '{}', now(), 'scim' FROM generate_series(1, 5) i;
      INSERT INTO groups (id, org_id, display_name, display_name_lower, source, updated_at) VALUES
        ('00000000-0000-4000-8000-200000000001', '00000000-0000-4000-8000-000000000001', 'Five', 'five', 'scim', now()),
        ('00000000-0000-4000-8000-200000000002', '00000000-0000-4000-8000-000000000001', 'Two', 'two', 'scim', now()),
        ('00000000-0000-4000-8000-200000000003', '00000000-0000-4000-8000-000000000001', 'None', 'none', 'scim', now());
      INSERT INTO group_memberships (group_id, user_id, org_id)
        SELECT '00000000-0000-4000-8000-200000000001'::uuid, id, org_id FROM users
        UNION ALL SELECT '00000000-0000-4000-8000-200000000002'::uuid, id, org_id FROM users WHERE user_name IN ('u1', 'u2');`);
    await migrate(conn, all);
    const kept = await conn.query<{ name: string; n: number }>(`SELECT g.display_name AS name,
        (SELECT coalesce(sum(members), 0)::int FROM group_member_counts c WHERE c.group_id = g.id) AS n
      FROM groups g ORDER BY g.display_name`);
    expect(kept).toEqual([
      { name: "Five", n: 5 },
      { name: "None", n: 0 },
      { name: "Two", n: 2 },
    ]);
  } finally {
    await conn.release();
    await lite?.close();
    await pgDb?.drop();
  }
});
