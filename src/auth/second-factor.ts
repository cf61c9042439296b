// TOTP (RFC 6238, otplib) and recovery codes. The TOTP secret is stored encrypted (AES-GCM);
// recovery codes are random, shown once, and stored as sha256 hashes, each usable once.
import { randomBytes } from "node:crypto";
import { generateSecret, generateURI, verifySync } from "otplib";
import type { Db } from "../db/client";
import type { User } from "../generated/prisma/client";
import type { Cipher } from "../shared/crypto";
import { sha256 } from "../shared/crypto";

export const RECOVERY_CODE_COUNT = 10;
const ISSUER = "sso-bridge";

export const newTotpSecret = (): string => generateSecret();

export const totpUri = (secret: string, orgName: string, email: string): string =>
  generateURI({ issuer: `${ISSUER} (${orgName})`, label: email, secret });

/**
 * The time step of a valid code, or null. One step (30 s) of drift either way, as RFC 6238
 * section 5.2 recommends for clock skew.
 */
export function checkTotp(secret: string, code: string, now: Date): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const result = verifySync({
    secret,
    token: code,
    epoch: Math.floor(now.getTime() / 1000),
    epochTolerance: 30,
  });
  return result.valid && "timeStep" in result ? result.timeStep : null;
}

const normalizeRecovery = (code: string): string => code.replace(/[\s-]/g, "").toLowerCase();

export function newRecoveryCodes(): { codes: string[]; hashes: string[] } {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const hex = randomBytes(5).toString("hex");
    return `${hex.slice(0, 5)}-${hex.slice(5)}`;
  });
  return { codes, hashes: codes.map((c) => sha256(normalizeRecovery(c))) };
}

/**
 * Checks a TOTP code (once per time step), or else a recovery code (which is then spent: removed in the same
 * statement that checks it is still there, so two concurrent uses cannot both succeed).
 */
export async function verifySecondFactor(
  db: Db,
  cipher: Cipher,
  user: Pick<User, "id" | "totpSecret" | "recoveryCodes">,
  code: string,
  now: Date,
): Promise<"totp" | "recovery" | null> {
  if (!user.totpSecret) return null;
  const trimmed = code.trim();
  const step = checkTotp(cipher.decrypt(user.totpSecret), trimmed, now);
  if (step !== null) {
    // RFC 6238 section 5.2: a code is accepted once. Recording its step in the statement that
    // checks no later step was used means a replayed (or concurrently reused) code fails.
    const { count } = await db.user.updateMany({
      where: { id: user.id, OR: [{ totpLastStep: null }, { totpLastStep: { lt: step } }] },
      data: { totpLastStep: step },
    });
    return count === 1 ? "totp" : null;
  }
  const hash = sha256(normalizeRecovery(trimmed));
  if (!user.recoveryCodes.includes(hash)) return null;
  const { count } = await db.user.updateMany({
    where: { id: user.id, recoveryCodes: { has: hash } },
    data: { recoveryCodes: user.recoveryCodes.filter((h) => h !== hash) },
  });
  return count === 1 ? "recovery" : null;
}
