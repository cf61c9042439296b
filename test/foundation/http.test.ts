import request from "supertest";
import { createTestApp, type TestApp } from "../support/app";
import { testDbKind } from "../support/db";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe("operations endpoints", () => {
  test("when the process is up, then /healthz answers 200", async () => {
    const res = await request(t.app).get("/healthz").expect(200);
    expect(res.body).toEqual({ status: "ok" });
  });

  test("when the database is migrated, then /readyz answers 200 naming the database", async () => {
    const res = await request(t.app).get("/readyz").expect(200);
    expect(res.body.status).toBe("ready");
    expect(["pglite", "postgres"]).toContain(res.body.database);
  });

  test("when a migration is missing from the database, then /readyz answers 503 naming it", async () => {
    const conn = await t.db.raw();
    const [row] = await conn.query<{ migration_name: string }>(
      `SELECT migration_name FROM _prisma_migrations LIMIT 1`,
    );
    await conn.query(`UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = $1`, [
      row!.migration_name,
    ]);
    try {
      const res = await request(t.app).get("/readyz").expect(503);
      expect(res.body.code).toBe("unavailable");
      expect(res.body.detail).toContain(row!.migration_name);
    } finally {
      await conn.query(`UPDATE _prisma_migrations SET rolled_back_at = NULL WHERE migration_name = $1`, [
        row!.migration_name,
      ]);
      await conn.release();
    }
  });

  test("when requests were served, then /metrics counts them by route template, not raw path", async () => {
    const org = await t.given.org();
    const key = await t.given.apiKey(org);
    await request(t.app)
      .get(`/api/v1/orgs/${org.slug}/settings`)
      .set("Authorization", `Bearer ${key}`)
      .expect(200);
    const res = await request(t.app).get("/metrics").expect(200);
    expect(res.text).toMatch(
      /http_requests_total\{method="GET",route="\/api\/v1\/orgs\/:org\/settings",status="200"\} \d+/,
    );
    expect(res.text).toContain("http_request_duration_seconds_bucket");
    expect(res.text).not.toContain(org.slug);
  });
});

describe("request ids", () => {
  test("when the client sends a valid X-Request-Id, then it is kept and logged", async () => {
    const id = "lb-7f3a9c21-request";
    const res = await request(t.app).get("/healthz").set("X-Request-Id", id).expect(200);
    expect(res.headers["x-request-id"]).toBe(id);
    expect(t.logs.some((l) => l.requestId === id && l.path === "/healthz")).toBe(true);
  });

  test("when the client sends an invalid X-Request-Id, then a new uuid replaces it", async () => {
    const res = await request(t.app)
      .get("/healthz")
      .set("X-Request-Id", "bad id with spaces<script>")
      .expect(200);
    expect(res.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("when no id is sent, then every response still carries one", async () => {
    const res = await request(t.app).get("/nowhere");
    expect(res.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("bad input", () => {
  test("when the route is unknown, then 404 problem+json", async () => {
    const res = await request(t.app).get("/api/v1/nothing-here").expect(404);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({
      status: 404,
      code: "not_found",
      type: "urn:sso-bridge:problem:not_found",
    });
    expect(res.body.requestId).toBe(res.headers["x-request-id"]);
  });

  test("when the JSON body is malformed, then 400 problem+json invalid_json", async () => {
    const org = await t.given.org();
    const key = await t.given.apiKey(org);
    const res = await request(t.app)
      .patch(`/api/v1/orgs/${org.slug}/settings`)
      .set("Authorization", `Bearer ${key}`)
      .set("Content-Type", "application/json")
      .send('{"name": ')
      .expect(400);
    expect(res.body.code).toBe("invalid_json");
  });

  test("when the body is larger than the limit, then 413", async () => {
    const res = await request(t.app)
      .post("/api/v1/anything")
      .set("Content-Type", "application/json")
      .send(JSON.stringify({ big: "x".repeat(1_100_000) }))
      .expect(413);
    expect(res.body.code).toBe("payload_too_large");
  });

  test("when a request fails, then no secret from its headers reaches the logs", async () => {
    const secret = "sbk_" + "0".repeat(32) + "_supersecretvalue0123456789abcdefghij";
    await request(t.app).get("/api/v1/me").set("Authorization", `Bearer ${secret}`).expect(401);
    expect(t.rawLogs.join("\n")).not.toContain("supersecretvalue");
  });
});

if (testDbKind() === "postgres") {
  test("when PostgreSQL ends the pool's idle connections, then the process survives and the next requests succeed", async () => {
    const org = await t.given.org();
    const key = await t.given.apiKey(org);
    const conn = await t.db.raw();
    try {
      const [row] = await conn.query<{ n: number }>(
        `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid()`,
      );
      expect(row!.n).toBeGreaterThan(0);
    } finally {
      await conn.release();
    }
    await new Promise((r) => setTimeout(r, 200));
    let status = 0;
    // The first query may still pick a connection whose end it has not yet seen; the pool then replaces it.
    for (let attempt = 0; attempt < 3 && status !== 200; attempt++) {
      status = (await request(t.app).get("/api/v1/me").set("Authorization", `Bearer ${key}`)).status;
    }
    expect(status).toBe(200);
    await request(t.app).get("/readyz").expect(200);
  });
}
