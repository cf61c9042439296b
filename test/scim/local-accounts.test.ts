// Issue 14 item 5, SCIM over local accounts: through SCIM the last local Admin was deactivated,
// their email rewritten to attacker@evil.test, then deleted. A local account (invited here or
// made by `user create-admin`) is now invisible to SCIM until the first SCIM create naming its
// userName or email links it (audited); SCIM never rewrites the sign-in email of a user holding
// a password; `recover` keeps working for local accounts whatever SCIM did, and says why not
// for a linked account SCIM deactivated.
import request from "supertest";
import { createTestApp, type TestApp } from "../support/app";
import { runCommand } from "../../src/cli/commands";
import { hashPassword } from "../../src/auth/passwords";
import { newUser, patchBody, scimClient } from "./scim-client";
import { sessionCookieOf, submitForm } from "../support/forms";

let t: TestApp;
let passwordHash: string;
beforeAll(async () => {
  t = await createTestApp();
  passwordHash = await hashPassword("correct horse battery staple");
});
afterAll(() => t.close());

const login = (org: string, email: string) =>
  request(t.app).post("/auth/login").send({ org, email, password: "correct horse battery staple" });

describe("SCIM over local accounts", () => {
  test("when the local Admin was never linked, then SCIM cannot read, list, filter, change, group or delete them (404)", async () => {
    const c = await scimClient(t);
    const admin = await t.given.user(c.org, { role: "Admin", email: "it@acme.test", passwordHash });
    await c.get(`/Users/${admin.id}`).expect(404);
    await c
      .patch(`/Users/${admin.id}`, patchBody({ op: "replace", path: "active", value: false }))
      .expect(404);
    await c
      .patch(
        `/Users/${admin.id}`,
        patchBody({ op: "replace", path: 'emails[type eq "work"].value', value: "attacker@evil.test" }),
      )
      .expect(404);
    await c.put(`/Users/${admin.id}`, { ...newUser("attacker@evil.test"), id: admin.id }).expect(404);
    await c.del(`/Users/${admin.id}`).expect(404);
    const list = await c.get("/Users").expect(200);
    expect(list.body.totalResults).toBe(0);
    expect(list.body.Resources ?? []).toEqual([]);
    const byName = await c
      .get(`/Users?filter=${encodeURIComponent('userName eq "it@acme.test"')}`)
      .expect(200);
    expect(byName.body.totalResults).toBe(0);
    const byEmail = await c
      .get(`/Users?filter=${encodeURIComponent('emails.value eq "it@acme.test"')}`)
      .expect(200);
    expect(byEmail.body.totalResults).toBe(0);
    const group = await c
      .post("/Groups", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "Admins" })
      .expect(201);
    await c
      .patch(
        `/Groups/${group.body.id}`,
        patchBody({ op: "add", path: "members", value: [{ value: admin.id }] }),
      )
      .expect(400);
    expect(await t.db.prisma.groupMembership.count({ where: { userId: admin.id } })).toBe(0);
    const row = await t.db.prisma.user.findUniqueOrThrow({ where: { id: admin.id } });
    expect(row).toMatchObject({ status: "active", email: "it@acme.test", role: "Admin" });
    await login(c.org.slug, "it@acme.test").expect(200);
  });

  test("when the first SCIM create names a local account by email, then it links that account (201, the same id, audited) and later writes never rewrite its sign-in email", async () => {
    const c = await scimClient(t);
    const admin = await t.given.user(c.org, { role: "Admin", email: "ops@acme.test", passwordHash });
    const created = await c
      .post("/Users", {
        ...newUser("okta-ops"),
        emails: [{ value: "OPS@acme.test", type: "work", primary: true }],
        externalId: "00u1",
      })
      .expect(201);
    expect(created.body.id).toBe(admin.id);
    expect(created.body.userName).toBe("okta-ops");
    const audit = await t.db.prisma.auditEvent.findFirstOrThrow({
      where: { orgId: c.org.id, action: "user.scim_linked" },
    });
    expect(audit).toMatchObject({ actorType: "scim_token", targetId: admin.id });
    expect(audit.data).toMatchObject({ previouslyProvisionedBy: "invite" });
    let row = await t.db.prisma.user.findUniqueOrThrow({ where: { id: admin.id } });
    expect(row).toMatchObject({ provisionedBy: "scim", externalId: "00u1", email: "ops@acme.test" });

    await c
      .put(`/Users/${admin.id}`, {
        ...newUser("okta-ops"),
        emails: [{ value: "attacker@evil.test", type: "work", primary: true }],
      })
      .expect(200);
    await c
      .patch(
        `/Users/${admin.id}`,
        patchBody({ op: "replace", path: "userName", value: "attacker@evil.test" }),
      )
      .expect(200);
    row = await t.db.prisma.user.findUniqueOrThrow({ where: { id: admin.id } });
    expect(row.email).toBe("ops@acme.test");
    expect(row.emailLower).toBe("ops@acme.test");
    // The password still signs in with the email it was set for (SSO is off); nobody signs in as
    // the address SCIM sent.
    await login(c.org.slug, "ops@acme.test").expect(200);
    await login(c.org.slug, "attacker@evil.test").expect(401);
  });

  test("when SCIM deactivates every linked user, then recover still gives a working link for the local Admin SCIM never linked, and says clearly why not for a linked one", async () => {
    const c = await scimClient(t);
    const local = await t.given.user(c.org, { role: "Admin", email: "root@acme.test", passwordHash });
    const linked = await t.given.user(c.org, { role: "Admin", email: "linked@acme.test", passwordHash });
    await c.post("/Users", newUser("linked@acme.test")).expect(201);
    const other = (await c.post("/Users", newUser("someone@acme.test")).expect(201)).body.id as string;
    for (const id of [linked.id, other])
      await c.patch(`/Users/${id}`, patchBody({ op: "replace", path: "active", value: false })).expect(200);
    expect((await c.get("/Users").expect(200)).body.totalResults).toBe(2);

    const ok = await runCommand(t.services, {
      command: "recover",
      args: { org: c.org.slug, email: "root@acme.test" },
    });
    if (!ok.ok) throw new Error(ok.error.message);
    const url = new URL((ok.result as { url: string }).url).pathname;
    const signedIn = await submitForm(t.app, url);
    expect(signedIn.status).toBe(303);
    const cookie = sessionCookieOf(signedIn);
    const me = await request(t.app).get("/api/v1/me").set("Cookie", cookie).expect(200);
    expect(me.body).toMatchObject({ role: "Admin", user: { id: local.id } });

    const refused = await runCommand(t.services, {
      command: "recover",
      args: { org: c.org.slug, email: "linked@acme.test" },
    });
    expect(refused).toEqual({
      ok: false,
      error: {
        code: "not_found",
        message: expect.stringMatching(
          /the account is deactivated; their identity provider manages the account \(SCIM\): reactivate it there, or recover a local account/,
        ),
      },
    });
  });
});
