import request from "supertest";
import { createTestApp, type TestApp } from "../support/app";
import { orgWithMembers } from "./helpers";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe("who may manage users", () => {
  test("when Support or Viewer call any users or invitations route, then each answers 403 forbidden and nothing changes", async () => {
    const { org, admin, support, viewer, base } = await orgWithMembers(t);
    const target = admin.user.id;
    const routes: [string, string, object?][] = [
      ["get", `${base}/users`],
      ["get", `${base}/users/${target}`],
      ["patch", `${base}/users/${target}`, { firstName: "X" }],
      ["delete", `${base}/users/${target}`, { confirm: admin.user.email }],
      ...["deactivate", "reactivate", "block", "unblock", "reset-mfa"].map(
        (a) => ["post", `${base}/users/${target}/${a}`] as [string, string],
      ),
      ["get", `${base}/invitations`],
      ["post", `${base}/invitations`, { invitations: [{ email: "x@example.test", role: "Viewer" }] }],
      ["post", `${base}/invitations/${target}/resend`],
      ["delete", `${base}/invitations/${target}`],
    ];
    const before = await t.db.prisma.user.findMany({ where: { orgId: org.id }, orderBy: { id: "asc" } });
    for (const member of [support, viewer]) {
      for (const [method, path, body] of routes) {
        const req = (request(t.app) as any)[method](path).set("Cookie", member.cookie);
        const res = await (body ? req.send(body) : req);
        expect([method, path, res.status, res.body.code]).toEqual([method, path, 403, "forbidden"]);
      }
    }
    expect(await t.db.prisma.user.findMany({ where: { orgId: org.id }, orderBy: { id: "asc" } })).toEqual(
      before,
    );
  });

  test("when an Admin of another organization asks for this organization's users, then 403 without details", async () => {
    const { base } = await orgWithMembers(t);
    const other = await orgWithMembers(t);
    const res = await request(t.app).get(`${base}/users`).set("Cookie", other.admin.cookie).expect(403);
    expect(res.body.code).toBe("forbidden");
  });

  test("when an Admin asks for a user id of another organization, then 404", async () => {
    const { base, admin } = await orgWithMembers(t);
    const other = await orgWithMembers(t);
    const res = await request(t.app).get(`${base}/users/${other.viewer.user.id}`).set("Cookie", admin.cookie);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe("not_found");
  });
});

describe("listing and reading users", () => {
  test("when filtering by role, status and q, then only matching users are listed", async () => {
    const { org, admin, base } = await orgWithMembers(t);
    await t.given.user(org, {
      email: "grace.hopper@example.test",
      firstName: "Grace",
      role: "Support",
      status: "blocked",
    });
    const get = (q: string) =>
      request(t.app).get(`${base}/users?${q}`).set("Cookie", admin.cookie).expect(200);
    expect((await get("role=Admin")).body.data.map((u: any) => u.email)).toEqual([admin.user.email]);
    expect((await get("status=blocked")).body.data.map((u: any) => u.email)).toEqual([
      "grace.hopper@example.test",
    ]);
    expect((await get("q=GRACE")).body.data.map((u: any) => u.firstName)).toEqual(["Grace"]);
    expect((await get("role=Support&status=active")).body.data).toHaveLength(1);
    const bad = await request(t.app).get(`${base}/users?role=Owner`).set("Cookie", admin.cookie).expect(400);
    expect(bad.body.errors[0].field).toBe("role");
  });

  test("when listing with limit 2, then the cursor walks every user once", async () => {
    const { org, admin, base } = await orgWithMembers(t);
    await t.given.user(org);
    await t.given.user(org);
    const seen: string[] = [];
    let cursor: string | null = "";
    while (cursor !== null) {
      const res: request.Response = await request(t.app)
        .get(`${base}/users?limit=2${cursor ? `&cursor=${cursor}` : ""}`)
        .set("Cookie", admin.cookie)
        .expect(200);
      expect(res.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.data.map((u: any) => u.id));
      cursor = res.body.nextCursor;
    }
    const all = await t.db.prisma.user.findMany({ where: { orgId: org.id } });
    expect(seen.sort()).toEqual(all.map((u) => u.id).sort());
  });

  test("when reading one user, then the contract's user object comes with groups and roleSource", async () => {
    const { org, admin, base } = await orgWithMembers(t);
    const group = await t.given.group(org, "Billing", { source: "manual", members: [admin.user.id] });
    const res = await request(t.app)
      .get(`${base}/users/${admin.user.id}`)
      .set("Cookie", admin.cookie)
      .expect(200);
    expect(res.body).toMatchObject({
      id: admin.user.id,
      email: admin.user.email,
      firstName: "Ada",
      status: "active",
      role: "Admin",
      roleSource: { kind: "manual", rules: [] },
      groups: [{ id: group.id, displayName: "Billing", source: "manual" }],
      provisionedBy: "invite",
    });
    expect(Object.keys(res.body).sort()).toEqual(
      [
        "id",
        "email",
        "firstName",
        "lastName",
        "avatarUrl",
        "status",
        "role",
        "roleSource",
        "groups",
        "provisionedBy",
        "lastSignInAt",
        "createdAt",
      ].sort(),
    );
  });
});
