// What the portal watches on an SSO connection: when the IdP's signing certificates expire
// (a SAML connection stops working the moment its only certificate does; OIDC keys rotate
// through the issuer's JWKS, so there is nothing to watch there).
import type { SsoConnectionRecord } from "./protocol";
import { describeCertificate } from "./saml/certificates";
import { samlConfigOf } from "./saml/saml-config";

const DAY_MS = 86_400_000;
/** The banner on every admin page appears this many days before the soonest expiry. */
export const CERTIFICATE_WARNING_DAYS = 30;

/** notAfter of each configured IdP signing certificate, soonest first. */
export function certificateExpiries(record: Pick<SsoConnectionRecord, "protocol" | "config">): Date[] {
  if (record.protocol !== "saml") return [];
  return samlConfigOf(record.config)
    .idpCertificates.map((pem) => new Date(describeCertificate(pem).notAfter))
    .sort((a, b) => a.getTime() - b.getTime());
}

/**
 * Whole days left until the soonest certificate expires (negative once expired), or null when
 * the connection has none to watch.
 */
export function certificateDaysLeft(
  record: Pick<SsoConnectionRecord, "protocol" | "config">,
  now: Date,
): number | null {
  const soonest = certificateExpiries(record)[0];
  return soonest ? Math.floor((soonest.getTime() - now.getTime()) / DAY_MS) : null;
}

/** Whether the admin pages should warn: within the window, or already expired. */
export const certificateNeedsWarning = (daysLeft: number | null): boolean =>
  daysLeft !== null && daysLeft <= CERTIFICATE_WARNING_DAYS;
