// PostgreSQL goes away under load and comes back (issue 17 point 3). The service reaches the
// database through a loopback proxy that the test cuts (every open connection ends and new ones
// are refused, as during a server restart) and restores. Why a proxy and not
// pg_terminate_backend: terminating backends only ends open connections, while a restart also
// refuses new ones for a while, which is where a pool without a connect timeout hangs.
import request from "supertest";
import { createTestApp, type TestApp } from "../support/app";
import { openTestDatabase, testDbKind } from "../support/db";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy";

const onPostgres = testDbKind() === "postgres" ? describe : describe.skip;
// A bound on every request of this file: an answer must come, whatever it is (no hang).
const NO_HANG_MS = 15_000;

onPostgres("when PostgreSQL goes away and comes back", () => {
  let t: TestApp;
  let proxy: TcpProxy;
  let slug: string;
  let scim: string;
  let apiKey: string;
  let cookie: string;

  beforeAll(async () => {
    const url = new URL(process.env.TEST_DATABASE_URL as string);
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    const db = await openTestDatabase({ via: proxy.through, connectTimeoutMs: 2_000 });
    t = await createTestApp({}, { db });
    const org = await t.given.org();
    slug = org.slug;
    scim = await t.given.scimToken(org);
    apiKey = await t.given.apiKey(org);
    cookie = (await t.given.member(org, "Admin")).cookie;
  });

  afterAll(async () => {
    await proxy.restore().catch(() => undefined);
    await t.close();
    await proxy.close();
  });

  const scimGet = () =>
    request(t.app)
      .get(`/scim/v2/${slug}/Users?count=5`)
      .set("Authorization", `Bearer ${scim}`)
      .timeout(NO_HANG_MS);
  const apiGet = () =>
    request(t.app)
      .get(`/api/v1/orgs/${slug}/users`)
      .set("Authorization", `Bearer ${apiKey}`)
      .timeout(NO_HANG_MS);
  const page = () =>
    request(t.app).get("/").set("Cookie", cookie).set("Accept", "text/html").timeout(NO_HANG_MS);
  const ready = () => request(t.app).get("/readyz").timeout(NO_HANG_MS);

  /** Background SCIM and API traffic until stopped; answers every status it saw. */
  function load() {
    const statuses: number[] = [];
    let running = true;
    const worker = async () => {
      while (running) {
        const res = await (statuses.length % 2 ? scimGet() : apiGet());
        statuses.push(res.status);
      }
    };
    const workers = Array.from({ length: 4 }, worker);
    return {
      statuses,
      async stop() {
        running = false;
        await Promise.all(workers);
      },
    };
  }

  async function until(check: () => Promise<boolean>, what: string): Promise<number> {
    const start = Date.now();
    for (let i = 0; i < 300; i++) {
      if (await check()) return Date.now() - start;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`never: ${what}`);
  }

  it("then every surface answers 503 in its own format, /readyz says not ready, and it recovers by itself", async () => {
    await scimGet().expect(200);
    const traffic = load();
    try {
      await outageAndReturn(traffic.statuses);
    } finally {
      await traffic.stop();
    }
  });

  async function outageAndReturn(statuses: number[]) {
    await new Promise((r) => setTimeout(r, 300));
    await proxy.cut();

    // SCIM: the SCIM error schema with status "503" and Retry-After.
    const s = await scimGet();
    expect(s.status).toBe(503);
    expect(s.headers["content-type"]).toMatch(/application\/scim\+json/);
    expect(s.body).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "503" });
    expect(Number(s.headers["retry-after"])).toBeGreaterThan(0);
    // Admin API: problem+json.
    const a = await apiGet();
    expect(a.status).toBe(503);
    expect(a.headers["content-type"]).toMatch(/application\/problem\+json/);
    expect(a.body).toMatchObject({ status: 503, code: "unavailable" });
    expect(a.headers["retry-after"]).toBeDefined();
    // A browser: a readable page naming the request id.
    const p = await page();
    expect(p.status).toBe(503);
    expect(p.headers["content-type"]).toMatch(/text\/html/);
    expect(p.text).toMatch(/database cannot be reached right now/);
    expect(p.text).toContain(p.headers["x-request-id"]);
    // Readiness.
    const r = await ready();
    expect(r.status).toBe(503);
    expect(r.body.code).toBe("unavailable");
    await request(t.app).get("/healthz").expect(200);

    await new Promise((r) => setTimeout(r, 500));
    await proxy.restore();
    const recoveredInMs = await until(async () => (await ready()).status === 200, "ready again");
    await until(async () => (await scimGet()).status === 200, "SCIM answers again");

    await scimGet().expect(200);
    await apiGet().expect(200);
    await page().expect(200);
    // Under load, nothing but success or 503: never a 500, never a hang.
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.filter((code) => code !== 200 && code !== 503)).toEqual([]);
    expect(statuses).toContain(503);
    // Not a bug: no "unhandled error" line was logged.
    expect(t.logs.filter((l) => l.message === "unhandled error")).toEqual([]);
    console.log(`ready again ${recoveredInMs} ms after PostgreSQL came back; ${statuses.length} requests`);
  }

  it("then a transaction whose connection is cut fails, and the process keeps serving", async () => {
    // A transaction holding its connection while the connection dies must not raise an unhandled
    // 'error' event (which would end the process, and this test file with it).
    const held = t.db.transaction(async (tx) => {
      await tx.$queryRaw`SELECT 1`;
      await proxy.cut();
      await new Promise((r) => setTimeout(r, 200));
      await tx.$queryRaw`SELECT 1`;
    });
    await expect(held).rejects.toThrow();
    await proxy.restore();
    await until(async () => (await scimGet()).status === 200, "SCIM answers again");
  });
});
