// The load benchmark's IdP (bench/load.ts): signed SAML Responses made in this process with
// xml-crypto, fast enough to feed hundreds of sign-ins a second (the tests' pysaml2 IdP takes
// a subprocess round trip per answer). IdP-initiated (no InResponseTo), the assertion signed
// (RSA-SHA256, exclusive c14n), each with a fresh assertion id: every one is a real, first-use
// sign-in for the ACS.
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { SignedXml } from "xml-crypto";

export interface BenchIdp {
  entityId: string;
  certPem: string;
  /** A signed Response for `nameId` with these groups, valid for five minutes. */
  respond(nameId: string, groups: string[]): string;
}

/** A key pair and a self-signed certificate from openssl (as an IdP's signing certificate). */
function keys(): { keyPem: string; certPem: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "bench-idp-"));
  try {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const keyFile = path.join(dir, "idp.key");
    writeFileSync(keyFile, privateKey.export({ type: "pkcs8", format: "pem" }));
    const certFile = path.join(dir, "idp.crt");
    execFileSync(
      "openssl",
      ["req", "-x509", "-key", keyFile, "-sha256", "-days", "2", "-subj", "/CN=bench-idp", "-out", certFile],
      { stdio: "ignore" },
    );
    return { keyPem: readFileSync(keyFile, "utf8"), certPem: readFileSync(certFile, "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");

export function createBenchIdp(entityId: string, sp: { acsUrl: string; entityId: string }): BenchIdp {
  const { keyPem, certPem } = keys();
  return {
    entityId,
    certPem,
    respond(nameId, groups) {
      const now = new Date();
      const at = (s: number) => new Date(now.getTime() + s * 1000).toISOString();
      const assertionId = `_a${randomUUID().replace(/-/g, "")}`;
      const values = groups.map((g) => `<saml:AttributeValue>${esc(g)}</saml:AttributeValue>`).join("");
      const assertion = `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${assertionId}" Version="2.0" IssueInstant="${at(0)}"><saml:Issuer>${esc(entityId)}</saml:Issuer><saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${esc(nameId)}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${at(300)}" Recipient="${esc(sp.acsUrl)}"/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="${at(-30)}" NotOnOrAfter="${at(300)}"><saml:AudienceRestriction><saml:Audience>${esc(sp.entityId)}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="${at(0)}" SessionIndex="${assertionId}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement><saml:AttributeStatement><saml:Attribute Name="groups">${values}</saml:Attribute></saml:AttributeStatement></saml:Assertion>`;
      const response = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r${randomUUID().replace(/-/g, "")}" Version="2.0" IssueInstant="${at(0)}" Destination="${esc(sp.acsUrl)}"><saml:Issuer>${esc(entityId)}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>${assertion}</samlp:Response>`;
      const sig = new SignedXml({
        privateKey: keyPem,
        publicCert: certPem,
        signatureAlgorithm: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        canonicalizationAlgorithm: "http://www.w3.org/2001/10/xml-exc-c14n#",
      });
      sig.addReference({
        xpath: `//*[@ID='${assertionId}']`,
        transforms: [
          "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
          "http://www.w3.org/2001/10/xml-exc-c14n#",
        ],
        digestAlgorithm: "http://www.w3.org/2001/04/xmlenc#sha256",
      });
      sig.computeSignature(response, {
        prefix: "ds",
        location: { reference: `//*[@ID='${assertionId}']/*[local-name(.)='Issuer']`, action: "after" },
      });
      return sig.getSignedXml();
    },
  };
}
