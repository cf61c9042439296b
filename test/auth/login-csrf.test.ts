// Login CSRF (issue 14, item 4): a page of another site that posts the attacker's credentials
// to /auth/login would sign the victim's browser in to the attacker's account, and whatever
// the victim then types or uploads lands there. It needs no victim cookie, so the Origin
// check applies to sign-in without one, and our sign-in form carries a CSRF token.
import request from "supertest";
import { createTestApp, type TestApp } from "../support/app";
import { openForm, type OpenedForm } from "../support/forms";
import { tokenOf } from "../users/helpers";
import { PASSWORD, userWithPassword } from "./helpers";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const EVIL = "http://evil.test";
const OURS = "http://sso.test";

async function attacker() {
  const org = await t.given.org();
  const user = await userWithPassword(t, org, { role: "Admin" });
  return { org, user, credentials: { org: org.slug, email: user.email, password: PASSWORD } };
}

/** A browser that opened one of our pages holds a CSRF cookie and its token (any page's will do). */
async function browserForm(): Promise<OpenedForm> {
  const org = await t.given.org();
  const key = await t.given.apiKey(org);
  const res = await request(t.app)
    .post(`/api/v1/orgs/${org.slug}/invitations`)
    .set("Authorization", `Bearer ${key}`)
    .send({ invitations: [{ email: "someone@form.test", role: "Viewer" }] })
    .expect(201);
  return openForm(t.app, `/auth/invitations/${tokenOf(res.body.invitations[0].invitationUrl)}`);
}

const sessionCookieOf = (res: request.Response) =>
  ((res.headers["set-cookie"] as unknown as string[] | undefined) ?? []).find((c) =>
    c.startsWith("sso_bridge_session="),
  );

const sessionsOf = (userId: string) => t.db.prisma.session.count({ where: { userId } });

describe("login CSRF", () => {
  test("when another site's form posts the attacker's credentials to /auth/login, then 403 csrf_failed and the victim's browser gets no session", async () => {
    const { user, credentials } = await attacker();
    // The attacker holds a valid token for a cookie of their own; the victim's browser has another.
    const attackersBrowser = await browserForm();
    const victimsBrowser = await browserForm();
    const res = await request(t.app)
      .post("/auth/login")
      .set("Cookie", victimsBrowser.cookie)
      .set("Origin", EVIL)
      .type("form")
      .send({ _csrf: attackersBrowser.token, ...credentials });
    expect(res.status).toBe(403);
    expect(res.headers["content-type"]).toMatch(/^text\/html/);
    expect(res.text).toContain("csrf_failed");
    expect(sessionCookieOf(res)).toBeUndefined();
    expect(await sessionsOf(user.id)).toBe(0);
  });

  test("when another site's script posts the attacker's credentials as JSON, then 403 csrf_failed and no session", async () => {
    const { user, credentials } = await attacker();
    const headers: Record<string, string>[] = [
      { Origin: EVIL },
      { "Sec-Fetch-Site": "cross-site" },
      { Origin: "null" },
      // A proxy's Basic credentials are replayed by the browser: only a bearer token exempts.
      { Origin: EVIL, Authorization: "Basic dXNlcjpwYXNzd29yZA==" },
    ];
    for (const header of headers) {
      const res = await request(t.app).post("/auth/login").set(header).send(credentials);
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 403, code: "csrf_failed" });
      expect(sessionCookieOf(res)).toBeUndefined();
    }
    expect(await sessionsOf(user.id)).toBe(0);
  });

  test("when a sign-in form arrives without its CSRF token, or with one for another browser, then 403 and no session", async () => {
    const { user, credentials } = await attacker();
    const mine = await browserForm();
    const other = await browserForm();
    const missing = await request(t.app)
      .post("/auth/login")
      .set("Cookie", mine.cookie)
      .type("form")
      .send(credentials);
    expect(missing.status).toBe(403);
    const foreign = await request(t.app)
      .post("/auth/login")
      .set("Cookie", mine.cookie)
      .set("Origin", OURS)
      .type("form")
      .send({ _csrf: other.token, ...credentials });
    expect(foreign.status).toBe(403);
    expect(await sessionsOf(user.id)).toBe(0);
  });

  test("when our own sign-in form posts with its token, then the user is signed in and sent to the portal", async () => {
    const { user, credentials } = await attacker();
    const form = await browserForm();
    const res = await request(t.app)
      .post("/auth/login")
      .set("Cookie", form.cookie)
      .set("Origin", OURS)
      .set("Sec-Fetch-Site", "same-origin")
      .type("form")
      .send({ _csrf: form.token, ...credentials })
      .expect(303);
    expect(res.headers.location).toBe("/");
    expect(sessionCookieOf(res)).toBeDefined();
    expect(await sessionsOf(user.id)).toBe(1);
  });

  test("when a JSON client signs in without Origin (curl, an SDK) or from our own origin, then it still works", async () => {
    const { credentials } = await attacker();
    const plain = await request(t.app).post("/auth/login").send(credentials).expect(200);
    expect(plain.body.stage).toBe("full");
    await request(t.app).post("/auth/login").set("Origin", OURS).send(credentials).expect(200);
  });

  test("when another site's form posts an invitation acceptance, then 403 and the invitation stays pending", async () => {
    const org = await t.given.org();
    const key = await t.given.apiKey(org);
    const created = await request(t.app)
      .post(`/api/v1/orgs/${org.slug}/invitations`)
      .set("Authorization", `Bearer ${key}`)
      .send({ invitations: [{ email: "planted@form.test", role: "Viewer" }] })
      .expect(201);
    const token = tokenOf(created.body.invitations[0].invitationUrl);
    const form = await openForm(t.app, `/auth/invitations/${token}`);
    const res = await request(t.app)
      .post(`/auth/invitations/${token}/accept`)
      .set("Cookie", form.cookie)
      .set("Origin", EVIL)
      .type("form")
      .send({ _csrf: form.token, password: "a long enough password" });
    expect(res.status).toBe(403);
    expect(sessionCookieOf(res)).toBeUndefined();
    await request(t.app).get(`/auth/invitations/${token}`).expect(200);
  });
});
