// Cross-site request forgery (issue 14, item 4). Another site's page can make an Admin's
// browser post with the Admin's cookie (SameSite=Lax lets a sibling origin of the same site
// do it) and can sign a victim in to the attacker's account. Each defect the review showed
// is replayed here through HTTP; the database says nothing changed.
import { readFileSync } from "node:fs";
import path from "node:path";
import request from "supertest";
import type { Organization } from "../../src/generated/prisma/client";
import { createTestApp, type TestApp } from "../support/app";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const EVIL = "http://evil.test";
const OURS = "http://sso.test"; // BASE_URL of the test app
const IDP_CERT = readFileSync(path.join(__dirname, "../fixtures/saml/idp.test-only.crt"), "utf8");

async function adminWithVictim() {
  const org = await t.given.org();
  const admin = await t.given.member(org, "Admin");
  const victim = await t.given.user(org, { role: "Viewer" });
  return { org, admin, victim, base: `/api/v1/orgs/${org.slug}` };
}

const credentialCounts = async (org: Organization) => ({
  scimTokens: await t.db.prisma.scimToken.count({ where: { orgId: org.id } }),
  apiKeys: await t.db.prisma.apiKey.count({ where: { orgId: org.id } }),
});
const statusOf = async (id: string) => (await t.db.prisma.user.findUniqueOrThrow({ where: { id } })).status;

function expectCsrfRefusal(res: request.Response) {
  expect({ status: res.status, code: (res.body as { code?: string }).code }).toEqual({
    status: 403,
    code: "csrf_failed",
  });
  expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
}

describe("cookie-authenticated writes from another origin", () => {
  test("when another origin's form posts with an Admin's cookie to create a SCIM token, an API key and block a user, then each is refused 403 csrf_failed and nothing changed", async () => {
    const { org, admin, victim, base } = await adminWithVictim();
    const before = await credentialCounts(org);
    for (const target of [`${base}/scim-tokens`, `${base}/api-keys`, `${base}/users/${victim.id}/block`]) {
      const res = await request(t.app)
        .post(target)
        .set("Cookie", admin.cookie)
        .set("Origin", EVIL)
        .type("form")
        .send({ name: "attacker" });
      expectCsrfRefusal(res);
    }
    expect(await credentialCounts(org)).toEqual(before);
    expect(await statusOf(victim.id)).toBe("active");
  });

  test("when a browser sends no Origin but Sec-Fetch-Site says same-site or cross-site, then the write is refused 403 and nothing changed", async () => {
    const { org, admin, base } = await adminWithVictim();
    const before = await credentialCounts(org);
    for (const site of ["same-site", "cross-site"]) {
      const res = await request(t.app)
        .post(`${base}/api-keys`)
        .set("Cookie", admin.cookie)
        .set("Sec-Fetch-Site", site)
        .send({ name: "attacker" });
      expectCsrfRefusal(res);
    }
    expect(await credentialCounts(org)).toEqual(before);
  });

  test("when a sandboxed page sends Origin: null, then the write is refused 403", async () => {
    const { admin, base } = await adminWithVictim();
    const res = await request(t.app)
      .post(`${base}/api-keys`)
      .set("Cookie", admin.cookie)
      .set("Origin", "null")
      .send({ name: "x" });
    expectCsrfRefusal(res);
  });

  test("when body-less cross-site POSTs (sso-connection/enable?force=true, users/:id/deactivate) carry an Admin's cookie, then both are refused 403 and nothing changed", async () => {
    const { org, admin, victim, base } = await adminWithVictim();
    const key = await t.given.apiKey(org);
    await request(t.app)
      .put(`${base}/sso-connection`)
      .set("Authorization", `Bearer ${key}`)
      .send({
        protocol: "saml",
        idpEntityId: "http://www.okta.com/exk1",
        idpSsoUrl: "https://acme.okta.com/app/sso/saml",
        idpCertificates: [IDP_CERT],
      })
      .expect(201);
    const headers: Record<string, string>[] = [{ Origin: EVIL }, { "Sec-Fetch-Site": "cross-site" }];
    for (const h of headers) {
      for (const target of [
        `${base}/sso-connection/enable?force=true`,
        `${base}/users/${victim.id}/deactivate`,
      ]) {
        expectCsrfRefusal(await request(t.app).post(target).set("Cookie", admin.cookie).set(h));
      }
    }
    const connection = await t.db.prisma.ssoConnection.findUniqueOrThrow({ where: { orgId: org.id } });
    expect(connection.enabled).toBe(false);
    expect(await statusOf(victim.id)).toBe("active");
    expect(await t.db.prisma.auditEvent.count({ where: { orgId: org.id, actorId: admin.user.id } })).toBe(0);
  });

  test("when the Admin's own page writes (Origin ours, or Sec-Fetch-Site same-origin), then it is accepted", async () => {
    const { org, admin, base } = await adminWithVictim();
    await request(t.app)
      .post(`${base}/scim-tokens`)
      .set("Cookie", admin.cookie)
      .set("Origin", OURS)
      .send({ name: "okta" })
      .expect(201);
    await request(t.app)
      .post(`${base}/api-keys`)
      .set("Cookie", admin.cookie)
      .set("Sec-Fetch-Site", "same-origin")
      .send({ name: "ci" })
      .expect(201);
    expect(await credentialCounts(org)).toEqual({ scimTokens: 1, apiKeys: 1 });
  });

  test("when an API key or a SCIM token is sent from another origin, then the origin check does not apply", async () => {
    const { org, base } = await adminWithVictim();
    const key = await t.given.apiKey(org);
    await request(t.app)
      .post(`${base}/api-keys`)
      .set("Authorization", `Bearer ${key}`)
      .set("Origin", EVIL)
      .send({ name: "from a script" })
      .expect(201);
    const scim = await t.given.scimToken(org);
    await request(t.app)
      .post(`/scim/v2/${org.slug}/Users`)
      .set("Authorization", `Bearer ${scim}`)
      .set("Origin", EVIL)
      .type("application/scim+json")
      .send({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "bob@cross.test" })
      .expect(201);
  });
});

describe("form bodies are taken only where a form is expected", () => {
  test("when a form body reaches the admin API, even from our own origin, then 415 problem+json and nothing changed", async () => {
    const { org, admin, base } = await adminWithVictim();
    const before = await credentialCounts(org);
    const res = await request(t.app)
      .post(`${base}/scim-tokens`)
      .set("Cookie", admin.cookie)
      .set("Origin", OURS)
      .type("form")
      .send({ name: "x" });
    expect({ status: res.status, code: res.body.code }).toEqual({
      status: 415,
      code: "unsupported_media_type",
    });
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(await credentialCounts(org)).toEqual(before);
  });

  test("when a browser that sends no Origin posts text/plain or multipart to body-less admin endpoints, then 415 and nothing changed", async () => {
    const { org, admin, victim, base } = await adminWithVictim();
    const plain = await request(t.app)
      .post(`${base}/users/${victim.id}/deactivate`)
      .set("Cookie", admin.cookie)
      .set("Content-Type", "text/plain")
      .send("x");
    expect({ status: plain.status, code: plain.body.code }).toEqual({
      status: 415,
      code: "unsupported_media_type",
    });
    const multipart = await request(t.app)
      .post(`${base}/users/${victim.id}/block`)
      .set("Cookie", admin.cookie)
      .field("name", "x");
    expect(multipart.status).toBe(415);
    expect(await statusOf(victim.id)).toBe("active");
    expect(await credentialCounts(org)).toEqual({ scimTokens: 0, apiKeys: 0 });
  });

  test("when a form body reaches SCIM, then 415 in the SCIM error schema", async () => {
    const org = await t.given.org();
    const scim = await t.given.scimToken(org);
    const res = await request(t.app)
      .post(`/scim/v2/${org.slug}/Users`)
      .set("Authorization", `Bearer ${scim}`)
      .type("form")
      .send({ userName: "form@scim.test" });
    expect(res.status).toBe(415);
    expect(res.body.schemas).toEqual(["urn:ietf:params:scim:api:messages:2.0:Error"]);
    expect(await t.db.prisma.user.count({ where: { orgId: org.id } })).toBe(0);
  });

  test("when a form is posted to an /auth endpoint that takes JSON, then 415 as a page", async () => {
    const { admin } = await adminWithVictim();
    const res = await request(t.app)
      .post("/auth/mfa/verify")
      .set("Cookie", admin.cookie)
      .set("Origin", OURS)
      .type("form")
      .send({ code: "123456" });
    expect(res.status).toBe(415);
    expect(res.headers["content-type"]).toMatch(/^text\/html/);
  });
});
