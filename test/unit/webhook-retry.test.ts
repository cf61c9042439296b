// The retry schedule and the destination rule of webhook delivery, as pure functions.
import { backoffMs, DEFAULT_RETRY, nextAttemptAt, retryAfterMs } from "../../src/webhooks/retry";
import { checkDestination } from "../../src/webhooks/destination";

const HOUR = 3600_000;

describe("retry schedule", () => {
  test("when attempts fail, then the delay doubles from 10 s up to 2 h, within ±20 %", () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4, 10, 11, 40].map((n) => backoffMs(DEFAULT_RETRY, n, mid))).toEqual([
      10_000,
      20_000,
      40_000,
      80_000,
      5_120_000,
      2 * HOUR,
      2 * HOUR,
    ]);
    expect(backoffMs(DEFAULT_RETRY, 1, () => 0)).toBe(8_000);
    expect(backoffMs(DEFAULT_RETRY, 1, () => 0.999999)).toBe(12_000);
  });

  test("when Retry-After is given, then it wins (seconds or an HTTP date), capped at 2 h", () => {
    const now = new Date("2026-12-05T00:00:00Z");
    expect(retryAfterMs("120", now)).toBe(120_000);
    expect(retryAfterMs("Sat, 05 Dec 2026 00:01:00 GMT", now)).toBe(60_000);
    expect(retryAfterMs("soon", now)).toBeNull();
    const createdAt = now;
    expect(
      nextAttemptAt(DEFAULT_RETRY, { createdAt, now, failedAttempts: 1, retryAfterMs: 120_000 }),
    ).toEqual(new Date(now.getTime() + 120_000));
    expect(
      nextAttemptAt(DEFAULT_RETRY, { createdAt, now, failedAttempts: 1, retryAfterMs: 10 * HOUR }),
    ).toEqual(new Date(now.getTime() + 2 * HOUR));
  });

  test("when the 24 h window ends, then the last attempt is at its end and the next failure gives up", () => {
    const createdAt = new Date("2026-12-05T00:00:00Z");
    const late = new Date(createdAt.getTime() + 23.5 * HOUR);
    expect(
      nextAttemptAt(DEFAULT_RETRY, { createdAt, now: late, failedAttempts: 20, retryAfterMs: null }),
    ).toEqual(new Date(createdAt.getTime() + 24 * HOUR));
    const end = new Date(createdAt.getTime() + 24 * HOUR);
    expect(
      nextAttemptAt(DEFAULT_RETRY, { createdAt, now: end, failedAttempts: 21, retryAfterMs: null }),
    ).toBeNull();
  });
});

describe("webhook destinations", () => {
  const production = { production: true, allowPrivate: false };
  test("when in production, then http is refused and https to a public address accepted", async () => {
    await expect(checkDestination("http://93.184.215.14/hook", production)).rejects.toMatchObject({
      errors: [{ field: "url", message: "must be an https URL in production" }],
    });
    await expect(checkDestination("https://93.184.215.14/hook", production)).resolves.toBe(
      "https://93.184.215.14/hook",
    );
  });

  test("when the URL carries credentials or is not http(s), then it is refused", async () => {
    await expect(checkDestination("https://u:p@93.184.215.14/", production)).rejects.toMatchObject({
      status: 400,
    });
    await expect(checkDestination("javascript:alert(1)", production)).rejects.toMatchObject({ status: 400 });
    await expect(checkDestination("not a url", production)).rejects.toMatchObject({ status: 400 });
  });

  test("when private addresses are allowed, then loopback is accepted outside production", async () => {
    await expect(
      checkDestination("http://127.0.0.1:8080/x", { production: false, allowPrivate: true }),
    ).resolves.toBe("http://127.0.0.1:8080/x");
  });
});
