// The organization's single sign-on state in the words the portal uses: no connection yet, a
// connection that is off, or on (contract section 3: "SSO on"), and when the IdP's signing
// certificate runs out (the latest of the configured ones: during a rollover the new one counts).
import type { Db } from "../db/client";
import { describeCertificate } from "./saml/certificates";

export type SsoState = "not_set_up" | "off" | "on";

export interface SsoSummary {
  state: SsoState;
  protocol: "saml" | "oidc" | null;
  certificateNotAfter: Date | null;
}

/** Warn on every admin page from this many days before the certificate expires. */
export const CERTIFICATE_WARNING_DAYS = 30;

/** The latest notAfter of the configured IdP signing certificates, or null (none, or OIDC). */
export function latestNotAfter(config: unknown): Date | null {
  const pems = (config as { idpCertificates?: unknown } | null)?.idpCertificates;
  if (!Array.isArray(pems)) return null;
  let latest: Date | null = null;
  for (const pem of pems) {
    if (typeof pem !== "string") continue;
    try {
      const notAfter = new Date(describeCertificate(pem).notAfter);
      if (!latest || notAfter > latest) latest = notAfter;
    } catch {
      // A stored certificate was checked when it was saved; an unreadable one warns nobody.
    }
  }
  return latest;
}

export async function ssoSummaryOf(db: Db, orgId: string): Promise<SsoSummary> {
  const row = await db.ssoConnection.findUnique({
    where: { orgId },
    select: { enabled: true, protocol: true, config: true },
  });
  if (!row) return { state: "not_set_up", protocol: null, certificateNotAfter: null };
  return {
    state: row.enabled ? "on" : "off",
    protocol: row.protocol,
    certificateNotAfter: row.protocol === "saml" ? latestNotAfter(row.config) : null,
  };
}

export async function ssoStateOf(db: Db, orgId: string): Promise<SsoState> {
  const row = await db.ssoConnection.findUnique({ where: { orgId }, select: { enabled: true } });
  return !row ? "not_set_up" : row.enabled ? "on" : "off";
}

/** Whole days until a certificate expires (negative once expired). */
export const daysUntil = (notAfter: Date, now: Date): number =>
  Math.floor((notAfter.getTime() - now.getTime()) / 86_400_000);

/** Days left before the certificate expires when within the warning window (negative: expired). */
export function certificateWarning(
  summary: SsoSummary,
  now: Date,
): { daysLeft: number; notAfter: Date } | null {
  const notAfter = summary.certificateNotAfter;
  if (!notAfter) return null;
  const daysLeft = daysUntil(notAfter, now);
  return daysLeft < CERTIFICATE_WARNING_DAYS ? { daysLeft, notAfter } : null;
}
