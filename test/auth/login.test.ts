import request from "supertest";
import { createTestApp, type TestApp } from "../support/app";
import { THROTTLE } from "../../src/auth/throttle";
import { movableClock } from "../users/helpers";
import { login, PASSWORD, userWithPassword } from "./helpers";

const clock = movableClock(new Date("2026-04-01T08:00:00Z"));
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({}, { clock: clock.now });
});
afterAll(() => t.close());

describe("local password sign-in", () => {
  test("when the email (any case) and password are right, then a full session starts with a safe cookie and the sign-in is audited", async () => {
    const org = await t.given.org();
    const user = await userWithPassword(t, org, { role: "Support" });
    const { res, cookie } = await login(t, {
      org: org.slug,
      email: user.email.toUpperCase(),
      password: PASSWORD,
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ stage: "full", userId: user.id });
    expect(res.headers["set-cookie"]![0]).toMatch(/HttpOnly; SameSite=Lax/);
    const me = await request(t.app).get("/api/v1/me").set("Cookie", cookie!).expect(200);
    expect(me.body.role).toBe("Support");
    const row = await t.db.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row.lastSignInAt?.toISOString()).toBe(clock.now().toISOString());
    expect(
      await t.db.prisma.auditEvent.count({
        where: { orgId: org.id, action: "auth.signed_in", targetId: user.id },
      }),
    ).toBe(1);
  });

  test("when the password is wrong, the email unknown or the organization unknown, then the refusal is the same", async () => {
    const org = await t.given.org();
    const user = await userWithPassword(t, org);
    const invited = await t.given.user(org, { status: "invited" });
    const answers = await Promise.all([
      login(t, { org: org.slug, email: user.email, password: "wrong password" }),
      login(t, { org: org.slug, email: "nobody@example.test", password: PASSWORD }),
      login(t, { org: "no-such-org", email: user.email, password: PASSWORD }),
      login(t, { org: org.slug, email: invited.email, password: PASSWORD }),
    ]);
    for (const { res, cookie } of answers) {
      expect(res.status).toBe(401);
      expect(cookie).toBeUndefined();
      expect({ code: res.body.code, detail: res.body.detail, reason: res.body.reason }).toEqual({
        code: "sign_in_failed",
        detail: "the organization, email or password is not correct",
        reason: "invalid_credentials",
      });
    }
  });

  test("when a blocked or deactivated user gives the right password, then 403 names the state and no session starts", async () => {
    const org = await t.given.org();
    for (const status of ["blocked", "deactivated"] as const) {
      const user = await userWithPassword(t, org, { status });
      const { res, cookie } = await login(t, { org: org.slug, email: user.email, password: PASSWORD });
      expect([res.status, res.body.reason, cookie]).toEqual([403, `user_${status}`, undefined]);
    }
  });

  test("when an account fails 5 times, then even the right password is refused with 429 until the lock-out ends, on every instance", async () => {
    const org = await t.given.org();
    const user = await userWithPassword(t, org);
    for (let i = 0; i < THROTTLE.accountLimit; i++) {
      const { res } = await login(t, { org: org.slug, email: user.email, password: `wrong ${i}` });
      expect(res.status).toBe(401);
    }
    const locked = await login(t, { org: org.slug, email: user.email, password: PASSWORD });
    expect(locked.res.status).toBe(429);
    expect(locked.res.body.code).toBe("rate_limited");
    expect(locked.res.body.retryAfterSeconds).toBe(THROTTLE.lockMs / 1000);
    // A second instance over the same database sees the same lock.
    const other = await createTestApp({}, { clock: clock.now, db: t.db });
    expect((await login(other, { org: org.slug, email: user.email, password: PASSWORD })).res.status).toBe(
      429,
    );
    clock.advance(THROTTLE.lockMs);
    const { res } = await login(t, { org: org.slug, email: user.email, password: PASSWORD });
    expect(res.status).toBe(200);
  });

  test("when failures are spread over more than the window, then they do not add up to a lock-out", async () => {
    const org = await t.given.org();
    const user = await userWithPassword(t, org);
    for (let i = 0; i < THROTTLE.accountLimit - 1; i++)
      await login(t, { org: org.slug, email: user.email, password: "wrong" });
    clock.advance(THROTTLE.windowMs);
    await login(t, { org: org.slug, email: user.email, password: "wrong" });
    expect((await login(t, { org: org.slug, email: user.email, password: PASSWORD })).res.status).toBe(200);
  });

  test("when a correct sign-in follows a few failures, then the account's count starts over", async () => {
    const org = await t.given.org();
    const user = await userWithPassword(t, org);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < THROTTLE.accountLimit - 1; i++)
        expect((await login(t, { org: org.slug, email: user.email, password: "wrong" })).res.status).toBe(
          401,
        );
      expect((await login(t, { org: org.slug, email: user.email, password: PASSWORD })).res.status).toBe(200);
    }
  });
});

describe("logout", () => {
  test("when a signed-in user logs out, then the session ends and the cookie is cleared", async () => {
    const org = await t.given.org();
    const user = await userWithPassword(t, org);
    const { cookie } = await login(t, { org: org.slug, email: user.email, password: PASSWORD });
    const res = await request(t.app).post("/auth/logout").set("Cookie", cookie!).expect(204);
    expect(res.headers["set-cookie"]![0]).toMatch(/^sso_bridge_session=;.*Expires=Thu, 01 Jan 1970/);
    await request(t.app).get("/api/v1/me").set("Cookie", cookie!).expect(401);
    expect(await t.db.prisma.auditEvent.count({ where: { orgId: org.id, action: "auth.signed_out" } })).toBe(
      1,
    );
  });
});

describe("per-IP throttling", () => {
  test("when one address fails against many accounts, then that address is locked out for every account", async () => {
    const fresh = await createTestApp({ TRUST_PROXY: "true" }, { clock: clock.now });
    try {
      const org = await fresh.given.org();
      const user = await userWithPassword(fresh, org);
      for (let i = 0; i < THROTTLE.ipLimit; i++)
        await login(
          fresh,
          { org: org.slug, email: `spray${i}@example.test`, password: "guess" },
          "203.0.113.7",
        );
      const fromSprayer = await login(
        fresh,
        { org: org.slug, email: user.email, password: PASSWORD },
        "203.0.113.7",
      );
      expect(fromSprayer.res.status).toBe(429);
      const fromElsewhere = await login(
        fresh,
        { org: org.slug, email: user.email, password: PASSWORD },
        "198.51.100.2",
      );
      expect(fromElsewhere.res.status).toBe(200);
    } finally {
      await fresh.close();
    }
  }, 120_000);
});

describe("cookies behind https", () => {
  test("when BASE_URL is https, then the session cookie is Secure", async () => {
    const https = await createTestApp({ BASE_URL: "https://sso.example.test" });
    try {
      const org = await https.given.org();
      const user = await userWithPassword(https, org);
      const { res } = await login(https, { org: org.slug, email: user.email, password: PASSWORD });
      expect(res.headers["set-cookie"]![0]).toMatch(/; Secure/);
    } finally {
      await https.close();
    }
  });
});
