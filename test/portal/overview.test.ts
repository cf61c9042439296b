// The Overview's checklist and attention list from real state, the certificate banner on every
// admin page, and a break-glass link that lands in the portal.
import request from "supertest";
import { createTestApp, type TestApp } from "../support/app";
import { generateSpKeyPair } from "../../src/sso/saml/sp-keys";
import { orgWithMembers } from "../users/helpers";
import { textOf } from "./helpers";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

/** A certificate that expires `days` from now (its generator makes ten-year certificates). */
async function certificateExpiringIn(days: number): Promise<string> {
  const start = new Date(Date.now() + days * 86_400_000);
  start.setUTCFullYear(start.getUTCFullYear() - 10);
  return (await generateSpKeyPair("idp.example", start)).certificatePem;
}

test("when the set-up is partly done, then the checklist ticks exactly those steps", async () => {
  const m = await orgWithMembers(t);
  await t.db.prisma.ssoConnection.create({ data: { orgId: m.org.id, protocol: "saml", enabled: false } });
  await t.given.scimToken(m.org);
  const res = await request(t.app).get("/").set("Cookie", m.admin.cookie).expect(200);
  const done = [...res.text.matchAll(/<li class="done"><a [^>]+>([^<]+)</g)].map((x) => x[1]);
  expect(done).toEqual([
    "Connect your identity provider (SAML or OIDC)",
    "Create a SCIM token for your identity provider",
  ]);
  expect(textOf(res.text)).toContain("Set-up: 2 of 6 done");
  expect(textOf(res.text)).toContain("Single sign-on: off");
});

test("when the IdP certificate expires within 30 days, then every admin page warns and the overview lists it", async () => {
  const m = await orgWithMembers(t);
  await t.db.prisma.ssoConnection.create({
    data: {
      orgId: m.org.id,
      protocol: "saml",
      enabled: false,
      config: { idpCertificates: [await certificateExpiringIn(10)] },
    },
  });
  for (const path of ["/", "/users", "/groups"]) {
    const res = await request(t.app).get(path).set("Cookie", m.admin.cookie).expect(200);
    expect(textOf(res.text)).toMatch(/signing certificate expires in (9|10) days/);
  }
  const viewer = await request(t.app).get("/profile").set("Cookie", m.viewer.cookie).expect(200);
  expect(viewer.text).not.toContain("signing certificate");
});

test("when a certificate is far from expiry, then no page warns", async () => {
  const m = await orgWithMembers(t);
  await t.db.prisma.ssoConnection.create({
    data: {
      orgId: m.org.id,
      protocol: "saml",
      enabled: false,
      config: { idpCertificates: [await certificateExpiringIn(200)] },
    },
  });
  const res = await request(t.app).get("/").set("Cookie", m.admin.cookie).expect(200);
  expect(res.text).not.toContain("signing certificate");
});

test("when sign-ins were refused in the last day and no Admin is active, then both need attention", async () => {
  const m = await orgWithMembers(t);
  await t.db.prisma.auditEvent.create({
    data: {
      orgId: m.org.id,
      actorType: "idp",
      action: "sso.sign_in_refused",
      targetType: "sso_connection",
      data: { protocol: "saml", reason: "user_blocked", status: 403 },
    },
  });
  await t.db.prisma.user.update({ where: { id: m.admin.user.id }, data: { role: "Viewer" } });
  // A break-glass session acts as Admin whoever holds it: the way in when no Admin is left.
  const s = await t.services.sessions.create(t.db.prisma, {
    orgId: m.org.id,
    userId: m.viewer.user.id,
    method: "recovery",
  });
  const res = await request(t.app).get("/").set("Cookie", `sso_bridge_session=${s.cookieValue}`).expect(200);
  const text = textOf(res.text);
  expect(text).toContain("1 sign-in was refused in the last 24 hours.");
  expect(text).toContain("No active user has the Admin role.");
});

test("when an operator's break-glass link is used, then it lands on the portal's overview as Admin", async () => {
  const m = await orgWithMembers(t);
  const link = await t.services.auth.issueRecoveryLink(
    { orgId: m.org.id, actor: { type: "cli" } },
    { email: m.viewer.user.email },
  );
  const path = new URL(link.url).pathname;
  const confirm = await request(t.app).get(path).expect(200);
  const cookie = ([] as string[])
    .concat(confirm.headers["set-cookie"] ?? [])
    .map((c) => c.split(";")[0])
    .join("; ");
  const token = /name="_csrf" value="([^"]+)"/.exec(confirm.text)?.[1];
  const used = await request(t.app)
    .post(path)
    .set("Cookie", cookie)
    .type("form")
    .send(token ? { _csrf: token } : {})
    .expect(303);
  expect(used.headers.location).toBe("/");
  const session = ([] as string[])
    .concat(used.headers["set-cookie"] ?? [])
    .map((c) => c.split(";")[0])
    .join("; ");
  const home = await request(t.app).get("/").set("Cookie", session).expect(200);
  expect(textOf(home.text)).toContain("Admin (break-glass)");
  expect(textOf(home.text)).toContain("Overview");
});
