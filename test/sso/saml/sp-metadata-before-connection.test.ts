// Issue 13 item 1: an IT admin creates the app in Okta or Entra from our SP metadata first, then
// pastes the IdP's metadata back. The metadata is served as soon as the organization exists,
// and the connection configured later uses the very key pair that metadata published.
import request from "supertest";
import { createTestApp, type TestApp } from "../../support/app";
import { startSamlIdps, type SamlIdp, type SamlIdpPool } from "../../support/saml-idp";
import { postAcs, sessionCount, startLogin } from "./saml-flow";

let t: TestApp;
let pool: SamlIdpPool;
let idp: SamlIdp;

beforeAll(async () => {
  t = await createTestApp();
  pool = startSamlIdps();
  idp = pool.create("https://idp.test/entra");
});
afterAll(async () => {
  await pool.close();
  await t.close();
});

const certOf = (xml: string, use: "signing" | "encryption") =>
  new RegExp(`<KeyDescriptor use="${use}">[\\s\\S]*?<ds:X509Certificate>([^<]+)<`)
    .exec(xml)?.[1]
    ?.replace(/\s+/g, "");
const pemBody = (pem: string) => pem.replace(/-----[^-]+-----|\s+/g, "");

async function orgWithKey() {
  const org = await t.given.org();
  const key = await t.given.apiKey(org);
  await t.given.rules(org, [{ group: "Admins", role: "Admin" }]);
  return { org, key };
}

const putSaml = (slug: string, key: string) =>
  request(t.app)
    .put(`/api/v1/orgs/${slug}/sso-connection`)
    .set("Authorization", `Bearer ${key}`)
    .send({ protocol: "saml", idpMetadataXml: idp.metadataXml() });

describe("SP metadata before any SSO connection (issue 13 item 1)", () => {
  test("when the organization has no SSO connection yet, then GET /sso/{org}/saml/metadata serves the entity id, the ACS URL and the signing and encryption certificate", async () => {
    const { org } = await orgWithKey();
    const res = await request(t.app).get(`/sso/${org.slug}/saml/metadata`).expect(200);
    expect(res.headers["content-type"]).toMatch(/application\/samlmetadata\+xml/);
    expect(res.text).toContain(`entityID="http://sso.test/sso/${org.slug}/saml/metadata"`);
    expect(res.text).toContain(`Location="http://sso.test/sso/${org.slug}/saml/acs"`);
    expect(res.text).toContain("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress");
    const signing = certOf(res.text, "signing");
    expect(signing).toMatch(/^MII/);
    expect(certOf(res.text, "encryption")).toBe(signing);
    expect(res.text).not.toMatch(/PRIVATE KEY/);
    // The same pair on every later request; its private key is encrypted at rest.
    const again = await request(t.app).get(`/sso/${org.slug}/saml/metadata`).expect(200);
    expect(certOf(again.text, "signing")).toBe(signing);
    const row = await t.db.prisma.samlSpKey.findUniqueOrThrow({ where: { orgId: org.id } });
    expect(row.privateKey).toMatch(/^v1\./);
    expect(await t.db.prisma.ssoConnection.count({ where: { orgId: org.id } })).toBe(0);
  });

  test("when the connection is configured after the IdP took our metadata, then it shows the same certificate and an assertion encrypted for it signs in", async () => {
    const { org, key } = await orgWithKey();
    const early = await request(t.app).get(`/sso/${org.slug}/saml/metadata`).expect(200);
    const published = certOf(early.text, "encryption") as string;

    const created = await putSaml(org.slug, key).expect(201);
    expect(pemBody(created.body.serviceProvider.certificate)).toBe(published);
    await request(t.app)
      .post(`/api/v1/orgs/${org.slug}/sso-connection/enable`)
      .set("Authorization", `Bearer ${key}`)
      .expect(200);

    const base = `http://sso.test/sso/${org.slug}`;
    const login = await startLogin(t, org);
    const xml = await idp.respond({
      destination: `${base}/saml/acs`,
      audience: `${base}/saml/metadata`,
      inResponseTo: login.id,
      nameId: "first@acme.test",
      attributes: { groups: ["Admins"] },
      encryptCertPem: `-----BEGIN CERTIFICATE-----\n${published}\n-----END CERTIFICATE-----\n`,
      spMetadataXml: early.text,
      signAssertion: true,
    });
    expect(xml).toContain("EncryptedAssertion");
    await postAcs(t, org, xml).expect(302);
    expect(await sessionCount(t, org)).toBe(1);
  });

  test("when the connection is deleted and configured again, then the SP certificate stays the same", async () => {
    const { org, key } = await orgWithKey();
    const first = await putSaml(org.slug, key).expect(201);
    await request(t.app)
      .delete(`/api/v1/orgs/${org.slug}/sso-connection`)
      .set("Authorization", `Bearer ${key}`)
      .expect(204);
    const metadata = await request(t.app).get(`/sso/${org.slug}/saml/metadata`).expect(200);
    expect(certOf(metadata.text, "signing")).toBe(pemBody(first.body.serviceProvider.certificate));
    const second = await putSaml(org.slug, key).expect(201);
    expect(second.body.serviceProvider.certificate).toBe(first.body.serviceProvider.certificate);
  });

  test("when a connection stored before saml_sp_keys carries its own key pair, then the metadata and the next PUT keep that pair", async () => {
    const { org, key } = await orgWithKey();
    // A connection as it was stored before: the certificate in config, the key in its secrets.
    await putSaml(org.slug, key).expect(201);
    const theirs = await t.db.prisma.samlSpKey.findUniqueOrThrow({ where: { orgId: org.id } });
    const legacyPem = theirs.certificate;
    const row = await t.db.prisma.ssoConnection.findUniqueOrThrow({ where: { orgId: org.id } });
    await t.db.prisma.samlSpKey.delete({ where: { orgId: org.id } });
    await t.db.prisma.ssoConnection.update({
      where: { orgId: org.id },
      data: {
        config: { ...(row.config as object), spCertificate: legacyPem },
        secrets: t.services.cipher.encrypt(
          JSON.stringify({ spPrivateKey: t.services.cipher.decrypt(theirs.privateKey) }),
        ),
      },
    });
    const metadata = await request(t.app).get(`/sso/${org.slug}/saml/metadata`).expect(200);
    expect(certOf(metadata.text, "signing")).toBe(pemBody(legacyPem));
    const again = await putSaml(org.slug, key).expect(200);
    expect(again.body.serviceProvider.certificate).toBe(legacyPem);
  });

  test("when several first requests for the metadata arrive at once, then they all serve the one stored certificate", async () => {
    const { org } = await orgWithKey();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => request(t.app).get(`/sso/${org.slug}/saml/metadata`).expect(200)),
    );
    const row = await t.db.prisma.samlSpKey.findUniqueOrThrow({ where: { orgId: org.id } });
    for (const res of answers) expect(certOf(res.text, "signing")).toBe(pemBody(row.certificate));
  });

  test("when the organization does not exist, then the metadata URL answers a 404 page", async () => {
    const res = await request(t.app).get("/sso/no-such-org/saml/metadata").expect(404);
    expect(res.headers["content-type"]).toMatch(/text\/html/);
  });
});
