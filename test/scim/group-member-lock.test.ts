// A member batch of a group a rule names locks its users for their roles inside its write
// statement (members-sql.ts writeGroup, lockIfMapped), no longer in a statement of its own. That
// statement's snapshot is taken before it waits for a user's lock; here the user it waits for is
// deleted meanwhile, which a later statement would have seen: the batch must answer the unknown
// member (400), as it did, not write a membership of a deleted user (a foreign-key error, 500).
// A member batch of a group no rule names commits with its write (write-groups.ts
// applyMemberBatch); here a rule naming the group commits while the batch waits for the
// organization's lock, after the batch's lock statement took its snapshot: the write must see the
// rule, write nothing, and the batch run again with the recompute.
// PostgreSQL only: the races need a connection of the test's own holding a row.
import type { Organization } from "../../src/generated/prisma/client";
import { createTestApp, type TestApp } from "../support/app";
import { testDbKind, untilWaiting } from "../support/db";
import { GROUP, newUser, patchBody, scimClient, type ScimClient } from "./scim-client";

const onPostgres = testDbKind() === "postgres" ? describe : describe.skip;

let t: TestApp;
let c: ScimClient;
let org: Organization;
beforeAll(async () => {
  t = await createTestApp();
  c = await scimClient(t, { plan: "enterprise", defaultRole: "Viewer" });
  org = c.org;
  await t.given.rules(org, [{ group: "Support desk", role: "Support" }]);
});
afterAll(() => t.close());

onPostgres("a member batch of a mapped group racing a user's deletion, on PostgreSQL", () => {
  test("when a batch adds a user whose deletion commits while the batch waits for the user's lock, then it answers 400 naming that user and writes nothing", async () => {
    const group = (await c.post("/Groups", { schemas: [GROUP], displayName: "Support desk" }).expect(201))
      .body;
    const kept = (await c.post("/Users", newUser("kept@acme.test")).expect(201)).body.id as string;
    const gone = (await c.post("/Users", newUser("gone@acme.test")).expect(201)).body.id as string;
    const holder = await t.db.raw();
    await holder.exec(`BEGIN; DELETE FROM users WHERE id = '${gone}'`);
    const batch = c
      .patch(
        `/Groups/${group.id}`,
        patchBody({ op: "add", path: "members", value: [{ value: kept }, { value: gone }] }),
      )
      .then((r) => r);
    await untilWaiting(holder, 1);
    await holder.exec("COMMIT");
    await holder.release();
    const res = await batch;
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ scimType: "invalidValue" });
    expect(res.body.detail).toContain(gone);
    expect(await t.db.prisma.groupMembership.count({ where: { groupId: group.id } })).toBe(0);
    expect((await t.db.prisma.group.findUniqueOrThrow({ where: { id: group.id } })).version).toBe(1);
    // The user it could add, it adds on the next batch (nothing of the failed one is left locked).
    await c
      .patch(`/Groups/${group.id}`, patchBody({ op: "add", path: "members", value: [{ value: kept }] }))
      .expect(204);
    expect((await t.db.prisma.user.findUniqueOrThrow({ where: { id: kept } })).role).toBe("Support");
  });

  test("when a rule naming the group commits while an unmapped group's batch waits for the organization, then the batch recomputes its user's role and writes once", async () => {
    const group = (await c.post("/Groups", { schemas: [GROUP], displayName: "Race desk" }).expect(201)).body;
    const user = (await c.post("/Users", newUser("racer@acme.test")).expect(201)).body.id as string;
    expect((await t.db.prisma.user.findUniqueOrThrow({ where: { id: user } })).role).toBe("Viewer");
    const holder = await t.db.raw();
    // What a rules change holds until it commits: the organization's row, exclusively.
    await holder.exec(`BEGIN; SELECT id FROM organizations WHERE id = '${org.id}' FOR UPDATE;
      INSERT INTO role_mapping_rules (id, org_id, position, "group", group_lower, role)
      VALUES (gen_random_uuid(), '${org.id}', 100, 'Race desk', 'race desk', 'Support')`);
    const batch = c
      .patch(`/Groups/${group.id}`, patchBody({ op: "add", path: "members", value: [{ value: user }] }))
      .then((r) => r);
    await untilWaiting(holder, 1);
    await holder.exec("COMMIT");
    await holder.release();
    expect((await batch).status).toBe(204);
    expect((await t.db.prisma.user.findUniqueOrThrow({ where: { id: user } })).role).toBe("Support");
    expect(await t.db.prisma.groupMembership.count({ where: { groupId: group.id } })).toBe(1);
    expect((await t.db.prisma.group.findUniqueOrThrow({ where: { id: group.id } })).version).toBe(2);
    expect(
      await t.db.prisma.outboxEvent.count({ where: { subjectId: group.id, type: "group.updated" } }),
    ).toBe(1);
  });
});
