// POST /role-mappings/preview through HTTP: the numbers and first 100 users, nothing changed.
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

describe("POST /role-mappings/preview", () => {
  test("when a candidate rule set is previewed, then it answers the numbers and users and changes nothing", async () => {
    const { org, key, alice, bob } = await f.engineeringOrg();
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
    await t.given.users(
      org,
      Array.from({ length: 130 }, (_, i) => `u${String(i).padStart(3, "0")}@${org.slug}.test`),
    );

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
    const { org, key } = await f.engineeringOrg();
    await f.ssoOn(org);
    await f
      .put(org, key, { defaultRole: "Viewer", rules: [{ group: "Engineering", role: "Admin" }] })
      .expect(200);

    const res = await request(t.app)
      .post(url(org, "/preview"))
      .set("Authorization", `Bearer ${key}`)
      .send({ defaultRole: "Viewer", rules: [] })
      .expect(200);

    expect(res.body.wouldRemoveLastAdmin).toBe(true);
    expect(res.body.byRole.Viewer).toBeGreaterThanOrEqual(1);
  });
});
