// The role seam against a real database: memberships, sign-in values, rules and policy in,
// role, roleSource and exactly the expected events out.
import type { Organization, User } from "../../src/generated/prisma/client";
import { recomputeOrgRoles, recomputeRoles } from "../../src/roles/recompute";
import { systemActor, type Ctx } from "../../src/shared/context";
import { createTestApp, type TestApp } from "../support/app";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const ctxOf = (org: Organization): Ctx => ({
  orgId: org.id,
  actor: systemActor("test"),
  requestId: "req-test",
});

const group = (org: Organization, displayName: string, externalId: string | null = null) =>
  t.given.group(org, displayName, { externalId });

async function rules(org: Organization, list: [string, "Admin" | "Support" | "Viewer"][]) {
  await t.db.prisma.roleMappingRule.deleteMany({ where: { orgId: org.id } });
  await t.given.rules(
    org,
    list.map(([group, role]) => ({ group, role })),
  );
}

const scimUser = (org: Organization, extra: Parameters<TestApp["given"]["user"]>[1] = {}) =>
  t.given.user(org, { provisionedBy: "scim", manualRole: false, assignedRole: null, role: null, ...extra });

const join = (user: User, groupId: string) =>
  t.db.prisma.groupMembership.create({ data: { orgId: user.orgId, userId: user.id, groupId } });

const events = async (org: Organization) => ({
  audit: await t.db.prisma.auditEvent.findMany({ where: { orgId: org.id, action: "user.role_changed" } }),
  outbox: await t.db.prisma.outboxEvent.findMany({ where: { orgId: org.id, type: "user.role_changed" } }),
});

describe("recomputeRoles", () => {
  test("when a SCIM user joins a group that a rule maps to Admin, then the role, roleSource and one event of each kind change", async () => {
    const org = await t.given.org({ defaultRole: "Viewer" });
    const admins = await group(org, "Portal Admins", "8f1c2a3b-0000-4000-8000-000000000001");
    await rules(org, [["portal admins", "Admin"]]);
    const user = await scimUser(org);
    await join(user, admins.id);

    const changes = await t.db.prisma.$transaction((tx) => recomputeRoles(tx, ctxOf(org), [user.id]));

    const roleSource = { kind: "mapping", rules: [{ group: "portal admins", role: "Admin" }] };
    expect(changes).toEqual([{ id: user.id, email: user.email, from: null, to: "Admin", roleSource }]);
    const stored = await t.db.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(stored.role).toBe("Admin");
    expect(stored.roleSource).toEqual(roleSource);
    const { audit, outbox } = await events(org);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ targetId: user.id, requestId: "req-test", actorType: "system" });
    expect(audit[0]!.data).toEqual({ id: user.id, email: user.email, from: null, to: "Admin", roleSource });
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({
      subjectId: user.id,
      payload: { id: user.id, email: user.email, previousRole: null, role: "Admin", roleSource },
    });
  });

  test("when nothing changed, then a second recompute writes and emits nothing", async () => {
    const org = await t.given.org({ defaultRole: "Viewer" });
    const user = await scimUser(org);
    await t.db.prisma.$transaction((tx) => recomputeRoles(tx, ctxOf(org), [user.id]));
    const before = await t.db.prisma.user.findUniqueOrThrow({ where: { id: user.id } });

    const again = await t.db.prisma.$transaction((tx) => recomputeRoles(tx, ctxOf(org), [user.id]));

    expect(again).toEqual([]);
    const after = await t.db.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(after.updatedAt).toEqual(before.updatedAt);
    expect((await events(org)).audit).toHaveLength(1);
  });

  test("when the sign-in carries an Entra object id, then a rule written against the group's displayName applies", async () => {
    const org = await t.given.org({ defaultRole: null });
    const objectId = "5d2e7f10-93ab-4c1e-b0a4-1e2f3a4b5c6d";
    await group(org, "Support Team", objectId);
    await rules(org, [["Support Team", "Support"]]);
    const user = await t.given.user(org, {
      provisionedBy: "sso",
      manualRole: false,
      role: null,
      ssoGroups: [objectId.toUpperCase()],
    });

    const [change] = await t.db.prisma.$transaction((tx) => recomputeRoles(tx, ctxOf(org), [user.id]));

    expect(change).toMatchObject({ from: null, to: "Support" });
    expect(change!.roleSource).toEqual({
      kind: "mapping",
      rules: [{ group: "Support Team", role: "Support" }],
    });
  });

  test("when the sign-in reported overage, then its values are ignored, memberships stand in and roleSource says so", async () => {
    const org = await t.given.org({ defaultRole: "Viewer" });
    const support = await group(org, "Helpdesk");
    await rules(org, [
      ["Admins", "Admin"],
      ["Helpdesk", "Support"],
    ]);
    const user = await t.given.user(org, {
      provisionedBy: "sso",
      manualRole: false,
      ssoGroups: ["Admins"],
      ssoGroupsOverage: true,
    });
    await join(user, support.id);

    const [change] = await t.db.prisma.$transaction((tx) => recomputeRoles(tx, ctxOf(org), [user.id]));

    expect(change).toMatchObject({ to: "Support" });
    expect(change!.roleSource).toEqual({
      kind: "mapping",
      rules: [{ group: "Helpdesk", role: "Support" }],
      overage: true,
    });
  });

  test("when an invited user has a manual role, then it is kept while SSO is off and replaced by the mapping once SSO is on", async () => {
    const org = await t.given.org({ defaultRole: "Viewer" });
    const invited = await t.given.user(org, { role: "Support", assignedRole: "Support" });

    expect(await t.db.prisma.$transaction((tx) => recomputeRoles(tx, ctxOf(org), [invited.id]))).toEqual([]);

    await t.db.prisma.ssoConnection.create({ data: { orgId: org.id, protocol: "saml", enabled: true } });
    const [change] = await t.db.prisma.$transaction((tx) => recomputeRoles(tx, ctxOf(org), [invited.id]));

    expect(change).toMatchObject({
      from: "Support",
      to: "Viewer",
      roleSource: { kind: "default", rules: [] },
    });
  });

  test.each([
    ["one user's recompute", "user"],
    ["the whole organization's recompute", "org"],
  ])(
    "when the matching rules sit past the 64th position, then %s still produces the role and roleSource",
    async (_label, scope) => {
      const org = await t.given.org({ defaultRole: null });
      await rules(
        org,
        Array.from(
          { length: 130 },
          (_, i) => [`G${i}`, i % 2 === 0 ? "Viewer" : "Support"] as [string, "Viewer" | "Support"],
        ),
      );
      const user = await scimUser(org, { ssoGroups: ["g3", "G64", "g127", "G129"] });

      await t.db.prisma.$transaction(async (tx) => {
        if (scope === "user") await recomputeRoles(tx, ctxOf(org), [user.id]);
        else await recomputeOrgRoles(tx, ctxOf(org));
      });

      const after = await t.db.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
      expect(after.role).toBe("Support");
      expect(after.roleSource).toEqual({
        kind: "mapping",
        rules: [
          { group: "G3", role: "Support" },
          { group: "G127", role: "Support" },
          { group: "G129", role: "Support" },
        ],
      });
    },
  );

  test("when a user of another organization is named, then it is left alone", async () => {
    const org = await t.given.org({ defaultRole: "Admin" });
    const other = await t.given.org({ defaultRole: "Admin" });
    const stranger = await scimUser(other);

    const changes = await t.db.prisma.$transaction((tx) =>
      recomputeRoles(tx, ctxOf(org), [stranger.id, "not-a-uuid"]),
    );

    expect(changes).toEqual([]);
    expect((await t.db.prisma.user.findUniqueOrThrow({ where: { id: stranger.id } })).role).toBeNull();
  });
});

describe("recomputeOrgRoles", () => {
  test("when a rule changes, then only users whose role changed get events and the counts say so", async () => {
    const org = await t.given.org({ defaultRole: "Viewer" });
    const eng = await group(org, "Engineering", "00eng");
    const ops = await group(org, "Ops");
    const [a, b, c] = [await scimUser(org), await scimUser(org), await scimUser(org)];
    await join(a, eng.id);
    await join(b, eng.id);
    await join(b, ops.id);
    await rules(org, [["Ops", "Support"]]);
    const first = await t.db.prisma.$transaction((tx) => recomputeOrgRoles(tx, ctxOf(org)));
    expect(first).toEqual({ changed: 3, byRole: { Admin: 0, Support: 1, Viewer: 2, none: 0 } });

    await rules(org, [
      ["Ops", "Support"],
      ["00ENG", "Admin"],
    ]);
    const second = await t.db.prisma.$transaction((tx) => recomputeOrgRoles(tx, ctxOf(org)));

    expect(second).toEqual({ changed: 2, byRole: { Admin: 2, Support: 0, Viewer: 0, none: 0 } });
    const byId = new Map(
      (await t.db.prisma.user.findMany({ where: { orgId: org.id } })).map((u) => [u.id, u] as const),
    );
    expect(byId.get(a.id)!.roleSource).toEqual({
      kind: "mapping",
      rules: [{ group: "00ENG", role: "Admin" }],
    });
    expect(byId.get(c.id)!.role).toBe("Viewer");
    const { audit, outbox } = await events(org);
    expect(audit).toHaveLength(5);
    expect(outbox).toHaveLength(5);
    const last = outbox
      .filter((e) => (e.payload as { role: string }).role === "Admin")
      .map((e) => e.subjectId);
    expect(last.sort()).toEqual([a.id, b.id].sort());
    expect(audit.find((e) => e.targetId === b.id && (e.data as { to: string }).to === "Admin")!.data).toEqual(
      {
        id: b.id,
        email: b.email,
        from: "Support",
        to: "Admin",
        roleSource: { kind: "mapping", rules: [{ group: "00ENG", role: "Admin" }] },
      },
    );
  });
});
