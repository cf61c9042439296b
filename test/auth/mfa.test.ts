import request from "supertest";
import { generateSync } from "otplib";
import { createTestApp, type TestApp } from "../support/app";
import { movableClock } from "../users/helpers";
import { login, PASSWORD, userWithPassword } from "./helpers";

const clock = movableClock(new Date("2026-05-04T10:00:00Z"));
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({}, { clock: clock.now });
});
afterAll(() => t.close());

/** The code of the next time step (a code is accepted once, so each use moves the clock on). */
function codeFor(secret: string): string {
  clock.advance(30_000);
  return generateSync({ secret, epoch: Math.floor(clock.now().getTime() / 1000) });
}

/** A six-digit code that is valid in none of the accepted time steps. */
function wrongCode(secret: string): string {
  const epoch = Math.floor(clock.now().getTime() / 1000);
  const valid = new Set([-30, 0, 30].map((d) => generateSync({ secret, epoch: epoch + d })));
  return ["000000", "111111", "222222", "333333"].find((c) => !valid.has(c))!;
}

/** Signs in, enrolls TOTP and returns the secret, the recovery codes and the full session cookie. */
async function enroll(cookie: string) {
  const started = await request(t.app).post("/auth/mfa/enroll").set("Cookie", cookie).expect(200);
  expect(started.body.otpauthUrl).toMatch(/^otpauth:\/\/totp\//);
  const confirmed = await request(t.app)
    .post("/auth/mfa/enroll/confirm")
    .set("Cookie", cookie)
    .send({ code: codeFor(started.body.secret) })
    .expect(200);
  return { secret: started.body.secret as string, recoveryCodes: confirmed.body.recoveryCodes as string[] };
}

describe("MFA required by the organization", () => {
  test("when requireMfa is on and the user has no factor, then sign-in owes enrollment, nothing else works until it is done", async () => {
    const org = await t.given.org({ requireMfa: true });
    const user = await userWithPassword(t, org, { role: "Admin" });
    const { res, cookie } = await login(t, { org: org.slug, email: user.email, password: PASSWORD });
    expect(res.body.stage).toBe("mfa_enroll");
    const blocked = await request(t.app).get("/api/v1/me").set("Cookie", cookie!).expect(401);
    expect(blocked.body.stage).toBe("mfa_enroll");
    await request(t.app).get(`/api/v1/orgs/${org.slug}/users`).set("Cookie", cookie!).expect(401);

    const started = await request(t.app).post("/auth/mfa/enroll").set("Cookie", cookie!).expect(200);
    const wrong = await request(t.app)
      .post("/auth/mfa/enroll/confirm")
      .set("Cookie", cookie!)
      .send({ code: wrongCode(started.body.secret) })
      .expect(400);
    expect(wrong.body.errors[0].field).toBe("code");
    const done = await request(t.app)
      .post("/auth/mfa/enroll/confirm")
      .set("Cookie", cookie!)
      .send({ code: codeFor(started.body.secret) })
      .expect(200);
    expect(done.body.stage).toBe("full");
    expect(done.body.recoveryCodes).toHaveLength(10);
    await request(t.app).get("/api/v1/me").set("Cookie", cookie!).expect(200);

    const row = await t.db.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row.totpEnabledAt).not.toBeNull();
    expect(row.totpSecret).not.toContain(started.body.secret);
    expect(row.recoveryCodes.some((h) => done.body.recoveryCodes.includes(h))).toBe(false);
  });

  test("when an enrolled user signs in, then the password alone owes the TOTP step; a right code completes it, a wrong one is refused", async () => {
    const org = await t.given.org({ requireMfa: true });
    const user = await userWithPassword(t, org);
    const first = await login(t, { org: org.slug, email: user.email, password: PASSWORD });
    const { secret } = await enroll(first.cookie!);

    const { res, cookie } = await login(t, { org: org.slug, email: user.email, password: PASSWORD });
    expect(res.body.stage).toBe("mfa_verify");
    await request(t.app).get("/api/v1/me").set("Cookie", cookie!).expect(401);
    // A half-signed-in session cannot replace the enrolled factor.
    await request(t.app).post("/auth/mfa/enroll").set("Cookie", cookie!).expect(409);
    const bad = await request(t.app)
      .post("/auth/mfa/verify")
      .set("Cookie", cookie!)
      .send({ code: "12345678" })
      .expect(401);
    expect(bad.body.reason).toBe("invalid_totp");
    // The refusal is in the sign-in activity, without the code typed.
    const refused = await t.db.prisma.auditEvent.findFirstOrThrow({
      where: { orgId: org.id, action: "auth.sign_in_refused" },
    });
    expect(refused.data).toEqual({
      method: "password",
      reason: "invalid_totp",
      email: user.email,
      ip: expect.any(String),
    });
    await request(t.app)
      .post("/auth/mfa/verify")
      .set("Cookie", cookie!)
      .send({ code: codeFor(secret) })
      .expect(200);
    await request(t.app).get("/api/v1/me").set("Cookie", cookie!).expect(200);

    const direct = await login(t, {
      org: org.slug,
      email: user.email,
      password: PASSWORD,
      totp: codeFor(secret),
    });
    expect(direct.res.body.stage).toBe("full");
    const wrongTotp = await login(t, {
      org: org.slug,
      email: user.email,
      password: PASSWORD,
      totp: wrongCode(secret),
    });
    expect(wrongTotp.res.status).toBe(401);
    expect(wrongTotp.cookie).toBeUndefined();
  });

  test("when a TOTP code was accepted, then the same code is refused a second time (RFC 6238 5.2)", async () => {
    const org = await t.given.org();
    const user = await userWithPassword(t, org);
    const first = await login(t, { org: org.slug, email: user.email, password: PASSWORD });
    const { secret } = await enroll(first.cookie!);
    const code = codeFor(secret);
    const once = await login(t, { org: org.slug, email: user.email, password: PASSWORD, totp: code });
    expect(once.res.body.stage).toBe("full");
    const replay = await login(t, { org: org.slug, email: user.email, password: PASSWORD, totp: code });
    expect(replay.res.status).toBe(401);
    expect(replay.res.body.reason).toBe("invalid_totp");
    const next = await login(t, {
      org: org.slug,
      email: user.email,
      password: PASSWORD,
      totp: codeFor(secret),
    });
    expect(next.res.body.stage).toBe("full");
  });

  test("when a recovery code is used, then it works once", async () => {
    const org = await t.given.org();
    const user = await userWithPassword(t, org);
    const first = await login(t, { org: org.slug, email: user.email, password: PASSWORD });
    expect(first.res.body.stage).toBe("full");
    const { recoveryCodes } = await enroll(first.cookie!);
    const code = recoveryCodes[3]!;
    const once = await login(t, {
      org: org.slug,
      email: user.email,
      password: PASSWORD,
      totp: code.toUpperCase(),
    });
    expect(once.res.body.stage).toBe("full");
    const twice = await login(t, { org: org.slug, email: user.email, password: PASSWORD, totp: code });
    expect(twice.res.status).toBe(401);
    expect((await t.db.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).recoveryCodes).toHaveLength(
      9,
    );
  });

  test("when an Admin resets a user's MFA, then the user's sessions end and the next sign-in owes enrollment again", async () => {
    const org = await t.given.org({ requireMfa: true });
    const admin = await t.given.member(org, "Admin");
    const user = await userWithPassword(t, org);
    const first = await login(t, { org: org.slug, email: user.email, password: PASSWORD });
    const { secret } = await enroll(first.cookie!);
    await request(t.app)
      .post(`/api/v1/orgs/${org.slug}/users/${user.id}/reset-mfa`)
      .set("Cookie", admin.cookie)
      .expect(200);
    await request(t.app).get("/api/v1/me").set("Cookie", first.cookie!).expect(401);
    const after = await login(t, {
      org: org.slug,
      email: user.email,
      password: PASSWORD,
      totp: codeFor(secret),
    });
    expect(after.res.body.stage).toBe("mfa_enroll");
  });

  test("when TOTP verification fails 5 times, then the account is locked out", async () => {
    const org = await t.given.org();
    const user = await userWithPassword(t, org);
    const first = await login(t, { org: org.slug, email: user.email, password: PASSWORD });
    const { secret } = await enroll(first.cookie!);
    const { cookie } = await login(t, { org: org.slug, email: user.email, password: PASSWORD });
    for (let i = 0; i < 5; i++)
      await request(t.app)
        .post("/auth/mfa/verify")
        .set("Cookie", cookie!)
        .send({ code: "99999999" })
        .expect(401);
    const locked = await request(t.app)
      .post("/auth/mfa/verify")
      .set("Cookie", cookie!)
      .send({ code: codeFor(secret) });
    expect(locked.status).toBe(429);
  });
});
