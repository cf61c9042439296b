// An Admin's test sign-in over SAML, against the real pysaml2 IdP: the round trip is real, the
// ACS checks everything as for a sign-in, and the answer is a result for the Admin's session
// alone; no user, no session, SSO may be off, and a pass stamps the connection's testedAt.
import { inflateRawSync } from "node:zlib";
import request from "supertest";
import type { Organization } from "../../../src/generated/prisma/client";
import { createTestApp, type TestApp } from "../../support/app";
import { startSamlIdps, type SamlIdp, type SamlIdpPool } from "../../support/saml-idp";
import { postAcs, samlOrg, sessionCount, type SamlOrg } from "../saml/saml-flow";

let t: TestApp;
let pool: SamlIdpPool;
let idp: SamlIdp;

beforeAll(async () => {
  t = await createTestApp();
  pool = startSamlIdps();
  idp = pool.create("https://idp.test/okta");
});
afterAll(async () => {
  await pool.close();
  await t.close();
});

async function offOrg(): Promise<SamlOrg & { admin: string }> {
  const s = await samlOrg(t, idp);
  await request(t.app)
    .post(`/api/v1/orgs/${s.org.slug}/sso-connection/disable`)
    .set("Authorization", `Bearer ${s.apiKey}`)
    .expect(200);
  const { cookie } = await t.given.member(s.org, "Admin", { email: "it@acme.test" });
  return { ...s, admin: cookie };
}

async function startTest(org: Organization, cookie: string) {
  const res = await request(t.app).get(`/sso/${org.slug}/login?test=1`).set("Cookie", cookie).expect(302);
  const location = new URL(res.headers.location as string);
  const xml = inflateRawSync(Buffer.from(location.searchParams.get("SAMLRequest") as string, "base64"));
  return /\sID="([^"]+)"/.exec(xml.toString("utf8"))?.[1] as string;
}

const resultIdOf = (res: request.Response) =>
  new URL(res.headers.location as string, "http://x").searchParams.get("result") as string;

const answer = (s: SamlOrg, inResponseTo: string, groups: string[], from = idp) =>
  from.respond({
    destination: s.acsUrl,
    audience: s.spEntityId,
    inResponseTo,
    nameId: "dana@acme.test",
    attributes: { email: ["dana@acme.test"], firstName: ["Dana"], groups },
  });

describe("SAML test sign-in", () => {
  test("when an Admin tests while SSO is off, then the result shows NameID, attributes, groups and the role, and no user or session is made", async () => {
    const s = await offOrg();
    const requestId = await startTest(s.org, s.admin);
    const usersBefore = await t.db.prisma.user.count({ where: { orgId: s.org.id } });
    const sessionsBefore = await sessionCount(t, s.org);
    const res = await postAcs(t, s.org, await answer(s, requestId, ["Admins", "Staff"])).expect(302);
    expect(res.headers.location).toMatch(/^\/sso-setup\?result=[0-9a-f-]{36}#test$/);
    expect(res.headers["set-cookie"]).toBeUndefined();
    expect(await t.db.prisma.user.count({ where: { orgId: s.org.id } })).toBe(usersBefore);
    expect(await sessionCount(t, s.org)).toBe(sessionsBefore);

    const result = await request(t.app)
      .get(`/api/v1/orgs/${s.org.slug}/sso-connection/test-results/${resultIdOf(res)}`)
      .set("Cookie", s.admin)
      .expect(200);
    expect(result.body).toMatchObject({
      passed: true,
      protocol: "saml",
      subject: "dana@acme.test",
      email: "dana@acme.test",
      groups: ["Admins", "Staff"],
      attributes: { firstName: ["Dana"] },
      facts: { nameId: "dana@acme.test" },
      role: "Admin",
      roleSource: { kind: "mapping", rules: [{ group: "Admins", role: "Admin" }] },
      wouldCreateUser: true,
      reason: null,
    });
    const conn = await request(t.app)
      .get(`/api/v1/orgs/${s.org.slug}/sso-connection`)
      .set("Authorization", `Bearer ${s.apiKey}`)
      .expect(200);
    expect(conn.body.enabled).toBe(false);
    expect(conn.body.testedAt).toBe(result.body.testedAt);
    // The pysaml2 test certificate lives three days: the warning window is open.
    expect(Date.parse(conn.body.certificateExpiresAt)).toBeGreaterThan(Date.now());
    expect(conn.body.certificateDaysLeft).toBeGreaterThanOrEqual(1);
    expect(conn.body.certificateDaysLeft).toBeLessThanOrEqual(3);
  });

  test("when another Admin of the organization asks for the result, then it is not found (bound to the session that started it)", async () => {
    const s = await offOrg();
    const res = await postAcs(t, s.org, await answer(s, await startTest(s.org, s.admin), ["Admins"]));
    const other = await t.given.member(s.org, "Admin", { email: "other@acme.test" });
    await request(t.app)
      .get(`/api/v1/orgs/${s.org.slug}/sso-connection/test-results/${resultIdOf(res)}`)
      .set("Cookie", other.cookie)
      .expect(404);
    await request(t.app)
      .get(`/api/v1/orgs/${s.org.slug}/sso-connection/test-results/latest`)
      .set("Cookie", s.admin)
      .expect(200);
  });

  test("when the groups give no role, then the result names the refusal no_role and testedAt stays unset", async () => {
    const s = await offOrg();
    const res = await postAcs(t, s.org, await answer(s, await startTest(s.org, s.admin), ["Staff"])).expect(
      302,
    );
    const result = await request(t.app)
      .get(`/api/v1/orgs/${s.org.slug}/sso-connection/test-results/${resultIdOf(res)}`)
      .set("Cookie", s.admin)
      .expect(200);
    expect(result.body).toMatchObject({ passed: false, reason: "no_role", role: null, groups: ["Staff"] });
    expect(result.body.message).toMatch(/none of your groups gives you a role/);
    const row = await t.db.prisma.ssoConnection.findUniqueOrThrow({ where: { orgId: s.org.id } });
    expect(row.testedAt).toBeNull();
    expect(await t.db.prisma.user.count({ where: { orgId: s.org.id, email: "dana@acme.test" } })).toBe(0);
  });

  test("when the answer is signed by another key, then the result names signature_invalid", async () => {
    const s = await offOrg();
    const stranger = pool.create("https://idp.test/okta");
    const xml = await answer(s, await startTest(s.org, s.admin), ["Admins"], stranger);
    const res = await postAcs(t, s.org, xml).expect(302);
    const result = await request(t.app)
      .get(`/api/v1/orgs/${s.org.slug}/sso-connection/test-results/${resultIdOf(res)}`)
      .set("Cookie", s.admin)
      .expect(200);
    expect(result.body).toMatchObject({ passed: false, reason: "signature_invalid", role: null });
  });

  test("when no Admin session starts it (none, or a Viewer's), then the test is refused with a page", async () => {
    const s = await offOrg();
    const viewer = await t.given.member(s.org, "Viewer");
    for (const cookie of ["", viewer.cookie]) {
      const res = await request(t.app)
        .get(`/sso/${s.org.slug}/login?test=1`)
        .set("Cookie", cookie)
        .expect(403);
      expect(res.text).toContain("test_needs_admin_session");
    }
  });

  test("when SSO is off and a real sign-in's answer arrives, then it is still refused with sso_disabled", async () => {
    const s = await offOrg();
    const xml = await answer(s, "_not-a-test-request", ["Admins"]);
    const res = await postAcs(t, s.org, xml).expect(403);
    expect(res.text).toContain("sso_disabled");
  });
});
