// Rate limits and back-pressure through HTTP (issue 17 point 4): 429 with Retry-After in each
// surface's format, per SCIM token and per client address, counters shared by the instances of
// one database (PostgreSQL's table) or of one Redis (TEST_REDIS_URL), a Redis that goes away,
// and the 503 of a full queue of database work.
import { randomBytes } from "node:crypto";
import request from "supertest";
import { createTestApp, type TestApp } from "../support/app";
import { openTestDatabase, testDbKind } from "../support/db";

const onPostgres = testDbKind() === "postgres" ? describe : describe.skip;
const redisUrl = process.env.TEST_REDIS_URL;
const withRedis = redisUrl ? describe : describe.skip;
// A key prefix of this file's own: runs sharing one Redis never count each other's requests.
const prefix = () => `ssob-test-${randomBytes(6).toString("hex")}`;

const LIMITS = {
  RATE_LIMIT_SCIM_PER_TOKEN: "3",
  RATE_LIMIT_SIGN_IN_PER_IP: "2",
  RATE_LIMIT_WINDOW_SECONDS: "60",
  TRUST_PROXY: "true",
};

async function orgWithToken(t: TestApp) {
  const org = await t.given.org();
  return {
    slug: org.slug,
    token: await t.given.scimToken(org),
    other: await t.given.scimToken(org, "entra"),
  };
}

const scimGet = (t: TestApp, slug: string, token: string) =>
  request(t.app).get(`/scim/v2/${slug}/Users?count=1`).set("Authorization", `Bearer ${token}`);

const ssoStart = (t: TestApp, ip: string) =>
  request(t.app).get("/sso/no-such-org/login").set("Accept", "text/html").set("X-Forwarded-For", ip);

const localLogin = (t: TestApp, ip: string) =>
  request(t.app)
    .post("/auth/login")
    .set("Origin", "http://sso.test")
    .set("X-Forwarded-For", ip)
    .send({ org: "no-such-org", email: "a@b.test", password: "wrong-password" });

/** The cases every store must pass; `apps()` gives one instance, or two sharing the store. */
function behavesAsALimit(setup: () => Promise<{ a: TestApp; b: TestApp; close(): Promise<void> }>) {
  let a: TestApp;
  let b: TestApp;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ a, b, close } = await setup());
    await a.services.rateLimits.ready();
    await b.services.rateLimits.ready();
  });
  afterAll(() => close());

  it("when a SCIM token passes its limit, then 429 in the SCIM error schema with Retry-After, and only that token is refused", async () => {
    const { slug, token, other } = await orgWithToken(a);
    for (let i = 0; i < 3; i++) await scimGet(i % 2 ? b : a, slug, token).expect(200);
    const res = await scimGet(a, slug, token).expect(429);
    expect(res.headers["content-type"]).toMatch(/application\/scim\+json/);
    expect(res.body).toMatchObject({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
      status: "429",
    });
    const retryAfter = Number(res.headers["retry-after"]);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Counted across instances: the other one refuses too.
    await scimGet(b, slug, token).expect(429);
    await scimGet(b, slug, other).expect(200);
  });

  it("when an address passes the sign-in limit, then a browser gets a readable 429 page and another address goes on", async () => {
    await ssoStart(a, "203.0.113.7").expect(404);
    await ssoStart(b, "203.0.113.7").expect(404);
    const res = await ssoStart(a, "203.0.113.7").expect(429);
    expect(res.headers["content-type"]).toMatch(/text\/html/);
    expect(res.text).toMatch(/Too many attempts/);
    expect(res.text).toContain(res.headers["x-request-id"]);
    expect(Number(res.headers["retry-after"])).toBeGreaterThan(0);
    await ssoStart(b, "203.0.113.8").expect(404);
  });

  it("when an address passes the sign-in limit on the local sign-in, then a JSON caller gets problem+json 429", async () => {
    await localLogin(a, "198.51.100.9").expect(401);
    await localLogin(b, "198.51.100.9").expect(401);
    const res = await localLogin(a, "198.51.100.9").expect(429);
    expect(res.headers["content-type"]).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 429, code: "rate_limited" });
    expect(res.body.retryAfterSeconds).toBe(Number(res.headers["retry-after"]));
  });
}

describe("rate limits on this test's database", () => {
  // PostgreSQL: two instances (services of their own) on one database share the table's
  // counters. PGlite: one process holds the database, and counts in memory.
  behavesAsALimit(async () => {
    const db = await openTestDatabase();
    const env = { ...LIMITS, RATE_LIMIT_KEY_PREFIX: prefix() };
    const a = await createTestApp(env, { db });
    const b = testDbKind() === "postgres" ? await createTestApp(env, { db }) : a;
    expect(a.services.rateLimits.storeKind).toBe(testDbKind() === "postgres" ? "postgres" : "memory");
    return {
      a,
      b,
      close: async () => {
        if (b !== a) await b.services.rateLimits.close();
        await a.close();
      },
    };
  });
});

withRedis("rate limits on Redis (REDIS_URL)", () => {
  behavesAsALimit(async () => {
    const env = { ...LIMITS, REDIS_URL: redisUrl as string, RATE_LIMIT_KEY_PREFIX: prefix() };
    const db = await openTestDatabase();
    const a = await createTestApp(env, { db });
    const b = await createTestApp(env, { db });
    expect(a.services.rateLimits.storeKind).toBe("redis");
    return {
      a,
      b,
      close: async () => {
        await b.services.rateLimits.close();
        await a.close();
      },
    };
  });
});

describe("when Redis cannot be reached", () => {
  let t: TestApp;
  beforeAll(async () => {
    // Nothing listens on port 1: every count fails, as when Redis is down.
    t = await createTestApp({ ...LIMITS, REDIS_URL: "redis://127.0.0.1:1", RATE_LIMIT_KEY_PREFIX: prefix() });
  });
  afterAll(() => t.close());

  it("then requests are still served and each instance still counts in memory (neither open nor closed)", async () => {
    const { slug, token } = await orgWithToken(t);
    for (let i = 0; i < 3; i++) await scimGet(t, slug, token).expect(200);
    const res = await scimGet(t, slug, token).expect(429);
    expect(res.body.status).toBe("429");
    expect(t.logs.some((l) => /rate-limit store unavailable/.test(String(l.message)))).toBe(true);
  });
});

onPostgres("when more database work waits for a connection than DB_QUEUE_LIMIT", () => {
  let t: TestApp;
  let slug: string;
  let token: string;
  beforeAll(async () => {
    const db = await openTestDatabase({ poolSize: 1 });
    t = await createTestApp({ DB_QUEUE_LIMIT: "1" }, { db });
    ({ slug, token } = await orgWithToken(t));
  });
  afterAll(() => t.close());

  it("then a new request gets 503 with Retry-After at once, and the queued one is served", async () => {
    // The one connection is held; a first request queues behind it.
    const held = t.db.transaction((tx) => tx.$queryRaw`SELECT pg_sleep(1.5)`);
    const queued = scimGet(t, slug, token).then((r) => r.status);
    for (let i = 0; i < 100 && t.db.waiting() < 1; i++) await new Promise((r) => setTimeout(r, 20));
    expect(t.db.waiting()).toBeGreaterThanOrEqual(1);

    const refused = await scimGet(t, slug, token).expect(503);
    expect(refused.body).toMatchObject({ status: "503" });
    expect(refused.headers["retry-after"]).toBe("1");
    const api = await request(t.app).get(`/api/v1/orgs/${slug}/users`).expect(503);
    expect(api.headers["content-type"]).toMatch(/application\/problem\+json/);
    // Operations endpoints still answer.
    await request(t.app).get("/healthz").expect(200);

    await held;
    expect(await queued).toBe(200);
    await scimGet(t, slug, token).expect(200);
  });
});
