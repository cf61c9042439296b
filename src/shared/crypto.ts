// Secrets at rest and bearer tokens.
// - encrypt/decrypt: AES-256-GCM with a key derived from SECRET_KEY by HKDF (a fresh IV each
//   time, the GCM tag authenticates the ciphertext).
// - mac: HMAC-SHA256 under a key derived from SECRET_KEY by HKDF, one key per purpose, for
//   short secrets stored hashed (recovery codes): a copy of the database alone cannot test guesses.
// - tokens: "<prefix>_<id>_<secret>"; the row is found by id, then sha256(secret) is compared
//   in constant time so the comparison leaks nothing about the stored hash.
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hash,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from "node:crypto";

export interface Cipher {
  encrypt(plain: string): string;
  decrypt(sealed: string): string;
  /** HMAC-SHA256 (hex) of `value` under this server's key for `purpose`. */
  mac(purpose: string, value: string): string;
}

export function createCipher(secretKey: string): Cipher {
  const key = Buffer.from(hkdfSync("sha256", secretKey, "sso-bridge", "secrets-at-rest v1", 32));
  const macKeys = new Map<string, Buffer>();
  const macKey = (purpose: string): Buffer => {
    let k = macKeys.get(purpose);
    if (!k) {
      k = Buffer.from(hkdfSync("sha256", secretKey, "sso-bridge", `keyed-hash v1 ${purpose}`, 32));
      macKeys.set(purpose, k);
    }
    return k;
  };
  return {
    encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
      return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url")}`;
    },
    decrypt(sealed) {
      const [version, payload] = sealed.split(".");
      if (version !== "v1" || !payload) throw new Error("unknown ciphertext format");
      const raw = Buffer.from(payload, "base64url");
      const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
    },
    mac: (purpose, value) => createHmac("sha256", macKey(purpose)).update(value, "utf8").digest("hex"),
  };
}

// crypto.hash: one call, no Hash object (a SHA-256 on every SCIM request's token).
export const sha256 = (value: string): string => hash("sha256", value, "hex");

export const randomSecret = (bytes = 32): string => randomBytes(bytes).toString("base64url");

/** Constant-time equality of two strings (false when lengths differ, without early exit on content). */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, "utf8");
  const bb = Buffer.from(b, "utf8");
  if (ab.length !== bb.length) {
    timingSafeEqual(ab, ab);
    return false;
  }
  return timingSafeEqual(ab, bb);
}

export interface IssuedToken {
  id: string;
  token: string;
  secretHash: string;
}

/** A new bearer token for a row whose id is `id` (a uuid). */
export function issueToken(prefix: string, id: string): IssuedToken {
  const secret = randomSecret(32);
  return { id, token: `${prefix}_${id.replaceAll("-", "")}_${secret}`, secretHash: sha256(secret) };
}

/** Splits a presented token into its row id and secret, or null when it is not of that shape. */
export function parseToken(prefix: string, token: string): { id: string; secret: string } | null {
  // The secret is base64url and may itself contain "_": only the first two separators count.
  const match = /^([a-z]+)_([0-9a-f]{32})_([A-Za-z0-9_-]{32,})$/.exec(token);
  if (!match || match[1] !== prefix) return null;
  const hex = match[2] as string;
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { id, secret: match[3] as string };
}

export const verifySecret = (secret: string, secretHash: string): boolean =>
  safeEqual(sha256(secret), secretHash);
