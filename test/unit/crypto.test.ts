import {
  createCipher,
  issueToken,
  parseToken,
  safeEqual,
  sha256,
  verifySecret,
} from "../../src/shared/crypto";
import { randomUUID } from "node:crypto";
import { tampered } from "../support/tamper";

describe("sha256", () => {
  // The stored hashes of every issued token are this function's: it must stay SHA-256 in hex.
  test.each([
    ["abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
    ["", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
    ["é", "4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c"],
  ])("when the value is %j, then it is the SHA-256 of its UTF-8 bytes, in hex", (value, hex) => {
    expect(sha256(value)).toBe(hex);
  });
});

describe("secrets at rest (AES-256-GCM)", () => {
  const cipher = createCipher("a-secret-key-of-at-least-32-characters!!");

  test("when a value is encrypted, then it decrypts to itself and the ciphertext does not contain it", () => {
    const sealed = cipher.encrypt("client-secret-value");
    expect(sealed.startsWith("v1.")).toBe(true);
    expect(sealed).not.toContain("client-secret-value");
    expect(cipher.decrypt(sealed)).toBe("client-secret-value");
  });

  test("when the same value is encrypted twice, then the ciphertexts differ (fresh IV)", () => {
    expect(cipher.encrypt("x")).not.toBe(cipher.encrypt("x"));
  });

  test("when the ciphertext is tampered with, then decryption fails", () => {
    const sealed = cipher.encrypt("value");
    const raw = Buffer.from(sealed.slice(3), "base64url");
    raw[raw.length - 1] = (raw[raw.length - 1] as number) ^ 1;
    expect(() => cipher.decrypt(`v1.${raw.toString("base64url")}`)).toThrow();
  });

  test("when a value is MACed, then the result depends on the SECRET_KEY and the purpose, and is stable", () => {
    const other = createCipher("another-secret-key-of-32-characters-or-more");
    const mac = cipher.mac("recovery-code", "abcd");
    expect(mac).toMatch(/^[0-9a-f]{64}$/);
    expect(cipher.mac("recovery-code", "abcd")).toBe(mac);
    expect(other.mac("recovery-code", "abcd")).not.toBe(mac);
    expect(cipher.mac("another-purpose", "abcd")).not.toBe(mac);
    expect(mac).not.toBe(sha256("abcd"));
  });

  test("when another SECRET_KEY is used, then decryption fails", () => {
    const other = createCipher("another-secret-key-of-32-characters-or-more");
    expect(() => other.decrypt(cipher.encrypt("value"))).toThrow();
  });
});

describe("bearer tokens", () => {
  test("when a token is issued, then it parses back to its row id and its secret verifies against the stored hash", () => {
    const id = randomUUID();
    const issued = issueToken("scim", id);
    const parsed = parseToken("scim", issued.token);
    expect(parsed?.id).toBe(id);
    expect(verifySecret(parsed!.secret, issued.secretHash)).toBe(true);
    expect(issued.secretHash).toBe(sha256(parsed!.secret));
    expect(issued.token).not.toContain(issued.secretHash);
  });

  test("when many tokens are issued, then every one parses (secrets may contain the separator)", () => {
    for (let i = 0; i < 200; i++) {
      const issued = issueToken("sbk", randomUUID());
      expect(parseToken("sbk", issued.token)).not.toBeNull();
    }
  });

  test.each([
    ["the wrong prefix", (t: string) => t.replace(/^scim/, "sbk")],
    ["a truncated secret", (t: string) => t.slice(0, 45)],
    ["no separators", (t: string) => t.replaceAll("_", "")],
    ["an empty string", () => ""],
  ])("when a token has %s, then it does not parse", (_name, mangle) => {
    expect(parseToken("scim", mangle(issueToken("scim", randomUUID()).token))).toBeNull();
  });

  test("when a secret differs by one character, then it does not verify", () => {
    const issued = issueToken("scim", randomUUID());
    const { secret } = parseToken("scim", issued.token)!;
    const wrong = tampered(secret, 1);
    expect(verifySecret(wrong, issued.secretHash)).toBe(false);
  });

  test("safeEqual compares content and length", () => {
    expect(safeEqual("abc", "abc")).toBe(true);
    expect(safeEqual("abc", "abd")).toBe(false);
    expect(safeEqual("abc", "abcd")).toBe(false);
  });
});
