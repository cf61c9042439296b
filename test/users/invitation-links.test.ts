import request from "supertest";
import { createTestApp, type TestApp } from "../support/app";
import { movableClock, orgWithMembers, invite as inviteAs, tokenOf } from "./helpers";
import { openForm } from "../support/forms";

const clock = movableClock(new Date("2026-03-02T09:00:00Z"));
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({}, { clock: clock.now });
});
afterAll(() => t.close());

const invite = (base: string, cookie: string, invitations: object[]) =>
  inviteAs(t, base, cookie, invitations);

describe("invitation links", () => {
  test("when the invitee opens the link and sets a password, then they are active and signed in with a safe cookie; the link then answers 410", async () => {
    const { org, admin, base } = await orgWithMembers(t);
    const [inv] = (await invite(base, admin.cookie, [{ email: "new@example.test", role: "Support" }])).body
      .invitations;
    const page = await request(t.app)
      .get(`/auth/invitations/${tokenOf(inv.invitationUrl)}`)
      .expect(200);
    expect(page.headers["content-type"]).toMatch(/text\/html/);
    expect(page.text).toContain("new@example.test");
    expect(page.text).toContain(`action="/auth/invitations/${tokenOf(inv.invitationUrl)}/accept"`);
    const res = await request(t.app)
      .post(`/auth/invitations/${tokenOf(inv.invitationUrl)}/accept`)
      .send({ password: "correct horse battery staple" })
      .expect(200);
    expect(res.body.stage).toBe("full");
    const cookie = res.headers["set-cookie"]![0]!;
    expect(cookie).toMatch(/^sso_bridge_session=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/);
    const me = await request(t.app).get("/api/v1/me").set("Cookie", cookie.split(";")[0]!).expect(200);
    expect(me.body.user).toMatchObject({ email: "new@example.test", status: "active", role: "Support" });
    const row = await t.db.prisma.user.findFirstOrThrow({
      where: { orgId: org.id, emailLower: "new@example.test" },
    });
    expect(row.passwordHash).toMatch(/^scrypt\$/);
    const again = await request(t.app)
      .get(`/auth/invitations/${tokenOf(inv.invitationUrl)}`)
      .expect(410);
    expect(again.text).toMatch(/already accepted/);
    const replay = await request(t.app)
      .post(`/auth/invitations/${tokenOf(inv.invitationUrl)}/accept`)
      .send({ password: "another long password" })
      .expect(410);
    expect(replay.body.reason).toBe("invitation_used");
    const requestLines = t.logs.filter((l) => l.message === "request").map((l) => String(l.path));
    expect(requestLines).toContain("/auth/invitations/:token/accept");
    expect(requestLines.some((p) => p.includes(tokenOf(inv.invitationUrl)))).toBe(false);
  });

  test("when the password is too short, then 400 names the field and the invitation stays pending", async () => {
    const { admin, base } = await orgWithMembers(t);
    const [inv] = (await invite(base, admin.cookie, [{ email: "short@example.test", role: "Viewer" }])).body
      .invitations;
    const res = await request(t.app)
      .post(`/auth/invitations/${tokenOf(inv.invitationUrl)}/accept`)
      .send({ password: "short" })
      .expect(400);
    expect(res.body.errors[0].field).toBe("password");
    await request(t.app)
      .get(`/auth/invitations/${tokenOf(inv.invitationUrl)}`)
      .expect(200);
  });

  test("when the form is posted by a browser, then it is redirected to the portal with the cookie set", async () => {
    const { admin, base } = await orgWithMembers(t);
    const [inv] = (await invite(base, admin.cookie, [{ email: "form@example.test", role: "Viewer" }])).body
      .invitations;
    const form = await openForm(t.app, `/auth/invitations/${tokenOf(inv.invitationUrl)}`);
    const res = await request(t.app)
      .post(`/auth/invitations/${tokenOf(inv.invitationUrl)}/accept`)
      .set("Cookie", form.cookie)
      .type("form")
      .send({ _csrf: form.token, password: "a long enough password" })
      .expect(303);
    expect(res.headers.location).toBe("/");
    expect(res.headers["set-cookie"]![0]).toMatch(/^sso_bridge_session=/);
  });

  test("when 72 hours have passed, then the link answers 410 with a page saying it expired", async () => {
    const { admin, base } = await orgWithMembers(t);
    const [inv] = (await invite(base, admin.cookie, [{ email: "late@example.test", role: "Viewer" }])).body
      .invitations;
    clock.advance(72 * 3600_000 - 1000);
    await request(t.app)
      .get(`/auth/invitations/${tokenOf(inv.invitationUrl)}`)
      .expect(200);
    clock.advance(1000);
    const page = await request(t.app)
      .get(`/auth/invitations/${tokenOf(inv.invitationUrl)}`)
      .expect(410);
    expect(page.headers["content-type"]).toMatch(/text\/html/);
    expect(page.text).toMatch(/expired/);
    const res = await request(t.app)
      .post(`/auth/invitations/${tokenOf(inv.invitationUrl)}/accept`)
      .send({ password: "a long enough password" })
      .expect(410);
    expect(res.body.reason).toBe("invitation_expired");
    const fresh = await t.given.session(admin.user);
    const list = await request(t.app)
      .get(`${base}/invitations?status=expired`)
      .set("Cookie", fresh)
      .expect(200);
    expect(list.body.data.map((i: any) => i.email)).toEqual(["late@example.test"]);
  });

  test("when the organization sets a 2-hour expiry, then new links expire after 2 hours", async () => {
    const { admin, base } = await orgWithMembers(t);
    await request(t.app)
      .patch(`${base}/settings`)
      .set("Cookie", admin.cookie)
      .send({ invitationTtlHours: 2 })
      .expect(200);
    const [inv] = (await invite(base, admin.cookie, [{ email: "ttl@example.test", role: "Viewer" }])).body
      .invitations;
    expect(new Date(inv.expiresAt).getTime() - clock.now().getTime()).toBe(2 * 3600_000);
    clock.advance(2 * 3600_000);
    await request(t.app)
      .get(`/auth/invitations/${tokenOf(inv.invitationUrl)}`)
      .expect(410);
  });

  test("when an invitation is resent, then the old link answers 410 as replaced and the new one works", async () => {
    const { org, admin, base } = await orgWithMembers(t);
    const [inv] = (await invite(base, admin.cookie, [{ email: "resend@example.test", role: "Viewer" }])).body
      .invitations;
    clock.advance(80 * 3600_000);
    const cookie = await t.given.session(admin.user);
    const res = await request(t.app)
      .post(`${base}/invitations/${inv.id}/resend`)
      .set("Cookie", cookie)
      .expect(200);
    expect(res.body.id).not.toBe(inv.id);
    expect(res.body.invitationUrl).not.toBe(inv.invitationUrl);
    const old = await request(t.app)
      .post(`/auth/invitations/${tokenOf(inv.invitationUrl)}/accept`)
      .send({ password: "a long enough password" })
      .expect(410);
    expect(old.body.reason).toBe("invitation_replaced");
    await request(t.app)
      .post(`/auth/invitations/${tokenOf(res.body.invitationUrl)}/accept`)
      .send({ password: "a long enough password" })
      .expect(200);
    expect(
      await t.db.prisma.auditEvent.count({ where: { orgId: org.id, action: "invitation.resent" } }),
    ).toBe(1);
    const stale = await request(t.app)
      .post(`${base}/invitations/${inv.id}/resend`)
      .set("Cookie", cookie)
      .expect(409);
    expect(stale.body.code).toBe("conflict");
  });

  test("when an invitation is rescinded, then its link answers 410, the invited user is gone and the seat is free again", async () => {
    const { org, admin, base } = await orgWithMembers(t, { plan: "team", seatLimit: 4 });
    const [inv] = (await invite(base, admin.cookie, [{ email: "gone@example.test", role: "Viewer" }])).body
      .invitations;
    expect((await invite(base, admin.cookie, [{ email: "x@example.test", role: "Viewer" }])).status).toBe(
      409,
    );
    await request(t.app).delete(`${base}/invitations/${inv.id}`).set("Cookie", admin.cookie).expect(204);
    const page = await request(t.app)
      .get(`/auth/invitations/${tokenOf(inv.invitationUrl)}`)
      .expect(410);
    expect(page.text).toMatch(/no longer valid/);
    expect(await t.db.prisma.user.count({ where: { orgId: org.id, emailLower: "gone@example.test" } })).toBe(
      0,
    );
    expect(await t.db.prisma.outboxEvent.count({ where: { orgId: org.id, type: "user.deleted" } })).toBe(1);
    expect(
      await t.db.prisma.auditEvent.count({ where: { orgId: org.id, action: "invitation.rescinded" } }),
    ).toBe(1);
    expect((await invite(base, admin.cookie, [{ email: "x@example.test", role: "Viewer" }])).status).toBe(
      201,
    );
  });

  test("when a link is not one we issued, then 410 with a readable page", async () => {
    const res = await request(t.app)
      .get(`/auth/invitations/${"A".repeat(43)}`)
      .expect(410);
    expect(res.text).toMatch(/no longer valid/);
    expect(res.text).toMatch(/Request id/);
  });
});
