// Second-factor guessing: wrong TOTP and recovery codes are counted on their own, per account
// and per address, and a right password does not reset that count.
import request from "supertest";
import { generateSecret, generateSync } from "otplib";
import type { Organization } from "../../src/generated/prisma/client";
import { createTestApp, type TestApp } from "../support/app";
import { THROTTLE } from "../../src/auth/throttle";
import { movableClock } from "../users/helpers";
import { login, PASSWORD, userWithPassword } from "./helpers";

const clock = movableClock(new Date("2026-07-01T09:00:00Z"));
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ TRUST_PROXY: "true" }, { clock: clock.now });
});
afterAll(() => t.close());

/** A user with a password and an enrolled TOTP factor (and its secret). */
async function enrolledUser(org: Organization) {
  const secret = generateSecret();
  const user = await userWithPassword(t, org, {
    totpSecret: t.services.cipher.encrypt(secret),
    totpEnabledAt: clock.now(),
  });
  return { user, secret };
}

/** The code of the next time step (a code is accepted once, so each use moves the clock on). */
function codeFor(secret: string): string {
  clock.advance(30_000);
  return generateSync({ secret, epoch: Math.floor(clock.now().getTime() / 1000) });
}

/** A six-digit code valid in none of the accepted time steps. */
function wrongCode(secret: string): string {
  const epoch = Math.floor(clock.now().getTime() / 1000);
  const valid = new Set([-30, 0, 30].map((d) => generateSync({ secret, epoch: epoch + d })));
  return ["000000", "111111", "222222", "333333"].find((c) => !valid.has(c))!;
}

const verify = (cookie: string, code: string, ip: string) =>
  request(t.app).post("/auth/mfa/verify").set("Cookie", cookie).set("X-Forwarded-For", ip).send({ code });

async function passwordStep(org: Organization, email: string, ip: string): Promise<string> {
  const { res, cookie } = await login(t, { org: org.slug, email, password: PASSWORD }, ip);
  expect(res.body.stage).toBe("mfa_verify");
  return cookie!;
}

describe("TOTP guessing without limit (issue 14, item 1)", () => {
  test("when 'right password, then 4 wrong codes' is repeated, then the account is locked out at the 6th wrong code with 429 and Retry-After", async () => {
    const org = await t.given.org();
    const { user, secret } = await enrolledUser(org);
    const statuses: number[] = [];
    let last: request.Response | undefined;
    for (let round = 0; round < 6 && !statuses.includes(429); round++) {
      const cookie = await passwordStep(org, user.email, "198.51.100.10");
      for (let i = 0; i < 4; i++) {
        last = await verify(cookie, wrongCode(secret), "198.51.100.10");
        statuses.push(last.status);
        if (last.status === 429) break;
      }
    }
    expect(statuses).toEqual([...Array<number>(THROTTLE.accountLimit).fill(401), 429]);
    expect(last!.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(last!.body.code).toBe("rate_limited");
    expect(last!.headers["retry-after"]).toBe(String(THROTTLE.lockMs / 1000));
    // The right code is refused too while the lock lasts, and from another address.
    const cookie = await passwordStep(org, user.email, "198.51.100.11");
    expect((await verify(cookie, codeFor(secret), "198.51.100.11")).status).toBe(429);
    clock.advance(THROTTLE.lockMs);
    expect((await verify(cookie, codeFor(secret), "198.51.100.11")).status).toBe(200);
  }, 120_000);

  test("when wrong codes come with the password in one request, then they count towards the same lock-out", async () => {
    const org = await t.given.org();
    const { user, secret } = await enrolledUser(org);
    const statuses: number[] = [];
    for (let i = 0; i <= THROTTLE.accountLimit; i++) {
      const { res } = await login(
        t,
        { org: org.slug, email: user.email, password: PASSWORD, totp: wrongCode(secret) },
        `198.51.100.${20 + i}`,
      );
      statuses.push(res.status);
    }
    expect(statuses).toEqual([...Array<number>(THROTTLE.accountLimit).fill(401), 429]);
    const cookie = await passwordStep(org, user.email, "198.51.100.30");
    expect((await verify(cookie, codeFor(secret), "198.51.100.30")).status).toBe(429);
    clock.advance(THROTTLE.lockMs);
  }, 120_000);

  test("when wrong recovery codes are tried, then they count as second-factor attempts, and a right one is not spent while locked", async () => {
    const org = await t.given.org();
    const { user } = await enrolledUser(org);
    const { codes, hashes } = (await import("../../src/auth/recovery-codes")).newRecoveryCodes(
      t.services.cipher,
    );
    await t.db.prisma.user.update({ where: { id: user.id }, data: { recoveryCodes: hashes } });
    const cookie = await passwordStep(org, user.email, "198.51.100.40");
    for (let i = 0; i < THROTTLE.accountLimit; i++)
      expect((await verify(cookie, `zzzz-zzzz-zzzz-zzz${i}`, "198.51.100.40")).status).toBe(401);
    expect((await verify(cookie, codes[0]!, "198.51.100.40")).status).toBe(429);
    const row = await t.db.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row.recoveryCodes).toHaveLength(codes.length);
    clock.advance(THROTTLE.lockMs);
  }, 120_000);

  test("when one address guesses codes of many accounts, each below its own limit, then the address is locked out", async () => {
    const ip = "203.0.113.50";
    const perAccount = THROTTLE.accountLimit - 1;
    const accounts = Math.ceil(THROTTLE.secondFactorIpLimit / perAccount);
    const statuses: number[] = [];
    const org = await t.given.org();
    for (let a = 0; a < accounts; a++) {
      const { user, secret } = await enrolledUser(org);
      const cookie = await passwordStep(org, user.email, ip);
      for (let i = 0; i < perAccount; i++)
        statuses.push((await verify(cookie, wrongCode(secret), ip)).status);
    }
    expect(statuses.slice(0, THROTTLE.secondFactorIpLimit).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(THROTTLE.secondFactorIpLimit).every((s) => s === 429)).toBe(true);
    // A fresh account from that address is refused; from elsewhere it signs in.
    const { user, secret } = await enrolledUser(org);
    const here = await passwordStep(org, user.email, ip);
    expect((await verify(here, codeFor(secret), ip)).status).toBe(429);
    const elsewhere = await passwordStep(org, user.email, "203.0.113.51");
    expect((await verify(elsewhere, codeFor(secret), "203.0.113.51")).status).toBe(200);
    clock.advance(THROTTLE.lockMs);
  }, 180_000);

  test("when a sign-in completes with the second factor, then the account's count of wrong codes starts over", async () => {
    const org = await t.given.org();
    const { user, secret } = await enrolledUser(org);
    for (let round = 0; round < 2; round++) {
      const cookie = await passwordStep(org, user.email, "198.51.100.60");
      for (let i = 0; i < THROTTLE.accountLimit - 1; i++)
        expect((await verify(cookie, wrongCode(secret), "198.51.100.60")).status).toBe(401);
      expect((await verify(cookie, codeFor(secret), "198.51.100.60")).status).toBe(200);
    }
  }, 120_000);
});
