// Sign-in throttling under parallel requests and for names that do not exist: the attempt is
// counted before the password is hashed, and an unknown organization or email is counted like a
// known one. Every test uses addresses of its own (TRUST_PROXY) so that counts do not mix.
import { createTestApp, type TestApp } from "../support/app";
import { THROTTLE } from "../../src/auth/throttle";
import { movableClock } from "../users/helpers";
import { login, PASSWORD, userWithPassword } from "./helpers";

const clock = movableClock(new Date("2026-06-01T09:00:00Z"));
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ TRUST_PROXY: "true" }, { clock: clock.now });
});
afterAll(() => t.close());

describe("throttle race (issue 14, item 2)", () => {
  test("when 20 sign-ins to one account arrive at once (19 wrong, the right password 17th), then no more than the limit are let through to the password check", async () => {
    const org = await t.given.org();
    const user = await userWithPassword(t, org);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        login(
          t,
          { org: org.slug, email: user.email, password: i === 16 ? PASSWORD : `wrong ${i}` },
          `198.51.100.${i + 1}`,
        ),
      ),
    );
    const statuses = answers.map((a) => a.res.status);
    const checked = statuses.filter((s) => s !== 429);
    expect(checked.length).toBeLessThanOrEqual(THROTTLE.accountLimit);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(20 - THROTTLE.accountLimit);
    for (const a of answers.filter((x) => x.res.status === 429)) {
      expect(a.res.body.code).toBe("rate_limited");
      expect(a.res.headers["retry-after"]).toBe(String(a.res.body.retryAfterSeconds));
      expect(a.cookie).toBeUndefined();
    }
    // Whatever got through, the account is now locked for the right password too.
    const after = await login(t, { org: org.slug, email: user.email, password: PASSWORD }, "198.51.100.99");
    expect(after.res.status).toBe(429);
    clock.advance(THROTTLE.lockMs);
  }, 120_000);

  test("when more attempts than the address limit arrive at once from one address, then no more than the limit are let through", async () => {
    const org = await t.given.org();
    const extra = 10;
    const answers = await Promise.all(
      Array.from({ length: THROTTLE.ipLimit + extra }, (_, i) =>
        login(t, { org: org.slug, email: `spray${i}@example.test`, password: "guess" }, "203.0.113.60"),
      ),
    );
    const statuses = answers.map((a) => a.res.status);
    expect(statuses.filter((s) => s !== 429).length).toBeLessThanOrEqual(THROTTLE.ipLimit);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(extra);
    clock.advance(THROTTLE.lockMs);
  }, 180_000);

  test("when an account signs in correctly, then its attempt is given back to the address: 50 good sign-ins from one office do not lock it", async () => {
    const org = await t.given.org();
    const user = await userWithPassword(t, org);
    for (let i = 0; i < THROTTLE.ipLimit + 1; i++) {
      const { res } = await login(t, { org: org.slug, email: user.email, password: PASSWORD }, "192.0.2.80");
      expect(res.status).toBe(200);
    }
  }, 180_000);
});

describe("unknown organizations are throttled like known ones (issue 14, item 8)", () => {
  test("when 6 wrong sign-ins go to an unknown organization, an unknown email or a real account, then each answers 5 × 401 and then 429", async () => {
    const org = await t.given.org();
    const user = await userWithPassword(t, org);
    const cases = [
      { org: "nosuchorg", email: user.email },
      { org: org.slug, email: "nobody@example.test" },
      { org: org.slug, email: user.email },
    ];
    const sequences: number[][] = [];
    for (const [n, target] of cases.entries()) {
      const statuses: number[] = [];
      for (let i = 0; i < THROTTLE.accountLimit + 1; i++) {
        // A different address each time: only the account's count can lock.
        const { res } = await login(t, { ...target, password: `wrong ${i}` }, `192.0.2.${n * 10 + i + 1}`);
        statuses.push(res.status);
      }
      sequences.push(statuses);
    }
    const expected = [...Array<number>(THROTTLE.accountLimit).fill(401), 429];
    expect(sequences).toEqual([expected, expected, expected]);
  }, 120_000);

  test("when the unknown organization's lock-out is hit, then its answer is the same as a real account's", async () => {
    const org = await t.given.org();
    const user = await userWithPassword(t, org);
    const answers = [];
    for (const target of [
      { org: "no-such-org-2", email: user.email },
      { org: org.slug, email: user.email },
    ]) {
      for (let i = 0; i < THROTTLE.accountLimit; i++)
        await login(t, { ...target, password: "wrong" }, `192.0.2.${100 + i}`);
      answers.push((await login(t, { ...target, password: PASSWORD }, "192.0.2.200")).res);
    }
    const [unknown, known] = answers;
    expect(unknown!.status).toBe(429);
    expect([
      unknown!.body.code,
      unknown!.body.detail,
      unknown!.body.retryAfterSeconds,
      unknown!.headers["retry-after"],
    ]).toEqual([
      known!.body.code,
      known!.body.detail,
      known!.body.retryAfterSeconds,
      known!.headers["retry-after"],
    ]);
  }, 120_000);
});

describe("counters left behind are purged", () => {
  test("when unknown organizations were tried and their window has passed, then the purge deletes those counters and keeps a lock in force", async () => {
    const org = await t.given.org();
    const user = await userWithPassword(t, org);
    const keys = () =>
      t.db.prisma.loginThrottle.count({ where: { key: { startsWith: "acct:unknown:left-behind-" } } });
    for (let i = 0; i < 3; i++)
      await login(t, { org: `left-behind-${i}`, email: user.email, password: "wrong" }, "192.0.2.210");
    expect(await keys()).toBe(3);
    await t.services.auth.purgeExpiredAttempts();
    expect(await keys()).toBe(3); // still inside their window

    clock.advance(THROTTLE.windowMs + 1000);
    // A lock on a real account, taken now: it must outlive the purge.
    for (let i = 0; i <= THROTTLE.accountLimit; i++)
      await login(t, { org: org.slug, email: user.email, password: "wrong" }, `192.0.2.${220 + i}`);
    await t.services.auth.purgeExpiredAttempts();
    expect(await keys()).toBe(0);
    const locked = await login(t, { org: org.slug, email: user.email, password: PASSWORD }, "192.0.2.240");
    expect(locked.res.status).toBe(429);
  }, 120_000);
});
