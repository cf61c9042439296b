// A service provider key pair: signs our AuthnRequests and decrypts encrypted assertions. Each
// organization gets its own (a leak stays in one tenant); sp-key-store.ts keeps it.
import { generateKeyPair, randomBytes } from "node:crypto";
import { promisify } from "node:util";
import forge from "node-forge";

export interface SpKeyPair {
  certificatePem: string;
  privateKeyPem: string;
}

const VALID_YEARS = 10;

/**
 * A fresh RSA-2048 key and a self-signed certificate (SAML metadata only carries the key). The
 * key is made off the event loop: an unauthenticated metadata request may be what asks for it.
 */
export async function generateSpKeyPair(commonName: string, now: Date): Promise<SpKeyPair> {
  const { privateKey, publicKey } = await promisify(generateKeyPair)("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  // Positive serial: a leading 0x00..0x7f byte keeps the DER INTEGER non-negative.
  cert.serialNumber = `01${randomBytes(15).toString("hex")}`;
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(now.getTime());
  cert.validity.notAfter.setUTCFullYear(now.getUTCFullYear() + VALID_YEARS);
  const subject = [{ name: "commonName", value: commonName.slice(0, 64) }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, dataEncipherment: true },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(privateKey), forge.md.sha256.create());
  return { certificatePem: forge.pki.certificateToPem(cert), privateKeyPem: privateKey };
}
