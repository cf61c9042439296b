// Recovery codes: 80-bit secrets shown once, stored under a keyed hash (HMAC with a key derived
// from SECRET_KEY); codes stored by earlier versions (unsalted SHA-256) keep working until used.
import request from "supertest";
import { createHash } from "node:crypto";
import { generateSync } from "otplib";
import { createTestApp, TEST_SECRET_KEY, type TestApp } from "../support/app";
import { movableClock } from "../users/helpers";
import { login, PASSWORD, userWithPassword } from "./helpers";

const clock = movableClock(new Date("2026-08-01T09:00:00Z"));
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({}, { clock: clock.now });
});
afterAll(() => t.close());

const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");
const CROCKFORD_GROUP = "[0-9abcdefghjkmnpqrstvwxyz]{4}";

/** Signs a new user in, enrolls TOTP over HTTP and returns the user and the codes shown. */
async function enrolled() {
  const org = await t.given.org();
  const user = await userWithPassword(t, org);
  const { cookie } = await login(t, { org: org.slug, email: user.email, password: PASSWORD });
  const started = await request(t.app).post("/auth/mfa/enroll").set("Cookie", cookie!).expect(200);
  clock.advance(30_000);
  const code = generateSync({ secret: started.body.secret, epoch: Math.floor(clock.now().getTime() / 1000) });
  const done = await request(t.app)
    .post("/auth/mfa/enroll/confirm")
    .set("Cookie", cookie!)
    .send({ code })
    .expect(200);
  return { org, user, codes: done.body.recoveryCodes as string[] };
}

const signInWith = (org: { slug: string }, email: string, totp: string) =>
  login(t, { org: org.slug, email, password: PASSWORD, totp });

describe("recovery codes are 40-bit secrets stored as unsalted SHA-256 (issue 14, item 9)", () => {
  test("when a user enrolls, then each recovery code carries 80 bits (16 base32 characters in groups of 4)", async () => {
    const { codes } = await enrolled();
    expect(codes).toHaveLength(10);
    for (const code of codes)
      expect(code).toMatch(new RegExp(`^${CROCKFORD_GROUP}(-${CROCKFORD_GROUP}){3}$`));
    expect(new Set(codes).size).toBe(10);
  });

  test("when codes are stored, then no stored value is a plain SHA-256 of a code, and the stored value depends on SECRET_KEY", async () => {
    const { user, codes } = await enrolled();
    const row = await t.db.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row.recoveryCodes).toHaveLength(10);
    for (const code of codes) {
      const plain = code.replace(/-/g, "");
      for (const candidate of [code, plain, plain.toLowerCase(), plain.toUpperCase()])
        expect(row.recoveryCodes).not.toContain(sha256(candidate));
    }
    // The same code under another server secret would be stored differently.
    const other = await createTestApp({ SECRET_KEY: `${TEST_SECRET_KEY}-other` }, { db: t.db });
    const { hashes } = (await import("../../src/auth/recovery-codes")).recoveryCodeHashes(
      other.services.cipher,
      codes,
    );
    expect(hashes.some((h) => row.recoveryCodes.includes(h))).toBe(false);
  });

  test("when a new code is typed in capitals, with spaces or with a look-alike letter, then it still works, once", async () => {
    const { org, user, codes } = await enrolled();
    const typed = codes[0]!.toUpperCase().replace(/-/g, " ").replace(/0/g, "O").replace(/1/g, "I");
    const once = await signInWith(org, user.email, typed);
    expect(once.res.status).toBe(200);
    expect(once.res.body.stage).toBe("full");
    const twice = await signInWith(org, user.email, codes[0]!);
    expect([twice.res.status, twice.res.body.reason]).toEqual([401, "invalid_totp"]);
    const row = await t.db.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row.recoveryCodes).toHaveLength(9);
  });

  test("when a user still holds codes stored by an earlier version (unsalted SHA-256), then each works once and only that hash is removed", async () => {
    const org = await t.given.org();
    const legacy = ["a1b2c-3d4e5", "0f9e8-d7c6b"];
    const user = await userWithPassword(t, org, {
      totpSecret: t.services.cipher.encrypt("JBSWY3DPEHPK3PXP"),
      totpEnabledAt: clock.now(),
      recoveryCodes: legacy.map((c) => sha256(c.replace(/-/g, ""))),
    });
    const once = await signInWith(org, user.email, legacy[0]!.toUpperCase());
    expect(once.res.body.stage).toBe("full");
    const twice = await signInWith(org, user.email, legacy[0]!);
    expect(twice.res.status).toBe(401);
    const row = await t.db.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row.recoveryCodes).toEqual([sha256("0f9e8d7c6b")]);
  });

  test("when two different codes are used at the same moment, then both are spent (neither write brings the other back)", async () => {
    const { org, user, codes } = await enrolled();
    const answers = await Promise.all([
      signInWith(org, user.email, codes[1]!),
      signInWith(org, user.email, codes[2]!),
    ]);
    expect(answers.map((a) => a.res.status)).toEqual([200, 200]);
    const row = await t.db.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row.recoveryCodes).toHaveLength(8);
    for (const code of [codes[1]!, codes[2]!])
      expect((await signInWith(org, user.email, code)).res.status).toBe(401);
  });
});
