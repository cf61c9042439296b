// The sso-connection admin API: SAML from metadata or explicit fields, field-named validation
// errors, secrets never shown and encrypted at rest, enable/disable recomputing roles,
// permissions, DELETE, the login redirect's returnTo rule, and the pasted-response test.
import request from "supertest";
import { createTestApp, type TestApp } from "../../support/app";
import { startSamlIdps, type SamlIdp, type SamlIdpPool } from "../../support/saml-idp";
import { postAcs, samlOrg, sessionCount, startLogin } from "../saml/saml-flow";

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

async function adminOrg() {
  const org = await t.given.org();
  return { org, key: await t.given.apiKey(org) };
}

const put = (slug: string, key: string, body: object) =>
  request(t.app).put(`/api/v1/orgs/${slug}/sso-connection`).set("Authorization", `Bearer ${key}`).send(body);

describe("PUT /sso-connection (SAML)", () => {
  test("when IdP metadata XML is sent, then entity id, SSO URL and every signing certificate are taken from it", async () => {
    const { org, key } = await adminOrg();
    const next = pool.create("https://idp.test/okta");
    const res = await put(org.slug, key, {
      protocol: "saml",
      idpMetadataXml: idp.metadataXml([next.certPem]),
    }).expect(201);
    expect(res.body).toMatchObject({
      protocol: "saml",
      enabled: false,
      jit: true,
      allowIdpInitiated: false,
      idpEntityId: idp.entityId,
      idpSsoUrl: idp.ssoUrl,
      idpSsoBinding: "redirect",
      serviceProvider: {
        entityId: `http://sso.test/sso/${org.slug}/saml/metadata`,
        acsUrl: `http://sso.test/sso/${org.slug}/saml/acs`,
      },
    });
    expect(res.body.idpCertificates).toHaveLength(2);
    expect(res.body.groupsAttribute).toContain(
      "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
    );
  });

  test("when explicit fields are sent, then they are stored and the secrets never appear in any answer or in clear at rest", async () => {
    const { org, key } = await adminOrg();
    const body = {
      protocol: "saml",
      idpEntityId: "http://www.okta.com/exk1",
      idpSsoUrl: "https://acme.okta.com/app/sso/saml",
      idpCertificates: [idp.certPem],
      groupsAttribute: "groups",
      allowIdpInitiated: true,
      jit: false,
    };
    const created = await put(org.slug, key, body).expect(201);
    expect(created.body).toMatchObject({ groupsAttribute: ["groups"], allowIdpInitiated: true, jit: false });
    const again = await put(org.slug, key, body).expect(200);
    // The SP key pair survives a PUT: the IdP may hold our certificate.
    expect(again.body.serviceProvider.certificate).toBe(created.body.serviceProvider.certificate);
    const got = await request(t.app)
      .get(`/api/v1/orgs/${org.slug}/sso-connection`)
      .set("Authorization", `Bearer ${key}`)
      .expect(200);
    for (const text of [created.text, again.text, got.text])
      expect(text).not.toMatch(/PRIVATE KEY|spPrivateKey|secrets/);
    const row = await t.db.prisma.ssoConnection.findUniqueOrThrow({ where: { orgId: org.id } });
    expect(JSON.stringify(row)).not.toContain("PRIVATE");
    const keys = await t.db.prisma.samlSpKey.findUniqueOrThrow({ where: { orgId: org.id } });
    expect(keys.privateKey).toMatch(/^v1\./);
    expect(keys.privateKey).not.toContain("PRIVATE");
  });

  test.each([
    [
      "a certificate that is not PEM",
      { idpEntityId: "x", idpSsoUrl: "https://idp.test/sso", idpCertificates: ["not a cert"] },
      "idpCertificates.0",
    ],
    ["no SSO URL", { idpEntityId: "x", idpCertificates: ["MIIB"] }, "idpSsoUrl"],
    [
      "an SSO URL that is not http(s)",
      { idpEntityId: "x", idpSsoUrl: "javascript:alert(1)", idpCertificates: ["x"] },
      "idpSsoUrl",
    ],
    [
      "metadata without a signing key",
      {
        idpMetadataXml:
          "<md:EntityDescriptor xmlns:md='urn:oasis:names:tc:SAML:2.0:metadata' entityID='x'><md:IDPSSODescriptor protocolSupportEnumeration='urn:oasis:names:tc:SAML:2.0:protocol'><md:SingleSignOnService Binding='urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect' Location='https://idp.test/sso'/></md:IDPSSODescriptor></md:EntityDescriptor>",
      },
      "idpMetadataXml",
    ],
    [
      "metadata with a DOCTYPE",
      { idpMetadataXml: '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>' },
      "idpMetadataXml",
    ],
    ["an unknown field", { idpMetadataXml: "<x/>", surprise: true }, "(body)"],
  ])("when the body has %s, then 400 names the field", async (_what, fields, field) => {
    const { org, key } = await adminOrg();
    const res = await put(org.slug, key, { protocol: "saml", ...fields }).expect(400);
    expect(res.headers["content-type"]).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe("validation_failed");
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(await t.db.prisma.ssoConnection.count({ where: { orgId: org.id } })).toBe(0);
  });

  test("when the protocol is unknown, then 400 names the protocol field", async () => {
    const { org, key } = await adminOrg();
    const res = await put(org.slug, key, { protocol: "ws-fed" }).expect(400);
    expect(res.body.errors).toEqual([{ field: "protocol", message: expect.stringContaining("saml") }]);
  });
});

describe("SSO URL read from IdP metadata (issue 14 item 6)", () => {
  test.each([
    ["javascript:alert(document.domain)", "HTTP-Redirect"],
    ["data:text/html,<script>alert(1)</script>", "HTTP-Redirect"],
    ["javascript:alert(1)", "HTTP-POST"],
    ["ftp://idp.test/sso", "HTTP-Redirect"],
  ])(
    "when the metadata's SingleSignOnService Location is %j (%s), then 400 problem+json names idpMetadataXml and nothing is stored",
    async (location, binding) => {
      const { org, key } = await adminOrg();
      // The only SingleSignOnService of the metadata, so that it is the one chosen.
      const xml = idp
        .metadataXml()
        .replace(/<md:SingleSignOnService [^>]*\/>\s*/g, "")
        .replace(
          "</md:IDPSSODescriptor>",
          `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:${binding}" Location="${location.replace(/</g, "&lt;")}"/></md:IDPSSODescriptor>`,
        );
      const res = await put(org.slug, key, { protocol: "saml", idpMetadataXml: xml }).expect(400);
      expect(res.headers["content-type"]).toMatch(/application\/problem\+json/);
      expect(res.body.code).toBe("validation_failed");
      expect(res.body.errors).toEqual([
        { field: "idpMetadataXml", message: expect.stringContaining("must be an http(s) URL") },
      ]);
      expect(await t.db.prisma.ssoConnection.count({ where: { orgId: org.id } })).toBe(0);
    },
  );

  test("when a stored connection's SSO URL is not http(s), then the login page refuses to send the browser there", async () => {
    const s = await samlOrg(t, idp);
    const row = await t.db.prisma.ssoConnection.findUniqueOrThrow({ where: { orgId: s.org.id } });
    await t.db.prisma.ssoConnection.update({
      where: { orgId: s.org.id },
      data: { config: { ...(row.config as object), idpSsoUrl: "javascript:alert(1)" } },
    });
    const res = await request(t.app).get(`/sso/${s.org.slug}/login`).expect(403);
    expect(res.headers.location).toBeUndefined();
    expect(res.text).not.toContain("javascript:alert");
    expect(res.text).toContain("sso_misconfigured");
  });
});

describe("permissions", () => {
  test("when a Support user writes, then 403; when a Viewer reads, then 403; an Admin may read", async () => {
    const { org } = await adminOrg();
    const support = await t.given.member(org, "Support");
    const viewer = await t.given.member(org, "Viewer");
    const admin = await t.given.member(org, "Admin");
    await request(t.app)
      .put(`/api/v1/orgs/${org.slug}/sso-connection`)
      .set("Cookie", support.cookie)
      .send({ protocol: "saml" })
      .expect(403);
    await request(t.app)
      .get(`/api/v1/orgs/${org.slug}/sso-connection`)
      .set("Cookie", viewer.cookie)
      .expect(403);
    await request(t.app)
      .get(`/api/v1/orgs/${org.slug}/sso-connection`)
      .set("Cookie", admin.cookie)
      .expect(404);
  });
});

describe("enable, disable, delete", () => {
  test("when SSO is turned on, then roles come from the mapping; turned off, the hand-set role returns; each is audited", async () => {
    const s = await samlOrg(t, idp, { defaultRole: "Viewer" });
    const invited = await t.given.user(s.org, {
      email: "manual@acme.test",
      role: "Support",
      assignedRole: "Support",
    });
    const roleOf = async () => (await t.db.prisma.user.findUniqueOrThrow({ where: { id: invited.id } })).role;
    const toggle = (action: string) =>
      request(t.app)
        .post(`/api/v1/orgs/${s.org.slug}/sso-connection/${action}`)
        .set("Authorization", `Bearer ${s.apiKey}`)
        .expect(200);
    expect((await toggle("disable")).body.enabled).toBe(false);
    expect(await roleOf()).toBe("Support");
    expect((await toggle("enable")).body.enabled).toBe(true);
    expect(await roleOf()).toBe("Viewer");
    await toggle("disable");
    expect(await roleOf()).toBe("Support");
    const actions = (
      await t.db.prisma.auditEvent.findMany({ where: { orgId: s.org.id }, orderBy: { seq: "asc" } })
    ).map((a) => a.action);
    expect(actions).toEqual(
      expect.arrayContaining(["sso.connection_created", "sso.enabled", "sso.disabled"]),
    );
  });

  test("when turning SSO on would leave no active Admin, then 409 would_remove_last_admin and nothing changes, unless forced", async () => {
    const { org, key } = await adminOrg();
    const admin = await t.given.user(org, { role: "Admin", assignedRole: "Admin" });
    await put(org.slug, key, { protocol: "saml", idpMetadataXml: idp.metadataXml() }).expect(201);
    const enable = (query = "") =>
      request(t.app)
        .post(`/api/v1/orgs/${org.slug}/sso-connection/enable${query}`)
        .set("Authorization", `Bearer ${key}`);
    const refused = await enable().expect(409);
    expect(refused.body.code).toBe("would_remove_last_admin");
    const state = async () => ({
      enabled: (await t.db.prisma.ssoConnection.findUniqueOrThrow({ where: { orgId: org.id } })).enabled,
      role: (await t.db.prisma.user.findUniqueOrThrow({ where: { id: admin.id } })).role,
    });
    expect(await state()).toEqual({ enabled: false, role: "Admin" });

    await enable("?force=true").expect(200);
    expect(await state()).toEqual({ enabled: true, role: null });
    const audit = await t.db.prisma.auditEvent.findFirstOrThrow({
      where: { orgId: org.id, action: "sso.enabled" },
    });
    expect(audit.data).toMatchObject({ forced: true });
  });

  test("when the connection is deleted, then GET answers 404 and login shows the not-configured page", async () => {
    const s = await samlOrg(t, idp);
    await request(t.app)
      .delete(`/api/v1/orgs/${s.org.slug}/sso-connection`)
      .set("Authorization", `Bearer ${s.apiKey}`)
      .expect(204);
    await request(t.app)
      .get(`/api/v1/orgs/${s.org.slug}/sso-connection`)
      .set("Authorization", `Bearer ${s.apiKey}`)
      .expect(404);
    const page = await request(t.app).get(`/sso/${s.org.slug}/login`).expect(404);
    expect(page.text).toContain("sso_not_configured");
  });
});

describe("GET /sso/{org}/login", () => {
  test.each([
    "//evil.test/x",
    "/\\evil.test",
    "https://evil.test/",
    "/\r\nLocation:x",
    "javascript:alert(1)",
  ])(
    "when returnTo is %j, then the page refuses it (400) and no AuthnRequest is issued",
    async (returnTo) => {
      const s = await samlOrg(t, idp);
      const res = await request(t.app).get(`/sso/${s.org.slug}/login`).query({ returnTo }).expect(400);
      expect(res.text).toContain("invalid_return_to");
      expect(await t.db.prisma.samlRequest.count({ where: { orgId: s.org.id } })).toBe(0);
    },
  );

  test("when returnTo is a local path, then the AuthnRequest id is stored with it and an expiry", async () => {
    const s = await samlOrg(t, idp);
    const login = await startLogin(t, s.org, "/users?page=2");
    const row = await t.db.prisma.samlRequest.findUniqueOrThrow({ where: { id: login.id } });
    expect(row).toMatchObject({ orgId: s.org.id, returnTo: "/users?page=2", consumedAt: null });
    expect(row.expiresAt.getTime()).toBeGreaterThan(Date.now());
  });
});

describe("GET /sso/{org}/login with an IdP that only takes HTTP-POST", () => {
  test("when the metadata lists only the POST binding, then an auto-post form to the IdP is served with a CSP allowing just that", async () => {
    const { org, key } = await adminOrg();
    const postOnly = idp
      .metadataXml()
      .replace(/<md:SingleSignOnService Binding="[^"]*HTTP-Redirect"[^>]*\/>/, "");
    await put(org.slug, key, { protocol: "saml", idpMetadataXml: postOnly }).expect(201);
    await request(t.app)
      .post(`/api/v1/orgs/${org.slug}/sso-connection/enable`)
      .set("Authorization", `Bearer ${key}`)
      .expect(200);
    const res = await request(t.app).get(`/sso/${org.slug}/login`).expect(200);
    expect(res.text).toContain(`action="${idp.entityId}/sso/post"`);
    expect(res.text).toContain('name="SAMLRequest"');
    expect(res.headers["content-security-policy"]).toBe(
      "default-src 'none'; script-src-attr 'unsafe-inline'; form-action https://idp.test",
    );
    expect(await t.db.prisma.samlRequest.count({ where: { orgId: org.id } })).toBe(1);
  });
});

describe("POST /sso-connection/test", () => {
  test("when an admin pastes a valid response, then the verified attributes and the role are shown and nothing is consumed", async () => {
    const s = await samlOrg(t, idp);
    const login = await startLogin(t, s.org);
    const xml = await idp.respond({
      destination: s.acsUrl,
      audience: s.spEntityId,
      inResponseTo: login.id,
      nameId: "tess@acme.test",
      attributes: { groups: ["Admins"], email: ["tess@acme.test"] },
      spMetadataXml: s.spMetadataXml,
    });
    const res = await request(t.app)
      .post(`/api/v1/orgs/${s.org.slug}/sso-connection/test`)
      .set("Authorization", `Bearer ${s.apiKey}`)
      .send({ samlResponse: Buffer.from(xml).toString("base64") })
      .expect(200);
    expect(res.body).toMatchObject({
      verified: true,
      consumed: false,
      assertion: { nameId: "tess@acme.test", issuer: idp.entityId, attributes: { groups: ["Admins"] } },
      claims: { email: "tess@acme.test", groups: ["Admins"] },
      signIn: { outcome: "signed_in", role: "Admin", wouldCreateUser: true },
    });
    expect(await t.db.prisma.user.count({ where: { orgId: s.org.id } })).toBe(0);
    expect(await sessionCount(t, s.org)).toBe(0);
    // Not consumed: the same response still signs the person in afterwards.
    await postAcs(t, s.org, xml).expect(302);
  });

  test("when an admin pastes a tampered response, then it is reported as refused with the reason", async () => {
    const s = await samlOrg(t, idp);
    const login = await startLogin(t, s.org);
    const xml = await idp.respond({
      destination: s.acsUrl,
      audience: s.spEntityId,
      inResponseTo: login.id,
      nameId: "u@acme.test",
      spMetadataXml: s.spMetadataXml,
    });
    const forged = xml.replace(">u@acme.test<", ">admin@acme.test<");
    const res = await request(t.app)
      .post(`/api/v1/orgs/${s.org.slug}/sso-connection/test`)
      .set("Authorization", `Bearer ${s.apiKey}`)
      .send({ samlResponse: Buffer.from(forged).toString("base64") })
      .expect(200);
    expect(res.body).toMatchObject({ verified: false, reason: "signature_invalid", signIn: null });
  });
});
