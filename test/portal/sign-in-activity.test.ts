// GET /api/v1/orgs/{org}/sign-ins: password and SSO sign-ins and refusals with their reason
// codes, read from the audit log, filterable by result, in cursor pages; Admins only.
import { readFileSync } from "node:fs";
import path from "node:path";
import request from "supertest";
import { createTestApp, type TestApp } from "../support/app";
import { login, PASSWORD, userWithPassword } from "../auth/helpers";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const IDP_CERT = readFileSync(path.join(__dirname, "../fixtures/saml/idp.test-only.crt"), "utf8");

describe("sign-in activity", () => {
  test("when people sign in, mistype a password and are refused by SSO, then each is listed with its method, result and reason, newest first", async () => {
    const org = await t.given.org();
    const key = await t.given.apiKey(org);
    const bob = await userWithPassword(t, org, { email: "bob@acme.test", role: "Viewer" });
    expect((await login(t, { org: org.slug, email: "bob@acme.test", password: PASSWORD })).res.status).toBe(
      200,
    );
    const typo = "not the password at all";
    expect((await login(t, { org: org.slug, email: "bob@acme.test", password: typo })).res.status).toBe(401);
    // An SSO answer while SSO is off: refused with sso_disabled.
    await request(t.app)
      .put(`/api/v1/orgs/${org.slug}/sso-connection`)
      .set("Authorization", `Bearer ${key}`)
      .send({
        protocol: "saml",
        idpEntityId: "https://idp.test",
        idpSsoUrl: "https://idp.test/sso",
        idpCertificates: [IDP_CERT],
      })
      .expect(201);
    await request(t.app)
      .post(`/sso/${org.slug}/saml/acs`)
      .type("form")
      .send({ SAMLResponse: "PA==" })
      .expect(403);

    const all = await request(t.app)
      .get(`/api/v1/orgs/${org.slug}/sign-ins`)
      .set("Authorization", `Bearer ${key}`)
      .expect(200);
    expect(all.body.data.map((e: Record<string, unknown>) => [e.result, e.method, e.reason, e.who])).toEqual([
      ["refused", "saml", "sso_disabled", null],
      ["refused", "password", "invalid_credentials", "bob@acme.test"],
      ["succeeded", "password", null, "bob@acme.test"],
    ]);
    expect(all.body.data[1]).toMatchObject({ userId: bob.id, requestId: expect.any(String) });
    // Never what was typed.
    const audit = (await t.db.prisma.auditEvent.findMany({ where: { orgId: org.id } })).map((e) => e.data);
    expect(JSON.stringify(audit)).not.toContain(typo);
    expect(JSON.stringify(audit)).not.toContain(PASSWORD);

    const refused = await request(t.app)
      .get(`/api/v1/orgs/${org.slug}/sign-ins?result=refused&limit=1`)
      .set("Authorization", `Bearer ${key}`)
      .expect(200);
    expect(refused.body.data.map((e: { reason: string }) => e.reason)).toEqual(["sso_disabled"]);
    const next = await request(t.app)
      .get(`/api/v1/orgs/${org.slug}/sign-ins?result=refused&limit=1&cursor=${refused.body.nextCursor}`)
      .set("Authorization", `Bearer ${key}`)
      .expect(200);
    expect(next.body).toMatchObject({ data: [{ reason: "invalid_credentials" }], nextCursor: null });
  });

  test("when a deactivated account signs in with its right password, then the refusal says user_deactivated", async () => {
    const org = await t.given.org();
    const key = await t.given.apiKey(org);
    await userWithPassword(t, org, { email: "gone@acme.test", status: "deactivated" });
    expect((await login(t, { org: org.slug, email: "gone@acme.test", password: PASSWORD })).res.status).toBe(
      403,
    );
    const res = await request(t.app)
      .get(`/api/v1/orgs/${org.slug}/sign-ins?result=refused`)
      .set("Authorization", `Bearer ${key}`);
    expect(res.body.data).toMatchObject([
      { method: "password", reason: "user_deactivated", who: "gone@acme.test" },
    ]);
  });

  test("when a Viewer asks, or the result filter is unknown, then 403 and 400", async () => {
    const org = await t.given.org();
    const { cookie } = await t.given.member(org, "Viewer");
    await request(t.app).get(`/api/v1/orgs/${org.slug}/sign-ins`).set("Cookie", cookie).expect(403);
    const key = await t.given.apiKey(org);
    const bad = await request(t.app)
      .get(`/api/v1/orgs/${org.slug}/sign-ins?result=maybe`)
      .set("Authorization", `Bearer ${key}`)
      .expect(400);
    expect(bad.body.errors[0].field).toBe("result");
  });
});
