// Issue 14 item 3: a deactivated invitee became an active Admin by accepting the invitation.
// Accepting refuses a user who is no longer `invited`, and a deactivation or block (by an
// admin or by the identity provider through SCIM) rescinds the user's pending invitations in
// the same change.
import request from "supertest";
import { createTestApp, type TestApp } from "../support/app";
import { newUser, patchBody, SCIM_JSON } from "../scim/scim-client";
import { invite, orgWithMembers, tokenOf } from "./helpers";
import { openForm } from "../support/forms";
import { CSRF_FIELD } from "../../src/http/csrf";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const accept = (url: string) =>
  request(t.app)
    .post(`/auth/invitations/${tokenOf(url)}/accept`)
    .send({ password: "correct horse battery staple" });

async function invitedAdmin(email: string) {
  const ctx = await orgWithMembers(t, { plan: "enterprise" });
  const [inv] = (await invite(t, ctx.base, ctx.admin.cookie, [{ email, role: "Admin" }]).expect(201)).body
    .invitations;
  return { ...ctx, inv: inv as { id: string; userId: string; invitationUrl: string } };
}

describe("a deactivated invitee becomes an active Admin", () => {
  test("when the invitee is deactivated before accepting, then the link answers 410 invitation_user_not_invited (an HTML page for the browser form) and the user stays deactivated without a session", async () => {
    const { inv } = await invitedAdmin("x@deactivated.test");
    // The invitee opened the form while still invited (the page gives its CSRF token).
    const formPath = `/auth/invitations/${tokenOf(inv.invitationUrl)}`;
    const form = await openForm(t.app, formPath);
    // Any path that takes the invitee out (SCIM, an admin, a script on the database) ends here.
    await t.db.prisma.user.update({ where: { id: inv.userId }, data: { status: "deactivated" } });
    const res = await accept(inv.invitationUrl).expect(410);
    expect(res.body).toMatchObject({ code: "gone", reason: "invitation_user_not_invited" });
    expect(res.headers["set-cookie"]).toBeUndefined();
    const page = await request(t.app)
      .post(`${formPath}/accept`)
      .set("Cookie", form.cookie)
      .type("form")
      .send({ password: "correct horse battery staple", [CSRF_FIELD]: form.token })
      .expect(410);
    expect(page.headers["content-type"]).toMatch(/text\/html/);
    expect(page.text).toMatch(/the account is deactivated/);
    await request(t.app)
      .get(`/auth/invitations/${tokenOf(inv.invitationUrl)}`)
      .expect(410);
    const user = await t.db.prisma.user.findUniqueOrThrow({ where: { id: inv.userId } });
    expect(user).toMatchObject({ status: "deactivated", passwordHash: null });
    expect(await t.db.prisma.session.count({ where: { userId: inv.userId } })).toBe(0);
  });

  test("when the identity provider takes over the invitee (a SCIM create links them) and deactivates them through SCIM, then the pending invitation is rescinded and accepting it answers 410", async () => {
    const { org, inv } = await invitedAdmin("y@deactivated.test");
    const token = await t.given.scimToken(org);
    const scim = (r: request.Test) =>
      r.set("Authorization", `Bearer ${token}`).set("Content-Type", SCIM_JSON);
    const created = await scim(request(t.app).post(`/scim/v2/${org.slug}/Users`))
      .send(JSON.stringify(newUser("y@deactivated.test")))
      .expect(201);
    expect(created.body.id).toBe(inv.userId);
    await scim(request(t.app).patch(`/scim/v2/${org.slug}/Users/${inv.userId}`))
      .send(JSON.stringify(patchBody({ op: "replace", path: "active", value: false })))
      .expect(200);
    const row = await t.db.prisma.invitation.findUniqueOrThrow({ where: { id: inv.id } });
    expect(row.rescindedAt).not.toBeNull();
    expect((await accept(inv.invitationUrl).expect(410)).body.reason).toBe("invitation_user_not_invited");
    const read = await scim(request(t.app).get(`/scim/v2/${org.slug}/Users/${inv.userId}`)).expect(200);
    expect(read.body.active).toBe(false);
    const user = await t.db.prisma.user.findUniqueOrThrow({ where: { id: inv.userId } });
    expect(user.status).toBe("deactivated");
  });

  test("when an admin deactivates or blocks a user who still has a pending invitation, then the invitation is rescinded: no longer listed, and its link answers 410", async () => {
    for (const action of ["deactivate", "block"] as const) {
      const { base, admin, inv } = await invitedAdmin(`${action}@deactivated.test`);
      // An invitee who signed in through SSO is active while their invitation is still pending.
      await t.db.prisma.user.update({ where: { id: inv.userId }, data: { status: "active" } });
      await request(t.app)
        .post(`${base}/users/${inv.userId}/${action}`)
        .set("Cookie", admin.cookie)
        .expect(200);
      const list = await request(t.app).get(`${base}/invitations`).set("Cookie", admin.cookie).expect(200);
      expect(list.body.data.map((i: { id: string }) => i.id)).not.toContain(inv.id);
      expect((await accept(inv.invitationUrl).expect(410)).body.reason).toBe("invitation_user_not_invited");
      const user = await t.db.prisma.user.findUniqueOrThrow({ where: { id: inv.userId } });
      expect(user.status).toBe(action === "block" ? "blocked" : "deactivated");
    }
  });
});
