// TOTP (RFC 6238, otplib) and recovery codes (recovery-codes.ts). The TOTP secret is stored
// encrypted (AES-GCM); each recovery code is usable once.
import { generateSecret, generateURI, verifySync } from "otplib";
import type { Db } from "../db/client";
import type { User } from "../generated/prisma/client";
import type { Cipher } from "../shared/crypto";
import { matchRecoveryCode } from "./recovery-codes";

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
  const hash = matchRecoveryCode(cipher, user.recoveryCodes, trimmed);
  if (!hash) return null;
  // The list is changed by the database, not rewritten from the copy this request read: two
  // codes spent at once must both stay spent.
  const count = await db.$executeRaw`
    UPDATE users SET recovery_codes = array_remove(recovery_codes, ${hash}), updated_at = ${now}::timestamptz
    WHERE id = ${user.id}::uuid AND ${hash} = ANY(recovery_codes)`;
  return count === 1 ? "recovery" : null;
}
