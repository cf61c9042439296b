// Recovery codes: ten one-time codes shown once at enrollment. Each is 16 characters of
// Crockford base32 (80 bits), shown in groups of four. Only an HMAC of a code is stored, under a
// key derived from SECRET_KEY ("rc1:<hex>"): the codes are too short for a plain hash to resist
// guessing by someone holding a copy of the database. Codes issued before (10 hex characters,
// stored as unsalted SHA-256) are still accepted until used; none are written any more.
import { randomBytes } from "node:crypto";
import type { Cipher } from "../shared/crypto";
import { safeEqual, sha256 } from "../shared/crypto";

export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
const CHARS = 16;
const PREFIX = "rc1:";

function newCode(): string {
  let bits = 0n;
  for (const byte of randomBytes((CHARS * 5) / 8)) bits = (bits << 8n) | BigInt(byte);
  let code = "";
  for (let i = CHARS - 1; i >= 0; i--) code += ALPHABET[Number((bits >> BigInt(i * 5)) & 31n)];
  return code.match(/.{4}/g)!.join("-");
}

// Crockford base32 reads I and L as 1 and O as 0, so a code copied by hand still matches.
const normalize = (code: string): string =>
  code.toLowerCase().replace(/[\s-]/g, "").replace(/[il]/g, "1").replace(/o/g, "0");

const keyedHash = (cipher: Cipher, code: string): string =>
  PREFIX + cipher.mac("recovery-code", normalize(code));

/** The hash an earlier version stored for a code of its shape, or null for any other input. */
function legacyHash(code: string): string | null {
  const plain = code.replace(/[\s-]/g, "").toLowerCase();
  return /^[0-9a-f]{10}$/.test(plain) ? sha256(plain) : null;
}

export function recoveryCodeHashes(cipher: Cipher, codes: string[]): { codes: string[]; hashes: string[] } {
  return { codes, hashes: codes.map((c) => keyedHash(cipher, c)) };
}

export const newRecoveryCodes = (cipher: Cipher) =>
  recoveryCodeHashes(cipher, Array.from({ length: RECOVERY_CODE_COUNT }, newCode));

/** The stored hash `code` matches, or null. Every stored hash is compared, in constant time. */
export function matchRecoveryCode(cipher: Cipher, stored: string[], code: string): string | null {
  const candidates = [keyedHash(cipher, code), legacyHash(code)].filter((c): c is string => c !== null);
  let found: string | null = null;
  for (const hash of stored) for (const c of candidates) if (safeEqual(hash, c)) found = hash;
  return found;
}
