// SAML Responses built and signed in this process with xml-crypto, for the signature tests: any
// element signed, the signature placed in any element, any algorithm. These are the shapes a
// real IdP never sends and an attacker can (a real IdP's responses come from saml-idp.ts).
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { SignedXml } from "xml-crypto";
import { encrypt, type EncryptOptions } from "xml-encryption";

export interface KeyPair {
  keyPem: string;
  certPem: string;
}

const fixture = (name: string) => readFileSync(path.join(__dirname, "../fixtures/saml", name), "utf8");
export const TRUSTED: KeyPair = {
  keyPem: fixture("idp.test-only.key"),
  certPem: fixture("idp.test-only.crt"),
};
export const UNTRUSTED: KeyPair = {
  keyPem: fixture("attacker.test-only.key"),
  certPem: fixture("attacker.test-only.crt"),
};

export const ALG = {
  rsaSha256: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
  rsaSha1: "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
  hmacSha1: "http://www.w3.org/2000/09/xmldsig#hmac-sha1",
  sha256: "http://www.w3.org/2001/04/xmlenc#sha256",
  sha1: "http://www.w3.org/2000/09/xmldsig#sha1",
  enveloped: "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
  excC14n: "http://www.w3.org/2001/10/xml-exc-c14n#",
} as const;

export interface ResponseParts {
  issuer: string;
  acsUrl: string;
  audience: string;
  nameId: string;
  groups?: string[];
  /** Extra XML inside the assertion, after its Conditions (e.g. a second Conditions). */
  assertionExtra?: string;
  /** Extra XML inside the Response's Status. */
  statusExtra?: string;
}

/** An unsigned IdP-initiated Response (valid for five minutes) and the ids of its two elements. */
export function buildResponse(p: ResponseParts) {
  const at = (s: number) => new Date(Date.now() + s * 1000).toISOString();
  const responseId = `_r${randomUUID().replace(/-/g, "")}`;
  const assertionId = `_a${randomUUID().replace(/-/g, "")}`;
  const values = (p.groups ?? ["Admins"])
    .map((g) => `<saml:AttributeValue>${g}</saml:AttributeValue>`)
    .join("");
  const conditions = `<saml:Conditions NotBefore="${at(-30)}" NotOnOrAfter="${at(300)}"><saml:AudienceRestriction><saml:Audience>${p.audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions>`;
  const assertion = `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${assertionId}" Version="2.0" IssueInstant="${at(0)}"><saml:Issuer>${p.issuer}</saml:Issuer><saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${p.nameId}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${at(300)}" Recipient="${p.acsUrl}"/></saml:SubjectConfirmation></saml:Subject>${conditions}${p.assertionExtra ?? ""}<saml:AuthnStatement AuthnInstant="${at(0)}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement><saml:AttributeStatement><saml:Attribute Name="groups">${values}</saml:Attribute></saml:AttributeStatement></saml:Assertion>`;
  const xml = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${responseId}" Version="2.0" IssueInstant="${at(0)}" Destination="${p.acsUrl}"><saml:Issuer>${p.issuer}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/>${p.statusExtra ?? ""}</samlp:Status>${assertion}</samlp:Response>`;
  return { xml, responseId, assertionId };
}

export interface SignOptions {
  /** The IDs the signature's References name (one Reference each). */
  references: string[];
  /** The ID of the element that receives the Signature, after its Issuer (default: the first referenced). */
  placeIn?: string;
  key?: KeyPair;
  signatureAlgorithm?: string;
  digestAlgorithm?: string;
  transforms?: string[];
  /** Transforms of each Reference, in order (instead of `transforms` for all). */
  transformsByReference?: string[][];
  /** An InclusiveNamespaces PrefixList under SignedInfo's CanonicalizationMethod and each Reference's last transform (as Okta signs). */
  inclusiveNamespaces?: string[];
}

/** Signs `xml` as asked, with the Signature placed right after the Issuer of `placeIn`. */
export function sign(xml: string, o: SignOptions): string {
  const key = o.key ?? TRUSTED;
  const hmac = o.signatureAlgorithm === ALG.hmacSha1;
  const sig = new SignedXml({
    // The HMAC attack keys the MAC with the IdP's public certificate (key confusion).
    privateKey: hmac ? key.certPem : key.keyPem,
    publicCert: key.certPem,
    signatureAlgorithm: o.signatureAlgorithm ?? ALG.rsaSha256,
    canonicalizationAlgorithm: ALG.excC14n,
    inclusiveNamespacesPrefixList: o.inclusiveNamespaces,
  });
  if (hmac) sig.enableHMAC();
  for (const [i, id] of o.references.entries()) {
    sig.addReference({
      xpath: `//*[@ID='${id}' or @Id='${id}']`,
      transforms: o.transformsByReference?.[i] ?? o.transforms ?? [ALG.enveloped, ALG.excC14n],
      digestAlgorithm: o.digestAlgorithm ?? ALG.sha256,
      inclusiveNamespacesPrefixList: o.inclusiveNamespaces,
    });
  }
  const placeIn = o.placeIn ?? o.references[0];
  sig.computeSignature(xml, {
    prefix: "ds",
    location: {
      reference: `//*[@ID='${placeIn}' or @Id='${placeIn}']/*[local-name(.)='Issuer']`,
      action: "after",
    },
  });
  return sig.getSignedXml();
}

const encryptXml = promisify(encrypt) as (xml: string, options: EncryptOptions) => Promise<string>;

/** The Response with its Assertion replaced by an EncryptedAssertion for the SP's certificate. */
export async function encryptAssertion(xml: string, spCertPem: string): Promise<string> {
  const assertion = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(xml)?.[0] ?? "";
  const encrypted = await encryptXml(assertion, {
    rsa_pub: spCertPem,
    pem: spCertPem,
    encryptionAlgorithm: "http://www.w3.org/2009/xmlenc11#aes256-gcm",
    keyEncryptionAlgorithm: "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p",
  });
  return xml.replace(assertion, `<saml:EncryptedAssertion>${encrypted}</saml:EncryptedAssertion>`);
}
