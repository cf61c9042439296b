// IdP signing certificates as configured by an admin: PEM or bare base64 DER, checked to be an
// X.509 certificate with an RSA or EC key, stored as normalized PEM. These are the only keys a
// signature is ever checked against (never a key or certificate carried by the message).
import { X509Certificate } from "node:crypto";

export interface CertificateInfo {
  pem: string;
  subject: string;
  notAfter: string;
  fingerprintSha256: string;
}

/** Normalized PEM, or an error message saying what is wrong. */
export function normalizeCertificate(input: string): { pem: string } | { error: string } {
  const body = input
    .replace(/-----BEGIN CERTIFICATE-----/g, "")
    .replace(/-----END CERTIFICATE-----/g, "")
    .replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body))
    return { error: "is not a PEM certificate (base64 between BEGIN/END CERTIFICATE)" };
  const pem = `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)?.join("\n")}\n-----END CERTIFICATE-----\n`;
  try {
    const cert = new X509Certificate(pem);
    const type = cert.publicKey.asymmetricKeyType;
    if (type !== "rsa" && type !== "ec")
      return { error: `has an unsupported ${type} key (RSA or EC expected)` };
  } catch {
    return { error: "is not a valid X.509 certificate" };
  }
  return { pem };
}

export function describeCertificate(pem: string): CertificateInfo {
  const cert = new X509Certificate(pem);
  return {
    pem,
    subject: cert.subject,
    notAfter: new Date(cert.validTo).toISOString(),
    fingerprintSha256: cert.fingerprint256,
  };
}
