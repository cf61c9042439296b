// PUT and GET /role-mappings through HTTP (contract section 6): roles, roleSource, events, validation.
import request from "supertest";
import { createTestApp, type TestApp } from "../support/app";
import { mappingsUrl as url, rolesFixtures } from "./fixtures";

let t: TestApp;
let f: ReturnType<typeof rolesFixtures>;
beforeAll(async () => {
  t = await createTestApp();
  f = rolesFixtures(t);
});
afterAll(() => t.close());

describe("PUT /role-mappings", () => {
  test("when the rules change, then roles and roleSource follow and exactly the changed users get events", async () => {
    const { org, key, alice, bob, carol, invited } = await f.engineeringOrg();
    const before = await f.roleEvents(org);
    expect(before.audit).toHaveLength(3);

    const res = await f
      .put(org, key, {
        defaultRole: "Viewer",
        rules: [
          { group: "engineering", role: "Admin" },
          { group: "Support Desk", role: "Support" },
          { group: "Nobody's group", role: "Admin" },
        ],
      })
      .expect(200);

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
    expect(fresh.map((e) => [e.subjectId, (e.payload as { role: string }).role]).sort()).toEqual(
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
    expect(fresh.find((e) => e.subjectId === alice.id)!.payload).toMatchObject({
      id: alice.id,
      email: alice.email,
      previousRole: "Viewer",
      role: "Admin",
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
    const { org, key } = await f.engineeringOrg();
    const body = { defaultRole: "Viewer", rules: [{ group: "Engineering", role: "Support" }] };
    await f.put(org, key, body).expect(200);
    const before = await f.roleEvents(org);

    const res = await f.put(org, key, body).expect(200);

    expect(res.body).toEqual({ changed: 0, byRole: { Admin: 0, Support: 0, Viewer: 0, none: 0 } });
    expect((await f.roleEvents(org)).outbox).toHaveLength(before.outbox.length);
  });

  test("when the default role becomes null, then users matching no rule lose access", async () => {
    const { org, key, alice, bob, carol } = await f.engineeringOrg();

    const res = await f
      .put(org, key, {
        defaultRole: null,
        rules: [{ group: "Engineering", role: "Viewer" }],
      })
      .expect(200);

    expect(res.body).toEqual({ changed: 2, byRole: { Admin: 0, Support: 0, Viewer: 0, none: 2 } });
    expect((await f.userOf(bob.id)).role).toBeNull();
    expect((await f.userOf(carol.id)).role).toBeNull();
    expect((await f.userOf(alice.id)).role).toBe("Viewer");
  });

  test("when the rules are read back, then GET answers them in order with the default role", async () => {
    const { org, key } = await f.engineeringOrg();
    const rules = [
      { group: "Zeta", role: "Viewer" },
      { group: "Alpha", role: "Admin" },
    ];
    await f.put(org, key, { defaultRole: "Support", rules }).expect(200);

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
    const { org, key } = await f.engineeringOrg();

    const res = await f.put(org, key, body).expect(400);

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
