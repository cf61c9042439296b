// SAML sign-in that works: SP- and IdP-initiated, certificate rotation, encrypted assertions,
// groups to roles, and the account refusals (deactivated, no role, SCIM-only connection).
import request from "supertest";
import { createTestApp, type TestApp } from "../../support/app";
import { startSamlIdps, type SamlIdp, type SamlIdpPool } from "../../support/saml-idp";
import { expectRefused, postAcs, samlOrg, sessionCount, startLogin } from "./saml-flow";

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

const sessionCookie = (res: request.Response) =>
  ((res.headers["set-cookie"] as unknown as string[] | undefined) ?? []).find((c) =>
    c.startsWith("sso_bridge_session="),
  );

describe("SP-initiated sign-in", () => {
  test("when the IdP answers our AuthnRequest with a signed assertion, posted cross-site from the IdP's origin, then a user is created, gets the mapped role and lands on returnTo", async () => {
    const s = await samlOrg(t, idp);
    const login = await startLogin(t, s.org, "/reports?tab=1");
    expect(login.location.origin + login.location.pathname).toBe(idp.ssoUrl);
    expect(login.authnRequest).toContain(`AssertionConsumerServiceURL="${s.acsUrl}"`);
    // Our AuthnRequest is signed (HTTP-Redirect binding: SigAlg and Signature parameters).
    expect(login.location.searchParams.get("SigAlg")).toBe(
      "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    );
    expect(login.location.searchParams.get("Signature")).toBeTruthy();
    const xml = await idp.respond({
      destination: s.acsUrl,
      audience: s.spEntityId,
      inResponseTo: login.id,
      nameId: "Alice@Acme.test",
      attributes: {
        email: ["Alice@Acme.test"],
        firstName: ["Alice"],
        lastName: ["Liddell"],
        groups: ["Admins", "Staff"],
      },
    });
    // The browser posts the IdP's form from the IdP's origin: the ACS is exempt from the origin check.
    const res = await postAcs(t, s.org, xml)
      .set("Origin", "https://idp.example")
      .set("Sec-Fetch-Site", "cross-site")
      .expect(302);
    expect(res.headers.location).toBe("/reports?tab=1");
    const cookie = sessionCookie(res);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const me = await request(t.app)
      .get("/api/v1/me")
      .set("Cookie", (cookie as string).split(";")[0] as string)
      .expect(200);
    expect(me.body.role).toBe("Admin");
    const user = await t.db.prisma.user.findFirstOrThrow({ where: { orgId: s.org.id } });
    expect(user).toMatchObject({
      email: "Alice@Acme.test",
      provisionedBy: "sso",
      firstName: "Alice",
      ssoGroups: ["Admins", "Staff"],
    });
    // No SAML body (nor a piece of it) in any log line.
    const logs = t.rawLogs.join("\n");
    expect(logs).not.toContain(Buffer.from(xml).toString("base64").slice(200, 260));
    expect(logs).not.toContain(/SignatureValue>([^<]{40})/.exec(xml)?.[1] as string);
    const audit = await t.db.prisma.auditEvent.findFirst({
      where: { orgId: s.org.id, action: "sso.sign_in" },
    });
    expect(audit?.data).toMatchObject({
      protocol: "saml",
      role: "Admin",
      jitCreated: true,
      inResponseTo: login.id,
    });
  });

  test("when the assertion is encrypted for our SP certificate from the metadata, then it is decrypted and the user signs in", async () => {
    const s = await samlOrg(t, idp);
    const metadata = await request(t.app).get(`/sso/${s.org.slug}/saml/metadata`).expect(200);
    expect(metadata.text).toContain(`entityID="${s.spEntityId}"`);
    expect(metadata.text).toContain(`Location="${s.acsUrl}"`);
    const certB64 = /<KeyDescriptor use="encryption">[\s\S]*?<ds:X509Certificate>([^<]+)</
      .exec(metadata.text)?.[1]
      ?.replace(/\s+/g, "") as string;
    expect(certB64).toBeTruthy();
    const login = await startLogin(t, s.org);
    const xml = await idp.respond({
      destination: s.acsUrl,
      audience: s.spEntityId,
      inResponseTo: login.id,
      nameId: "bob@acme.test",
      attributes: { groups: ["Admins"] },
      encryptCertPem: `-----BEGIN CERTIFICATE-----\n${certB64}\n-----END CERTIFICATE-----\n`,
      spMetadataXml: metadata.text,
      signResponse: true,
      signAssertion: true,
    });
    expect(xml).toContain("EncryptedAssertion");
    expect(xml).not.toContain("bob@acme.test");
    await postAcs(t, s.org, xml).expect(302);
    expect(await sessionCount(t, s.org)).toBe(1);
  });

  test("when the connection lists the old and the new IdP certificate, then responses signed by either key are accepted", async () => {
    const next = pool.create("https://idp.test/okta");
    const s = await samlOrg(t, idp, { extraCerts: [next.certPem] });
    for (const [signer, who] of [
      [idp, "old@acme.test"],
      [next, "new@acme.test"],
    ] as const) {
      const login = await startLogin(t, s.org);
      const xml = await signer.respond({
        destination: s.acsUrl,
        audience: s.spEntityId,
        inResponseTo: login.id,
        nameId: who,
        attributes: { groups: ["Admins"] },
      });
      await postAcs(t, s.org, xml).expect(302);
    }
    expect(await sessionCount(t, s.org)).toBe(2);
  });
});

describe("IdP-initiated sign-in", () => {
  test("when the connection allows it, then an unsolicited response signs in and RelayState picks the local page", async () => {
    const s = await samlOrg(t, idp, { allowIdpInitiated: true });
    const xml = await idp.respond({
      destination: s.acsUrl,
      audience: s.spEntityId,
      nameId: "carol@acme.test",
      attributes: { groups: ["Admins"] },
    });
    const res = await postAcs(t, s.org, xml, "/settings").expect(302);
    expect(res.headers.location).toBe("/settings");
  });

  test("when RelayState names another site, then the sign-in lands on / instead", async () => {
    const s = await samlOrg(t, idp, { allowIdpInitiated: true });
    const xml = await idp.respond({
      destination: s.acsUrl,
      audience: s.spEntityId,
      nameId: "dan@acme.test",
      attributes: { groups: ["Admins"] },
    });
    const res = await postAcs(t, s.org, xml, "//evil.test/phish").expect(302);
    expect(res.headers.location).toBe("/");
  });
});

describe("groups and accounts", () => {
  test("when the groups of a later sign-in change, then the role follows them", async () => {
    const s = await samlOrg(t, idp, {
      allowIdpInitiated: true,
      rules: [
        { group: "Admins", role: "Admin" },
        { group: "Helpdesk", role: "Support" },
      ],
    });
    const signIn = async (groups: string[]) => {
      const xml = await idp.respond({
        destination: s.acsUrl,
        audience: s.spEntityId,
        nameId: "erin@acme.test",
        attributes: { groups },
      });
      await postAcs(t, s.org, xml).expect(302);
      return t.db.prisma.user.findFirstOrThrow({ where: { orgId: s.org.id, emailLower: "erin@acme.test" } });
    };
    expect((await signIn(["Admins"])).role).toBe("Admin");
    expect((await signIn(["Helpdesk"])).role).toBe("Support");
  });

  test("when Entra reports group overage (groups.link), then the SCIM memberships give the role and the audit says overage", async () => {
    const s = await samlOrg(t, idp, {
      allowIdpInitiated: true,
      rules: [{ group: "Support Team", role: "Support" }],
    });
    const user = await t.given.user(s.org, {
      email: "olga@acme.test",
      provisionedBy: "scim",
      manualRole: false,
      role: null,
    });
    await t.given.group(s.org, "Support Team", { members: [user.id] });
    const xml = await idp.respond({
      destination: s.acsUrl,
      audience: s.spEntityId,
      nameId: "olga@acme.test",
      attributes: {
        "http://schemas.microsoft.com/claims/groups.link": [
          "https://graph.microsoft.com/v1.0/users/x/getMemberObjects",
        ],
      },
    });
    await postAcs(t, s.org, xml).expect(302);
    const after = await t.db.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(after).toMatchObject({ role: "Support", ssoGroupsOverage: true, ssoGroups: [] });
    const audit = await t.db.prisma.auditEvent.findFirst({
      where: { orgId: s.org.id, action: "sso.sign_in" },
    });
    expect(audit?.data).toMatchObject({ overage: true, role: "Support" });
  });

  test("when no group maps to a role and there is no default role, then the sign-in is refused with no_role and no user is kept", async () => {
    const s = await samlOrg(t, idp, { allowIdpInitiated: true });
    const xml = await idp.respond({
      destination: s.acsUrl,
      audience: s.spEntityId,
      nameId: "frank@acme.test",
      attributes: { groups: ["Nobody"] },
    });
    await expectRefused(t, s.org, await postAcs(t, s.org, xml), "no_role", 403);
    expect(await t.db.prisma.user.count({ where: { orgId: s.org.id } })).toBe(0);
  });

  test("when the user is deactivated, then the sign-in is refused with user_deactivated and leaves their row as it was", async () => {
    const s = await samlOrg(t, idp, { allowIdpInitiated: true });
    const gina = await t.given.user(s.org, {
      email: "gina@acme.test",
      status: "deactivated",
      provisionedBy: "scim",
    });
    const xml = await idp.respond({
      destination: s.acsUrl,
      audience: s.spEntityId,
      nameId: "GINA@acme.test",
      attributes: { groups: ["Admins"] },
    });
    await expectRefused(t, s.org, await postAcs(t, s.org, xml), "user_deactivated", 403);
    // The sign-in writes its columns (groups, subject, time) before the checks read the row
    // (sign-in-user.ts): the refusal must roll them back.
    expect(await t.db.prisma.user.findUniqueOrThrow({ where: { id: gina.id } })).toEqual(gina);
  });

  test("when the connection is SCIM-only (jit false) and SCIM never provisioned the user, then the sign-in is refused with not_provisioned", async () => {
    const s = await samlOrg(t, idp, { allowIdpInitiated: true, jit: false });
    const xml = await idp.respond({
      destination: s.acsUrl,
      audience: s.spEntityId,
      nameId: "hank@acme.test",
      attributes: { groups: ["Admins"] },
    });
    await expectRefused(t, s.org, await postAcs(t, s.org, xml), "not_provisioned", 403);
  });

  test("when the connection is SCIM-only and SCIM provisioned the user, then the sign-in works and keeps the SCIM profile", async () => {
    const s = await samlOrg(t, idp, { allowIdpInitiated: true, jit: false });
    await t.given.user(s.org, {
      email: "ivy@acme.test",
      firstName: "Ivy",
      provisionedBy: "scim",
      manualRole: false,
      role: null,
    });
    const xml = await idp.respond({
      destination: s.acsUrl,
      audience: s.spEntityId,
      nameId: "ivy@acme.test",
      attributes: { groups: ["Admins"], firstName: ["Changed"] },
    });
    await postAcs(t, s.org, xml).expect(302);
    const user = await t.db.prisma.user.findFirstOrThrow({ where: { orgId: s.org.id } });
    expect(user).toMatchObject({ firstName: "Ivy", role: "Admin", ssoSubject: "ivy@acme.test" });
  });
});
