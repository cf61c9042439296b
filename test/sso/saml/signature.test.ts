// The signature checks the ACS owns since it verifies the XML signature itself (signature.ts,
// signed-assertion.ts; docs/decisions.md, "SAML signature verified on our parsed document"):
// each response below is built and signed with xml-crypto the way an attacker could, posted to
// the real ACS, and refused with its exact reason and no session (or accepted, for the shapes a
// real IdP sends). IdP-initiated, so no AuthnRequest is needed.
import request from "supertest";
import { createTestApp, type TestApp } from "../../support/app";
import {
  ALG,
  TRUSTED,
  UNTRUSTED,
  buildResponse,
  encryptAssertion,
  sign,
  type ResponseParts,
} from "../../support/saml-signer";
import { expectRefused, postAcs, sessionCount } from "./saml-flow";
import type { Organization } from "../../../src/generated/prisma/client";
import { SignatureRefused, verifiedXmlOf } from "../../../src/sso/saml/signature";
import { NS, descendantsNamed, idIndexOf, parseStrict } from "../../../src/sso/saml/xml";

const ISSUER = "https://idp.test/xml-crypto";
let t: TestApp;
let org: Organization;
let parts: ResponseParts;
let spCertPem = "";
let n = 0;

beforeAll(async () => {
  t = await createTestApp();
  org = await t.given.org();
  const apiKey = await t.given.apiKey(org);
  await t.given.rules(org, [{ group: "Admins", role: "Admin" }]);
  const api = (method: "put" | "post", path: string) =>
    request(t.app)[method](`/api/v1/orgs/${org.slug}${path}`).set("Authorization", `Bearer ${apiKey}`);
  await api("put", "/sso-connection")
    .send({
      protocol: "saml",
      idpEntityId: ISSUER,
      idpSsoUrl: "https://idp.test/sso",
      idpCertificates: [TRUSTED.certPem],
      allowIdpInitiated: true,
    })
    .expect(201);
  await api("post", "/sso-connection/enable").expect(200);
  const base = `${t.config.baseUrl}/sso/${org.slug}`;
  parts = { issuer: ISSUER, acsUrl: `${base}/saml/acs`, audience: `${base}/saml/metadata`, nameId: "" };
  const metadata = await request(t.app).get(`/sso/${org.slug}/saml/metadata`).expect(200);
  const der =
    /<KeyDescriptor use="encryption">[\s\S]*?<ds:X509Certificate>([^<]+)</.exec(metadata.text)?.[1] ?? "";
  // OpenSSL reads PEM lines of at most 64 characters.
  const lines = der
    .replace(/\s+/g, "")
    .match(/.{1,64}/g)
    ?.join("\n");
  spCertPem = `-----BEGIN CERTIFICATE-----\n${lines}\n-----END CERTIFICATE-----\n`;
});
afterAll(() => t.close());

/** A fresh response for a new person (each sign-in is a first use). */
const fresh = (over: Partial<ResponseParts> = {}) =>
  buildResponse({ ...parts, nameId: `person${++n}@acme.test`, ...over });

type Case = [name: string, expected: string | 302, make: () => string | Promise<string>];

const CASES: Case[] = [
  [
    "response.unsigned.assertion-signed",
    302,
    () => {
      const r = fresh();
      return sign(r.xml, { references: [r.assertionId] });
    },
  ],
  [
    "response.signed.assertion-unsigned",
    302,
    () => {
      const r = fresh();
      return sign(r.xml, { references: [r.responseId] });
    },
  ],
  [
    "response.signed.assertion-signed",
    302,
    () => {
      const r = fresh();
      return sign(sign(r.xml, { references: [r.assertionId] }), { references: [r.responseId] });
    },
  ],
  [
    "response.unsigned.assertion-signed.rsa-sha1 (accepted as node-saml accepted it)",
    302,
    () => {
      const r = fresh();
      return sign(r.xml, {
        references: [r.assertionId],
        signatureAlgorithm: ALG.rsaSha1,
        digestAlgorithm: ALG.sha1,
      });
    },
  ],
  [
    "response.unsigned.encrypted-assertion-signed",
    302,
    () => {
      const r = fresh();
      return encryptAssertion(sign(r.xml, { references: [r.assertionId] }), spCertPem);
    },
  ],
  [
    "response.signed.encrypted-assertion-unsigned",
    302,
    async () => {
      const r = fresh();
      return sign(await encryptAssertion(r.xml, spCertPem), { references: [r.responseId] });
    },
  ],
  [
    "response.unsigned.encrypted-assertion-unsigned",
    "signature_invalid",
    () => encryptAssertion(fresh().xml, spCertPem),
  ],
  [
    "response.unsigned.encrypted-assertion-signed.comment-in-nameid",
    "decryption_failed",
    () => {
      const r = fresh({ nameId: "admin@acme.test.evil.test" });
      const signed = sign(r.xml, { references: [r.assertionId] });
      return encryptAssertion(
        signed.replace(">admin@acme.test.evil.test<", ">admin@acme.test<!---->.evil.test<"),
        spCertPem,
      );
    },
  ],
  [
    "response.unsigned.encrypted-assertion-for-another-key",
    "decryption_failed",
    () => {
      const r = fresh();
      return encryptAssertion(sign(r.xml, { references: [r.assertionId] }), UNTRUSTED.certPem);
    },
  ],
  [
    "response.unsigned.assertion-signed-by-untrusted-key",
    "signature_invalid",
    () => {
      const r = fresh();
      return sign(r.xml, { references: [r.assertionId], key: UNTRUSTED });
    },
  ],
  [
    "response.unsigned.assertion-signature-stripped",
    "signature_invalid",
    () => {
      const r = fresh();
      return sign(r.xml, { references: [r.assertionId] }).replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, "");
    },
  ],
  [
    "response.unsigned.assertion-signed.signature-value-altered",
    "signature_invalid",
    () => {
      const r = fresh();
      return sign(r.xml, { references: [r.assertionId] }).replace(
        /<ds:SignatureValue>(.)/,
        (_m, c: string) => `<ds:SignatureValue>${c === "A" ? "B" : "A"}`,
      );
    },
  ],
  [
    "response.unsigned.assertion-carries-signature-of-response",
    "signature_invalid",
    () => {
      const r = fresh();
      return sign(r.xml, { references: [r.responseId], placeIn: r.assertionId });
    },
  ],
  [
    "response.carries-signature-of-assertion.assertion-unsigned",
    "signature_invalid",
    () => {
      const r = fresh();
      return sign(r.xml, { references: [r.assertionId], placeIn: r.responseId });
    },
  ],
  [
    "response.unsigned.assertion-signed.nameid-edited-after-signing",
    "signature_invalid",
    () => {
      const r = fresh({ nameId: "victim@acme.test" });
      return sign(r.xml, { references: [r.assertionId] }).replace(">victim@acme.test<", ">admin@acme.test<");
    },
  ],
  [
    "response.unsigned.assertion-named-by-Id-not-ID.signed",
    "signature_invalid",
    () => {
      const r = fresh();
      return sign(r.xml.replace(`ID="${r.assertionId}"`, `Id="${r.assertionId}"`), {
        references: [r.assertionId],
      });
    },
  ],
  [
    "response.unsigned.assertion-signed.reference-to-missing-id",
    "signature_invalid",
    () => {
      const r = fresh();
      return sign(r.xml, { references: [r.assertionId] }).replace(
        `URI="#${r.assertionId}"`,
        'URI="#_nowhere"',
      );
    },
  ],
  [
    "response.unsigned.assertion-signed.two-references",
    "signature_invalid",
    () => {
      const r = fresh();
      // Two transforms in all, so that only the one-Reference rule refuses it.
      return sign(r.xml, {
        references: [r.assertionId, r.responseId],
        transformsByReference: [[ALG.enveloped], [ALG.excC14n]],
      });
    },
  ],
  [
    "response.unsigned.assertion-signed-twice",
    "signature_invalid",
    () => {
      const r = fresh();
      return sign(sign(r.xml, { references: [r.assertionId] }), { references: [r.assertionId] });
    },
  ],
  [
    "response.unsigned.assertion-carries-its-signature-twice",
    "signature_invalid",
    () => {
      const r = fresh();
      const signed = sign(r.xml, { references: [r.assertionId] });
      const signature = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(signed)?.[0] ?? "";
      return signed.replace(signature, signature + signature);
    },
  ],
  [
    "response.unsigned.assertion-signed.second-signedinfo-without-transforms",
    "signature_invalid",
    () => {
      const r = fresh();
      const signed = sign(r.xml, { references: [r.assertionId] });
      const signedInfo = /<ds:SignedInfo>[\s\S]*<\/ds:SignedInfo>/.exec(signed)?.[0] ?? "";
      return signed.replace(
        signedInfo,
        signedInfo + signedInfo.replace(/<ds:Transforms>[\s\S]*<\/ds:Transforms>/, ""),
      );
    },
  ],
  [
    "response.unsigned.assertion-signed.three-transforms",
    "signature_invalid",
    () => {
      const r = fresh();
      return sign(r.xml, {
        references: [r.assertionId],
        transforms: [ALG.enveloped, ALG.excC14n, ALG.excC14n],
      });
    },
  ],
  [
    "response.unsigned.assertion-signed.hmac-keyed-with-the-idp-certificate",
    "signature_invalid",
    () => {
      const r = fresh();
      return sign(r.xml, { references: [r.assertionId], signatureAlgorithm: ALG.hmacSha1 });
    },
  ],
  [
    "response.signed-by-untrusted-key.assertion-unsigned",
    "signature_invalid",
    () => {
      const r = fresh();
      return sign(r.xml, { references: [r.responseId], key: UNTRUSTED });
    },
  ],
  [
    "response.unsigned.assertion-signed.status-repeats-its-id-as-Id",
    "signature_wrapping",
    () => {
      const r = fresh();
      const signed = sign(r.xml, { references: [r.assertionId] });
      return signed.replace("<samlp:StatusCode ", `<samlp:StatusCode Id="${r.assertionId}" `);
    },
  ],
  [
    "response.unsigned.assertion-signed.status-repeats-its-id-as-namespaced-ID",
    "signature_wrapping",
    () => {
      const r = fresh();
      const signed = sign(r.xml, { references: [r.assertionId] });
      return signed.replace(
        "<samlp:StatusCode ",
        `<samlp:StatusCode xmlns:x="urn:x" x:ID="${r.assertionId}" `,
      );
    },
  ],
  [
    "response.unsigned.assertion-signed.two-conditions",
    "response_invalid",
    () => {
      const r = fresh({
        assertionExtra: `<saml:Conditions><saml:AudienceRestriction><saml:Audience>https://other.test</saml:Audience></saml:AudienceRestriction></saml:Conditions>`,
      });
      return sign(r.xml, { references: [r.assertionId] });
    },
  ],
];

describe("verifiedXmlOf alone, without the wrapping check in front of it", () => {
  const certs = [TRUSTED.certPem];
  const assertionOf = (xml: string) => {
    const doc = parseStrict(xml);
    const assertion = descendantsNamed(doc, NS.assertion, "Assertion")[0] as Element;
    return { doc, assertion, ids: idIndexOf(doc.documentElement) };
  };

  test("when the signed assertion's ID is also another element's, then the signature is refused", () => {
    const r = fresh();
    const signed = sign(r.xml, { references: [r.assertionId] });
    const { assertion, ids } = assertionOf(
      signed.replace("<samlp:StatusCode ", `<samlp:StatusCode ID="${r.assertionId}" `),
    );
    expect(() => verifiedXmlOf(assertion, ids, certs)).toThrow(SignatureRefused);
  });

  test("when the assertion is signed, then the signed bytes are its canonical form without the signature", () => {
    const r = fresh();
    const { assertion, ids } = assertionOf(sign(r.xml, { references: [r.assertionId] }));
    const signedXml = verifiedXmlOf(assertion, ids, certs) ?? "";
    expect(
      signedXml.startsWith(
        `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${r.assertionId}"`,
      ),
    ).toBe(true);
    expect(signedXml).not.toContain("Signature");
    expect(verifiedXmlOf(assertion, ids, [UNTRUSTED.certPem])).toBeNull();
  });

  test("when the signature lists inclusive namespaces an ancestor declares, then it verifies and the posted document is unchanged", () => {
    // The canonicalizer declares such prefixes on the element it reads (the assertion, the
    // SignedInfo): that must happen on a copy, not on the document the later checks read.
    const r = fresh();
    const signed = sign(r.xml, { references: [r.assertionId], inclusiveNamespaces: ["samlp"] });
    expect(signed).toMatch(/<ds:CanonicalizationMethod [^>]*><InclusiveNamespaces PrefixList="samlp"/);
    const { doc, assertion, ids } = assertionOf(signed);
    const before = doc.toString();
    const signedXml = verifiedXmlOf(assertion, ids, certs) ?? "";
    expect(signedXml).toContain('xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"');
    expect(doc.toString()).toBe(before);
  });
});

describe("signature checks of the ACS", () => {
  test.each(CASES)("when the ACS receives %s, then it answers %s", async (_name, expected, make) => {
    const before = await sessionCount(t, org);
    const res = await postAcs(t, org, await make());
    if (expected === 302) {
      expect(res.status).toBe(302);
      expect(await sessionCount(t, org)).toBe(before + 1);
    } else {
      await expectRefused(t, org, res, expected, 401, before);
    }
  });
});
