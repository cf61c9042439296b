// Every known attack on a SAML ACS, each refused with its exact reason and no session. The
// responses are made and signed by a real IdP (pysaml2 + xmlsec1), then tampered the way an
// attacker would; each case is named like the fixture it stands for.
import request from "supertest";
import { createTestApp, type TestApp } from "../../support/app";
import { startSamlIdps, type ResponseRequest, type SamlIdp, type SamlIdpPool } from "../../support/saml-idp";
import { expectRefused, postAcs, samlOrg, startLogin, type SamlOrg } from "./saml-flow";
import { EVIL, XSW, tamper } from "./tamper";

let t: TestApp;
let pool: SamlIdpPool;
let idp: SamlIdp;
let attacker: SamlIdp;
let acme: SamlOrg;
let other: SamlOrg;
let clockOffsetMs = 0;

beforeAll(async () => {
  t = await createTestApp({}, { clock: () => new Date(Date.now() + clockOffsetMs) });
  pool = startSamlIdps();
  idp = pool.create("https://idp.test/entra");
  attacker = pool.create("https://idp.test/entra");
  acme = await samlOrg(t, idp);
  other = await samlOrg(t, idp);
});
afterAll(async () => {
  await pool.close();
  await t.close();
});
afterEach(() => {
  clockOffsetMs = 0;
});

/** A response the IdP makes for a fresh AuthnRequest of `s` (SP-initiated). */
async function answer(s: SamlOrg, overrides: Partial<ResponseRequest> = {}, signer = idp): Promise<string> {
  const login = await startLogin(t, s.org);
  return signer.respond({
    destination: s.acsUrl,
    audience: s.spEntityId,
    inResponseTo: login.id,
    nameId: "victim@acme.test",
    attributes: { groups: ["Admins"] },
    spMetadataXml: s.spMetadataXml,
    ...overrides,
  });
}

type Case = [fixture: string, reason: string, make: () => Promise<string>];

const xswCases: Case[] = Object.entries(XSW).map(([fixture, wrap]) => [
  fixture,
  "signature_wrapping",
  async () => wrap(await answer(acme, { signResponse: fixture.includes("signed-response") })),
]);

const CASES: Case[] = [
  [
    "response.unsigned.assertion-unsigned.xml",
    "signature_invalid",
    () => answer(acme, { signAssertion: false, signResponse: false }),
  ],
  [
    "response.assertion-signed-by-other-key.xml",
    "signature_invalid",
    async () => tamper.dropKeyInfo(await answer(acme, {}, attacker)),
  ],
  ["response.assertion-signed-by-keyinfo-key.xml", "signature_invalid", () => answer(acme, {}, attacker)],
  ...xswCases,
  [
    "response.signed.nameid-edited-after-signing.xml",
    "signature_invalid",
    async () => tamper.nameIdEdited(await answer(acme), "victim@acme.test"),
  ],
  [
    "response.signed.comment-injected-in-nameid.xml",
    "xml_comment",
    async () =>
      tamper.commentInNameId(await answer(acme, { nameId: `${EVIL}.evil.test` }), `${EVIL}.evil.test`, EVIL),
  ],
  [
    "response.signed.comment-in-digestvalue.xml",
    "xml_comment",
    async () => tamper.commentInDigestValue(await answer(acme)),
  ],
  [
    "response.signed.two-signedinfo.xml",
    "signature_invalid",
    async () => tamper.twoSignedInfo(await answer(acme)),
  ],
  [
    "response.signed.two-root-elements.xml",
    "response_malformed",
    async () => tamper.twoRoots(await answer(acme)),
  ],
  ["response.signed.doctype-xxe.xml", "doctype_forbidden", async () => tamper.doctype(await answer(acme))],
  [
    "response.signed.wrong-audience.xml",
    "audience_mismatch",
    () => answer(acme, { audience: "https://other-sp.test/metadata" }),
  ],
  [
    "response.signed.wrong-recipient.xml",
    "recipient_mismatch",
    () => answer(acme, { recipient: "https://evil.test/acs" }),
  ],
  [
    "response.signed.wrong-destination.xml",
    "destination_mismatch",
    () => answer(acme, { destination: "https://evil.test/acs", recipient: acme.acsUrl }),
  ],
  [
    "response.signed.unknown-in-response-to.xml",
    "in_response_to_unknown",
    () => answer(acme, { inResponseTo: "_0123456789abcdef0123456789abcdef01234567" }),
  ],
  [
    "response.signed.idp-initiated-not-allowed.xml",
    "idp_initiated_not_allowed",
    () => answer(acme, { inResponseTo: null }),
  ],
  [
    "response.signed.for-another-organization.destination-rewritten.xml",
    "audience_mismatch",
    async () => tamper.setDestination(await answer(other), acme.acsUrl),
  ],
  [
    "response.signed.in-response-to-another-organizations-request.xml",
    "in_response_to_unknown",
    async () => answer(acme, { inResponseTo: (await startLogin(t, other.org)).id }),
  ],
];

describe("refused responses", () => {
  test.each(CASES)(
    "when the ACS receives %s, then it is refused with %s and no session",
    async (_fixture, reason, make) => {
      const xml = await make();
      await expectRefused(t, acme.org, await postAcs(t, acme.org, xml), reason);
    },
  );

  test("when the SAMLResponse comes in the query string, then it is refused with response_malformed", async () => {
    const xml = await answer(acme);
    const res = await request(t.app)
      .post(`/sso/${acme.org.slug}/saml/acs`)
      .query({ SAMLResponse: Buffer.from(xml).toString("base64") })
      .type("form")
      .send({ SAMLResponse: Buffer.from(xml).toString("base64") });
    await expectRefused(t, acme.org, res, "response_malformed");
  });

  test("when no SAMLResponse is posted, then it is refused with response_missing", async () => {
    await expectRefused(
      t,
      acme.org,
      await request(t.app).post(`/sso/${acme.org.slug}/saml/acs`).type("form").send({}),
      "response_missing",
    );
  });
});

describe("validity window (60 s skew)", () => {
  test("when our clock is past NotOnOrAfter by more than 60 s, then the assertion is refused as expired", async () => {
    const xml = await answer(acme, { lifetimeMinutes: 5 });
    clockOffsetMs = 5 * 60_000 + 90_000;
    await expectRefused(t, acme.org, await postAcs(t, acme.org, xml), "expired");
  });

  test("when our clock is before NotBefore by more than 60 s, then the assertion is refused as not yet valid", async () => {
    const xml = await answer(acme);
    clockOffsetMs = -90_000;
    await expectRefused(t, acme.org, await postAcs(t, acme.org, xml), "not_yet_valid");
  });

  test("when our clock is 30 s behind the IdP's, then the skew is tolerated and the sign-in works", async () => {
    const s = await samlOrg(t, idp);
    const xml = await answer(s);
    clockOffsetMs = -30_000;
    await postAcs(t, s.org, xml).expect(302);
  });
});

describe("one-time use", () => {
  test("when an accepted assertion is posted again, then the replay is refused with assertion_replayed", async () => {
    const s = await samlOrg(t, idp, { allowIdpInitiated: true });
    const xml = await idp.respond({
      destination: s.acsUrl,
      audience: s.spEntityId,
      nameId: "replay@acme.test",
      attributes: { groups: ["Admins"] },
    });
    await postAcs(t, s.org, xml).expect(302);
    await expectRefused(t, s.org, await postAcs(t, s.org, xml), "assertion_replayed", 401, 1);
  });

  test("when a second response answers an already answered AuthnRequest, then it is refused with in_response_to_reused", async () => {
    const s = await samlOrg(t, idp);
    const login = await startLogin(t, s.org);
    const make = () =>
      idp.respond({
        destination: s.acsUrl,
        audience: s.spEntityId,
        inResponseTo: login.id,
        nameId: "twice@acme.test",
        attributes: { groups: ["Admins"] },
      });
    await postAcs(t, s.org, await make()).expect(302);
    await expectRefused(t, s.org, await postAcs(t, s.org, await make()), "in_response_to_reused", 401, 1);
  });

  test("when the connection is turned off, then a valid response is refused with sso_disabled", async () => {
    const s = await samlOrg(t, idp);
    const xml = await answer(s);
    await request(t.app)
      .post(`/api/v1/orgs/${s.org.slug}/sso-connection/disable`)
      .set("Authorization", `Bearer ${s.apiKey}`)
      .expect(200);
    await expectRefused(t, s.org, await postAcs(t, s.org, xml), "sso_disabled", 403);
  });
});
