// End to end through HTTP: Okta-style SCIM group pushes and an admin's rules PUT each change
// a user's role and roleSource, with exactly one user.role_changed audit and outbox event each.
import request from "supertest";
import { createTestApp, type TestApp } from "../support/app";
import { GROUP, PATCH_OP, USER, scimClient, type ScimClient } from "../scim/scim-client";
import { rolesFixtures } from "./fixtures";
import { recomputeRoles } from "../../src/roles/recompute";
import { systemActor } from "../../src/shared/context";

let t: TestApp;
let f: ReturnType<typeof rolesFixtures>;
beforeAll(async () => {
  t = await createTestApp();
  f = rolesFixtures(t);
});
afterAll(() => t.close());

async function provision(scim: ScimClient) {
  const user = await scim
    .post("/Users", {
      schemas: [USER],
      userName: "dana@acme.test",
      name: { givenName: "Dana", familyName: "Li" },
      active: true,
    })
    .expect(201);
  const group = await scim
    .post("/Groups", { schemas: [GROUP], displayName: "Portal Admins", externalId: "00g5portaladmins" })
    .expect(201);
  return { userId: user.body.id as string, groupId: group.body.id as string };
}

const patchMembers = (scim: ScimClient, groupId: string, op: "add" | "remove", userId: string) =>
  scim.patch(`/Groups/${groupId}`, {
    schemas: [PATCH_OP],
    Operations: [
      op === "add"
        ? { op: "add", path: "members", value: [{ value: userId }] }
        : { op: "remove", path: `members[value eq "${userId}"]` },
    ],
  });

describe("the role a SCIM create writes with the user", () => {
  test.each([
    ["Viewer", 1],
    [null, 0],
  ] as const)(
    "when the default role is %s, then the create writes what the role seam computes, with %i role event after user.created",
    async (defaultRole, events) => {
      const scim = await scimClient(t);
      await t.db.prisma.organization.update({ where: { id: scim.org.id }, data: { defaultRole } });
      const created = await scim
        .post("/Users", { schemas: [USER], userName: `new-${defaultRole}@acme.test`, active: true })
        .expect(201);
      const id = created.body.id as string;

      expect(await f.userOf(id)).toMatchObject({
        role: defaultRole,
        roleSource: { kind: "default", rules: [] },
      });
      const recomputed = await t.db.prisma.$transaction((tx) =>
        recomputeRoles(tx, { orgId: scim.org.id, actor: systemActor() }, [id]),
      );
      expect(recomputed).toEqual([]);
      const audit = await t.db.prisma.auditEvent.findMany({
        where: { targetId: id },
        orderBy: { seq: "asc" },
      });
      expect(audit.map((a) => a.action)).toEqual([
        "user.created",
        ...Array(events).fill("user.role_changed"),
      ]);
      const { outbox } = await f.roleEvents(scim.org);
      expect(outbox.map((e) => e.payload)).toEqual(
        events
          ? [
              expect.objectContaining({
                id,
                email: `new-${defaultRole}@acme.test`,
                previousRole: null,
                role: "Viewer",
                roleSource: { kind: "default", rules: [] },
              }),
            ]
          : [],
      );
      expect(audit.every((a) => a.actorType === "scim_token")).toBe(true);
    },
  );
});

describe("SCIM memberships and rules drive the role", () => {
  test("when Okta adds then removes a member of a mapped group, then the role follows each time with one event", async () => {
    const scim = await scimClient(t);
    const key = await t.given.apiKey(scim.org);
    const { userId, groupId } = await provision(scim);
    await f
      .put(scim.org, key, { defaultRole: "Viewer", rules: [{ group: "portal admins", role: "Admin" }] })
      .expect(200);
    expect(await f.userOf(userId)).toMatchObject({
      role: "Viewer",
      roleSource: { kind: "default", rules: [] },
    });
    const before = await f.roleEvents(scim.org);

    await patchMembers(scim, groupId, "add", userId).expect((r) => expect([200, 204]).toContain(r.status));

    expect(await f.userOf(userId)).toMatchObject({
      role: "Admin",
      roleSource: { kind: "mapping", rules: [{ group: "portal admins", role: "Admin" }] },
    });
    const added = await f.roleEvents(scim.org);
    expect(added.outbox.slice(before.outbox.length).map((e) => e.payload)).toEqual([
      expect.objectContaining({ id: userId, previousRole: "Viewer", role: "Admin" }),
    ]);
    expect(added.audit.length - before.audit.length).toBe(1);

    await patchMembers(scim, groupId, "remove", userId).expect((r) => expect([200, 204]).toContain(r.status));

    expect(await f.userOf(userId)).toMatchObject({
      role: "Viewer",
      roleSource: { kind: "default", rules: [] },
    });
    const removed = await f.roleEvents(scim.org);
    expect(removed.outbox.slice(added.outbox.length).map((e) => e.payload)).toEqual([
      expect.objectContaining({ id: userId, previousRole: "Admin", role: "Viewer" }),
    ]);
  });

  test("when a rule is written against the Okta group id, then the admin API shows the group's role and the user's", async () => {
    const scim = await scimClient(t);
    const key = await t.given.apiKey(scim.org);
    const { userId, groupId } = await provision(scim);
    await patchMembers(scim, groupId, "add", userId).expect((r) => expect([200, 204]).toContain(r.status));

    const put = await f
      .put(scim.org, key, { defaultRole: null, rules: [{ group: "00G5PORTALADMINS", role: "Support" }] })
      .expect(200);

    expect(put.body).toEqual({ changed: 1, byRole: { Admin: 0, Support: 1, Viewer: 0, none: 0 } });
    const groups = await request(t.app)
      .get(`/api/v1/orgs/${scim.org.slug}/groups`)
      .set("Authorization", `Bearer ${key}`)
      .expect(200);
    expect(groups.body.data).toEqual([
      expect.objectContaining({ id: groupId, source: "scim", memberCount: 1, role: "Support" }),
    ]);
    expect((await f.userOf(userId)).roleSource).toEqual({
      kind: "mapping",
      rules: [{ group: "00G5PORTALADMINS", role: "Support" }],
    });
  });
});
