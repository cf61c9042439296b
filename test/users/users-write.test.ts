import request from "supertest";
import { createTestApp, type TestApp } from "../support/app";
import { orgWithMembers } from "./helpers";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const outboxOf = (orgId: string, type: string, subjectId: string) =>
  t.db.prisma.outboxEvent.findMany({ where: { orgId, type, subjectId } });
const auditOf = (orgId: string, action: string, targetId: string) =>
  t.db.prisma.auditEvent.findMany({ where: { orgId, action, targetId } });

describe("editing a user", () => {
  test("when an Admin changes names and avatar, then the user, an audit event and a user.updated event change together", async () => {
    const { org, admin, viewer, base } = await orgWithMembers(t);
    const res = await request(t.app)
      .patch(`${base}/users/${viewer.user.id}`)
      .set("Cookie", admin.cookie)
      .send({ firstName: "Linus", lastName: "Viewer", avatarUrl: "https://img.example.test/l.png" })
      .expect(200);
    expect(res.body).toMatchObject({
      firstName: "Linus",
      lastName: "Viewer",
      avatarUrl: "https://img.example.test/l.png",
    });
    expect(await auditOf(org.id, "user.updated", viewer.user.id)).toHaveLength(1);
    const [event] = await outboxOf(org.id, "user.updated", viewer.user.id);
    expect(event?.payload).toMatchObject({ id: viewer.user.id, firstName: "Linus" });
  });

  test("when the avatar is not an http(s) URL, then 400 names the field and nothing changes", async () => {
    const { admin, viewer, base } = await orgWithMembers(t);
    const res = await request(t.app)
      .patch(`${base}/users/${viewer.user.id}`)
      .set("Cookie", admin.cookie)
      .send({ avatarUrl: "javascript:alert(1)" })
      .expect(400);
    expect(res.body.errors.map((e: any) => e.field)).toEqual(["avatarUrl"]);
    expect(
      (await t.db.prisma.user.findUniqueOrThrow({ where: { id: viewer.user.id } })).avatarUrl,
    ).toBeNull();
  });

  test("when an Admin promotes a Viewer to Support, then role and assignedRole change and user.role_changed is emitted", async () => {
    const { org, admin, viewer, base } = await orgWithMembers(t);
    const res = await request(t.app)
      .patch(`${base}/users/${viewer.user.id}`)
      .set("Cookie", admin.cookie)
      .send({ role: "Support" })
      .expect(200);
    expect(res.body.role).toBe("Support");
    expect(res.body.roleSource.kind).toBe("manual");
    const row = await t.db.prisma.user.findUniqueOrThrow({ where: { id: viewer.user.id } });
    expect([row.role, row.assignedRole]).toEqual(["Support", "Support"]);
    const [event] = await outboxOf(org.id, "user.role_changed", viewer.user.id);
    expect(event?.payload).toMatchObject({ id: viewer.user.id, role: "Support", previousRole: "Viewer" });
  });

  test("when an Admin sets the role of a SCIM-provisioned user, then 409 says the role comes from the IdP mapping", async () => {
    const { org, admin, base } = await orgWithMembers(t);
    const scimUser = await t.given.user(org, { provisionedBy: "scim", manualRole: false, role: "Viewer" });
    const res = await request(t.app)
      .patch(`${base}/users/${scimUser.id}`)
      .set("Cookie", admin.cookie)
      .send({ role: "Admin" })
      .expect(409);
    expect(res.body.reason).toBe("role_from_idp");
    expect(res.body.detail).toMatch(/role mapping/);
    expect((await t.db.prisma.user.findUniqueOrThrow({ where: { id: scimUser.id } })).role).toBe("Viewer");
  });
});

describe("the last active Admin", () => {
  test.each([
    ["demote", "patch", "", { role: "Viewer" }],
    ["deactivate", "post", "/deactivate", undefined],
    ["block", "post", "/block", undefined],
    ["delete", "delete", "", "confirm"],
  ])(
    "when an Admin tries to %s the only active Admin, then 409 last_admin and nothing changes",
    async (_name, method, suffix, body) => {
      const { org, admin, base } = await orgWithMembers(t);
      const agent = request(t.app) as any;
      const req = agent[method](`${base}/users/${admin.user.id}${suffix}`).set("Cookie", admin.cookie);
      const res = await req.send(body === "confirm" ? { confirm: admin.user.email } : (body ?? {}));
      expect(res.status).toBe(409);
      expect(res.body.code).toBe("last_admin");
      const row = await t.db.prisma.user.findUniqueOrThrow({ where: { id: admin.user.id } });
      expect([row.role, row.status]).toEqual(["Admin", "active"]);
      expect(await t.db.prisma.user.count({ where: { orgId: org.id } })).toBe(3);
    },
  );

  test("when another Admin is deactivated, then the only active Admin is still protected; with a second active Admin, demotion works", async () => {
    const { org, admin, base } = await orgWithMembers(t);
    const second = await t.given.member(org, "Admin");
    await request(t.app)
      .post(`${base}/users/${second.user.id}/deactivate`)
      .set("Cookie", admin.cookie)
      .expect(200);
    const refused = await request(t.app)
      .patch(`${base}/users/${admin.user.id}`)
      .set("Cookie", admin.cookie)
      .send({ role: "Support" })
      .expect(409);
    expect(refused.body.code).toBe("last_admin");
    await request(t.app)
      .post(`${base}/users/${second.user.id}/reactivate`)
      .set("Cookie", admin.cookie)
      .expect(200);
    const ok = await request(t.app)
      .patch(`${base}/users/${admin.user.id}`)
      .set("Cookie", admin.cookie)
      .send({ role: "Support" })
      .expect(200);
    expect(ok.body.role).toBe("Support");
  });
});

describe("lifecycle actions", () => {
  test("when an Admin deactivates a user, then their sessions end, status is deactivated and audit and user.deactivated are written; reactivate restores", async () => {
    const { org, admin, viewer, base } = await orgWithMembers(t);
    await request(t.app).get("/api/v1/me").set("Cookie", viewer.cookie).expect(200);
    const res = await request(t.app)
      .post(`${base}/users/${viewer.user.id}/deactivate`)
      .set("Cookie", admin.cookie)
      .expect(200);
    expect(res.body.status).toBe("deactivated");
    await request(t.app).get("/api/v1/me").set("Cookie", viewer.cookie).expect(401);
    expect(await t.db.prisma.session.count({ where: { userId: viewer.user.id, revokedAt: null } })).toBe(0);
    expect(await auditOf(org.id, "user.deactivated", viewer.user.id)).toHaveLength(1);
    expect(await outboxOf(org.id, "user.deactivated", viewer.user.id)).toHaveLength(1);
    const back = await request(t.app)
      .post(`${base}/users/${viewer.user.id}/reactivate`)
      .set("Cookie", admin.cookie)
      .expect(200);
    expect(back.body.status).toBe("active");
    expect(await auditOf(org.id, "user.reactivated", viewer.user.id)).toHaveLength(1);
  });

  test("when a deactivated user still holds a session (a sign-in that raced the deactivation), then reactivation ends it", async () => {
    const { admin, viewer, base } = await orgWithMembers(t);
    await request(t.app)
      .post(`${base}/users/${viewer.user.id}/deactivate`)
      .set("Cookie", admin.cookie)
      .expect(200);
    const leftover = await t.given.session(viewer.user, "saml");
    await request(t.app)
      .post(`${base}/users/${viewer.user.id}/reactivate`)
      .set("Cookie", admin.cookie)
      .expect(200);
    await request(t.app).get("/api/v1/me").set("Cookie", leftover).expect(401);
    expect(await t.db.prisma.session.count({ where: { userId: viewer.user.id, revokedAt: null } })).toBe(0);
  });

  test("when an Admin blocks and unblocks a user, then sessions end on block, and the role and groups are kept", async () => {
    const { org, admin, support, base } = await orgWithMembers(t);
    const blocked = await request(t.app)
      .post(`${base}/users/${support.user.id}/block`)
      .set("Cookie", admin.cookie)
      .expect(200);
    expect([blocked.body.status, blocked.body.role]).toEqual(["blocked", "Support"]);
    await request(t.app).get("/api/v1/me").set("Cookie", support.cookie).expect(401);
    const again = await request(t.app)
      .post(`${base}/users/${support.user.id}/block`)
      .set("Cookie", admin.cookie)
      .expect(409);
    expect(again.body.status).toBe("blocked");
    const unblocked = await request(t.app)
      .post(`${base}/users/${support.user.id}/unblock`)
      .set("Cookie", admin.cookie)
      .expect(200);
    expect([unblocked.body.status, unblocked.body.role]).toEqual(["active", "Support"]);
    expect(await auditOf(org.id, "user.blocked", support.user.id)).toHaveLength(1);
    expect(await auditOf(org.id, "user.unblocked", support.user.id)).toHaveLength(1);
    expect(
      await t.db.prisma.outboxEvent.count({ where: { orgId: org.id, subjectId: support.user.id } }),
    ).toBe(2);
  });

  test("when an Admin resets a user's MFA, then the TOTP secret and recovery codes are gone and their sessions end", async () => {
    const { org, admin, viewer, base } = await orgWithMembers(t);
    await t.db.prisma.user.update({
      where: { id: viewer.user.id },
      data: {
        totpSecret: t.services.cipher.encrypt("JBSWY3DPEHPK3PXP"),
        totpEnabledAt: new Date(),
        recoveryCodes: ["x"],
      },
    });
    await request(t.app)
      .post(`${base}/users/${viewer.user.id}/reset-mfa`)
      .set("Cookie", admin.cookie)
      .expect(200);
    const row = await t.db.prisma.user.findUniqueOrThrow({ where: { id: viewer.user.id } });
    expect([row.totpSecret, row.totpEnabledAt, row.recoveryCodes]).toEqual([null, null, []]);
    await request(t.app).get("/api/v1/me").set("Cookie", viewer.cookie).expect(401);
    expect(await auditOf(org.id, "user.mfa_reset", viewer.user.id)).toHaveLength(1);
  });

  test("when an invited user is deactivated, then 409 points to the invitation instead", async () => {
    const { org, admin, base } = await orgWithMembers(t);
    const invited = await t.given.user(org, { status: "invited" });
    const res = await request(t.app)
      .post(`${base}/users/${invited.id}/deactivate`)
      .set("Cookie", admin.cookie)
      .expect(409);
    expect(res.body.detail).toMatch(/invitation/);
  });
});

describe("deleting a user", () => {
  test("when the confirmation is not the user's email, then 400 and the user stays", async () => {
    const { admin, viewer, base } = await orgWithMembers(t);
    for (const body of [{}, { confirm: "someone-else@example.test" }]) {
      const res = await request(t.app)
        .delete(`${base}/users/${viewer.user.id}`)
        .set("Cookie", admin.cookie)
        .send(body)
        .expect(400);
      expect(res.body.errors[0].field).toBe("confirm");
    }
    expect(await t.db.prisma.user.count({ where: { id: viewer.user.id } })).toBe(1);
  });

  test("when the confirmation matches (any letter case), then the user, their sessions and memberships go and user.deleted is emitted", async () => {
    const { org, admin, viewer, base } = await orgWithMembers(t);
    await request(t.app)
      .delete(`${base}/users/${viewer.user.id}`)
      .set("Cookie", admin.cookie)
      .send({ confirm: viewer.user.email.toUpperCase() })
      .expect(204);
    expect(await t.db.prisma.user.count({ where: { id: viewer.user.id } })).toBe(0);
    expect(await t.db.prisma.session.count({ where: { userId: viewer.user.id } })).toBe(0);
    await request(t.app).get("/api/v1/me").set("Cookie", viewer.cookie).expect(401);
    expect(await auditOf(org.id, "user.deleted", viewer.user.id)).toHaveLength(1);
    const [event] = await outboxOf(org.id, "user.deleted", viewer.user.id);
    expect(event?.payload).toMatchObject({ email: viewer.user.email });
    await request(t.app).get(`${base}/users/${viewer.user.id}`).set("Cookie", admin.cookie).expect(404);
  });
});
