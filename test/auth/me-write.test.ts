import request from "supertest";
import { createTestApp, type TestApp } from "../support/app";
import { login, PASSWORD, userWithPassword } from "./helpers";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe("PATCH /api/v1/me", () => {
  test("when a Viewer edits their own names and avatar, then they change with an audit and a user.updated event", async () => {
    const org = await t.given.org();
    const { user, cookie } = await t.given.member(org, "Viewer");
    const res = await request(t.app)
      .patch("/api/v1/me")
      .set("Cookie", cookie)
      .send({ firstName: "Grace", lastName: "Hopper", avatarUrl: "https://img.example.test/g.png" })
      .expect(200);
    expect(res.body).toMatchObject({ id: user.id, firstName: "Grace", lastName: "Hopper", role: "Viewer" });
    expect(
      await t.db.prisma.auditEvent.count({
        where: { orgId: org.id, action: "user.updated", targetId: user.id },
      }),
    ).toBe(1);
    expect(
      await t.db.prisma.outboxEvent.count({
        where: { orgId: org.id, type: "user.updated", subjectId: user.id },
      }),
    ).toBe(1);
  });

  test("when the body tries to change the role or status, then 400 and nothing changes", async () => {
    const org = await t.given.org();
    const { user, cookie } = await t.given.member(org, "Viewer");
    const res = await request(t.app)
      .patch("/api/v1/me")
      .set("Cookie", cookie)
      .send({ role: "Admin" })
      .expect(400);
    expect(res.body.code).toBe("validation_failed");
    expect((await t.db.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).role).toBe("Viewer");
  });

  test("when an API key calls it, then 403: a key has no profile", async () => {
    const org = await t.given.org();
    const key = await t.given.apiKey(org);
    const res = await request(t.app)
      .patch("/api/v1/me")
      .set("Authorization", `Bearer ${key}`)
      .send({ firstName: "X" })
      .expect(403);
    expect(res.body.code).toBe("forbidden");
  });
});

describe("POST /api/v1/me/password", () => {
  test("when the current password is wrong, then 400 names it and the password stays", async () => {
    const org = await t.given.org();
    const user = await userWithPassword(t, org);
    const { cookie } = await login(t, { org: org.slug, email: user.email, password: PASSWORD });
    const res = await request(t.app)
      .post("/api/v1/me/password")
      .set("Cookie", cookie!)
      .send({ currentPassword: "not it", newPassword: "a brand new password" })
      .expect(400);
    expect(res.body.errors[0].field).toBe("currentPassword");
    expect((await login(t, { org: org.slug, email: user.email, password: PASSWORD })).res.status).toBe(200);
  });

  test("when the change succeeds, then the new password signs in, the old one not, and the user's other sessions end", async () => {
    const org = await t.given.org();
    const user = await userWithPassword(t, org);
    const here = await login(t, { org: org.slug, email: user.email, password: PASSWORD });
    const elsewhere = await login(t, { org: org.slug, email: user.email, password: PASSWORD });
    await request(t.app)
      .post("/api/v1/me/password")
      .set("Cookie", here.cookie!)
      .send({ currentPassword: PASSWORD, newPassword: "a brand new password" })
      .expect(204);
    await request(t.app).get("/api/v1/me").set("Cookie", here.cookie!).expect(200);
    await request(t.app).get("/api/v1/me").set("Cookie", elsewhere.cookie!).expect(401);
    expect((await login(t, { org: org.slug, email: user.email, password: PASSWORD })).res.status).toBe(401);
    expect(
      (await login(t, { org: org.slug, email: user.email, password: "a brand new password" })).res.status,
    ).toBe(200);
    expect(
      await t.db.prisma.auditEvent.count({ where: { orgId: org.id, action: "user.password_changed" } }),
    ).toBe(1);
    const logged = t.rawLogs.join("");
    expect(logged).not.toContain("a brand new password");
    expect(logged).not.toContain(PASSWORD);
  });

  test("when the new password is too short, then 400 names newPassword", async () => {
    const org = await t.given.org();
    const user = await userWithPassword(t, org);
    const { cookie } = await login(t, { org: org.slug, email: user.email, password: PASSWORD });
    const res = await request(t.app)
      .post("/api/v1/me/password")
      .set("Cookie", cookie!)
      .send({ currentPassword: PASSWORD, newPassword: "short" })
      .expect(400);
    expect(res.body.errors[0].field).toBe("newPassword");
  });
});
