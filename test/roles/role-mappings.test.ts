// PUT/GET /role-mappings and POST /role-mappings/preview through HTTP (contract section 6).
import request from "supertest";
import type { Organization } from "../../src/generated/prisma/client";
import { createTestApp, type TestApp } from "../support/app";
import { rolesFixtures } from "./fixtures";

let t: TestApp;
let f: ReturnType<typeof rolesFixtures>;
beforeAll(async () => {
  t = await createTestApp();
  f = rolesFixtures(t);
});
afterAll(() => t.close());

const url = (org: Organization, suffix = "") => `/api/v1/orgs/${org.slug}/role-mappings${suffix}`;

function put(org: Organization, key: string, body: object, query = "") {
  return request(t.app).put(url(org, query)).set("Authorization", `Bearer ${key}`).send(body);
}

/** An org with SCIM users in Engineering and Support Desk, one user in no group, and everyone recomputed once. */
async function engineeringOrg() {
  const org = await t.given.org();
  const key = await t.given.apiKey(org);
  const eng = await f.group(org, "Engineering", "0a1b2c3d-eng");
  const desk = await f.group(org, "Support Desk");
  const [alice, bob, carol] = [await f.scimUser(org), await f.scimUser(org), await f.scimUser(org)];
  await f.join(alice, eng.id);
  await f.join(bob, desk.id);
  const invited = await t.given.user(org, { role: "Support", assignedRole: "Support" });
  await put(org, key, { defaultRole: "Viewer", rules: [] }).expect(200);
  return { org, key, alice, bob, carol, invited };
}

describe("PUT /role-mappings", () => {
  test("when the rules change, then roles and roleSource follow and exactly the changed users get events", async () => {
    const { org, key, alice, bob, carol, invited } = await engineeringOrg();
    const before = await f.roleEvents(org);
    expect(before.audit).toHaveLength(3);

    const res = await put(org, key, {
      defaultRole: "Viewer",
      rules: [
        { group: "engineering", role: "Admin" },
        { group: "Support Desk", role: "Support" },
        { group: "Nobody's group", role: "Admin" },
      ],
    }).expect(200);

    expect(res.body).toEqual({ changed: 2, byRole: { Admin: 1, Support: 1, Viewer: 0, none: 0 } });
    expect(await f.userOf(alice.id)).toMatchObject({
      role: "Admin",
      roleSource: { kind: "mapping", rules: [{ group: "engineering", role: "Admin" }] },
    });
    expect(await f.userOf(bob.id)).toMatchObject({
      role: "Support",
      roleSource: { kind: "mapping", rules: [{ group: "Support Desk", role: "Support" }] },
    });
    expect(await f.userOf(carol.id)).toMatchObject({
      role: "Viewer",
      roleSource: { kind: "default", rules: [] },
    });
    expect(await f.userOf(invited.id)).toMatchObject({
      role: "Support",
      roleSource: { kind: "manual", rules: [] },
    });
    const after = await f.roleEvents(org);
    const fresh = after.outbox.slice(before.outbox.length);
    expect(fresh.map((e) => [e.subjectId, (e.payload as { from: string; to: string }).to]).sort()).toEqual(
      [
        [alice.id, "Admin"],
        [bob.id, "Support"],
      ].sort(),
    );
    expect(
      after.audit
        .slice(before.audit.length)
        .map((e) => e.targetId)
        .sort(),
    ).toEqual([alice.id, bob.id].sort());
    expect(fresh.find((e) => e.subjectId === alice.id)!.payload).toEqual({
      id: alice.id,
      email: alice.email,
      from: "Viewer",
      to: "Admin",
      roleSource: { kind: "mapping", rules: [{ group: "engineering", role: "Admin" }] },
    });
    const [changeAudit] = await t.db.prisma.auditEvent.findMany({
      where: { orgId: org.id, action: "role_mappings.updated" },
      orderBy: { seq: "desc" },
      take: 1,
    });
    expect(changeAudit!.data).toMatchObject({ changed: 2, after: { defaultRole: "Viewer" } });
  });

  test("when the same rules are put again, then nothing changes and no event is emitted", async () => {
    const { org, key } = await engineeringOrg();
    const body = { defaultRole: "Viewer", rules: [{ group: "Engineering", role: "Support" }] };
    await put(org, key, body).expect(200);
    const before = await f.roleEvents(org);

    const res = await put(org, key, body).expect(200);

    expect(res.body).toEqual({ changed: 0, byRole: { Admin: 0, Support: 0, Viewer: 0, none: 0 } });
    expect((await f.roleEvents(org)).outbox).toHaveLength(before.outbox.length);
  });

  test("when the default role becomes null, then users matching no rule lose access", async () => {
    const { org, key, alice, bob, carol } = await engineeringOrg();

    const res = await put(org, key, {
      defaultRole: null,
      rules: [{ group: "Engineering", role: "Viewer" }],
    }).expect(200);

    expect(res.body).toEqual({ changed: 2, byRole: { Admin: 0, Support: 0, Viewer: 0, none: 2 } });
    expect((await f.userOf(bob.id)).role).toBeNull();
    expect((await f.userOf(carol.id)).role).toBeNull();
    expect((await f.userOf(alice.id)).role).toBe("Viewer");
  });

  test("when the rules are read back, then GET answers them in order with the default role", async () => {
    const { org, key } = await engineeringOrg();
    const rules = [
      { group: "Zeta", role: "Viewer" },
      { group: "Alpha", role: "Admin" },
    ];
    await put(org, key, { defaultRole: "Support", rules }).expect(200);

    const res = await request(t.app).get(url(org)).set("Authorization", `Bearer ${key}`).expect(200);

    expect(res.body).toEqual({ defaultRole: "Support", rules });
  });

  test.each([
    [{ defaultRole: "Owner", rules: [] }, "defaultRole"],
    [{ defaultRole: "Viewer", rules: [{ group: "", role: "Admin" }] }, "rules.0.group"],
    [{ defaultRole: "Viewer", rules: [{ group: "A", role: "admin" }] }, "rules.0.role"],
    [
      {
        defaultRole: "Viewer",
        rules: [
          { group: "A", role: "Admin" },
          { group: "a", role: "Admin" },
        ],
      },
      "rules.1.group",
    ],
    [{ rules: [] }, "defaultRole"],
  ])("when the body is %j, then 400 names %s and nothing changes", async (body, field) => {
    const { org, key } = await engineeringOrg();

    const res = await put(org, key, body).expect(400);

    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe("validation_failed");
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(await t.db.prisma.roleMappingRule.count({ where: { orgId: org.id } })).toBe(0);
  });

  test("when a Support user puts rules, then 403 forbidden; a Viewer cannot even read them", async () => {
    const org = await t.given.org();
    const support = await t.given.member(org, "Support");
    const viewer = await t.given.member(org, "Viewer");

    const res = await request(t.app)
      .put(url(org))
      .set("Cookie", support.cookie)
      .send({ defaultRole: "Admin", rules: [] })
      .expect(403);
    await request(t.app).get(url(org)).set("Cookie", viewer.cookie).expect(403);

    expect(res.body.code).toBe("forbidden");
    expect(
      (await t.db.prisma.organization.findUniqueOrThrow({ where: { id: org.id } })).defaultRole,
    ).toBeNull();
  });
});

describe("last Admin while SSO is on", () => {
  async function ssoOrgWithOneAdmin() {
    const { org, key, alice } = await engineeringOrg();
    await f.ssoOn(org);
    await put(org, key, { defaultRole: "Viewer", rules: [{ group: "Engineering", role: "Admin" }] }).expect(
      200,
    );
    expect((await f.userOf(alice.id)).role).toBe("Admin");
    return { org, key, alice };
  }

  test("when a rule change would leave no active Admin, then 409 would_remove_last_admin and nothing changes", async () => {
    const { org, key, alice } = await ssoOrgWithOneAdmin();
    const before = await f.roleEvents(org);

    const res = await put(org, key, { defaultRole: "Viewer", rules: [] }).expect(409);

    expect(res.body.code).toBe("would_remove_last_admin");
    expect((await f.userOf(alice.id)).role).toBe("Admin");
    expect(await t.db.prisma.roleMappingRule.count({ where: { orgId: org.id } })).toBe(1);
    expect((await f.roleEvents(org)).outbox).toHaveLength(before.outbox.length);
  });

  test("when the same change is forced, then it applies and the audit event says it was forced", async () => {
    const { org, key, alice } = await ssoOrgWithOneAdmin();

    const res = await put(org, key, { defaultRole: "Viewer", rules: [] }, "?force=true").expect(200);

    expect(res.body.byRole.Viewer).toBeGreaterThanOrEqual(1);
    expect((await f.userOf(alice.id)).role).toBe("Viewer");
    const audit = await t.db.prisma.auditEvent.findFirstOrThrow({
      where: { orgId: org.id, action: "role_mappings.updated" },
      orderBy: { seq: "desc" },
    });
    expect(audit.data).toMatchObject({ forced: true });
  });

  test("when another Admin remains, then the change needs no force", async () => {
    const { org, key, alice } = await ssoOrgWithOneAdmin();
    const ops = await f.group(org, "Ops");
    const other = await f.scimUser(org);
    await f.join(other, ops.id);

    await put(org, key, { defaultRole: "Viewer", rules: [{ group: "Ops", role: "Admin" }] }).expect(200);

    expect((await f.userOf(alice.id)).role).toBe("Viewer");
    expect((await f.userOf(other.id)).role).toBe("Admin");
  });
});

describe("POST /role-mappings/preview", () => {
  test("when a candidate rule set is previewed, then it answers the numbers and users and changes nothing", async () => {
    const { org, key, alice, bob } = await engineeringOrg();
    const rulesBefore = await t.db.prisma.roleMappingRule.findMany({ where: { orgId: org.id } });
    const events = await f.roleEvents(org);

    const res = await request(t.app)
      .post(url(org, "/preview"))
      .set("Authorization", `Bearer ${key}`)
      .send({
        defaultRole: "Viewer",
        rules: [
          { group: "0A1B2C3D-ENG", role: "Admin" },
          { group: "support desk", role: "Support" },
        ],
      })
      .expect(200);

    expect(res.body).toEqual({
      changed: 2,
      byRole: { Admin: 1, Support: 1, Viewer: 0, none: 0 },
      users: [
        { id: alice.id, email: alice.email, from: "Viewer", to: "Admin" },
        { id: bob.id, email: bob.email, from: "Viewer", to: "Support" },
      ].sort((a, b) => a.email.localeCompare(b.email)),
      wouldRemoveLastAdmin: false,
    });
    expect((await f.userOf(alice.id)).role).toBe("Viewer");
    expect(await t.db.prisma.roleMappingRule.findMany({ where: { orgId: org.id } })).toEqual(rulesBefore);
    expect((await f.roleEvents(org)).outbox).toHaveLength(events.outbox.length);
  });

  test("when more than 100 users would change, then the count is complete and the list holds the first 100 by email", async () => {
    const org = await t.given.org();
    const key = await t.given.apiKey(org);
    await t.db.prisma.user.createMany({
      data: Array.from({ length: 130 }, (_, i) => {
        const email = `u${String(i).padStart(3, "0")}@${org.slug}.test`;
        return {
          orgId: org.id,
          email,
          emailLower: email,
          userName: email,
          userNameLower: email,
          provisionedBy: "scim" as const,
        };
      }),
    });

    const res = await request(t.app)
      .post(url(org, "/preview"))
      .set("Authorization", `Bearer ${key}`)
      .send({ defaultRole: "Support", rules: [] })
      .expect(200);

    expect(res.body.changed).toBe(130);
    expect(res.body.byRole).toEqual({ Admin: 0, Support: 130, Viewer: 0, none: 0 });
    expect(res.body.users).toHaveLength(100);
    expect(res.body.users[0]).toMatchObject({ email: `u000@${org.slug}.test`, from: null, to: "Support" });
    expect(res.body.users[99].email).toBe(`u099@${org.slug}.test`);
    expect(await t.db.prisma.user.count({ where: { orgId: org.id, role: { not: null } } })).toBe(0);
  });

  test("when the candidate would remove the last Admin while SSO is on, then the preview says so", async () => {
    const { org, key } = await engineeringOrg();
    await f.ssoOn(org);
    await put(org, key, { defaultRole: "Viewer", rules: [{ group: "Engineering", role: "Admin" }] }).expect(
      200,
    );

    const res = await request(t.app)
      .post(url(org, "/preview"))
      .set("Authorization", `Bearer ${key}`)
      .send({ defaultRole: "Viewer", rules: [] })
      .expect(200);

    expect(res.body.wouldRemoveLastAdmin).toBe(true);
    expect(res.body.byRole.Viewer).toBeGreaterThanOrEqual(1);
  });
});
