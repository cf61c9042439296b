// Bearer authentication of /scim/v2/{org}: only a live SCIM token of that very organization
// gets in. Every refusal is a 401 in the SCIM error format with a WWW-Authenticate challenge,
// and looks the same whether the org exists or not.
import request from "supertest";
import { createTestApp, type TestApp } from "../support/app";
import { tampered } from "../support/tamper";
import { scimClient, type ScimClient } from "./scim-client";

let t: TestApp;
let acme: ScimClient;
let globex: ScimClient;
beforeAll(async () => {
  t = await createTestApp();
  acme = await scimClient(t);
  globex = await scimClient(t);
});
afterAll(() => t.close());

const expect401 = (res: request.Response) => {
  expect(res.status).toBe(401);
  expect(res.headers["content-type"]).toMatch(/^application\/scim\+json/);
  expect(res.headers["www-authenticate"]).toMatch(/^Bearer realm=/);
  expect(res.body).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "401" });
};

describe("SCIM bearer tokens", () => {
  test("when the org's own token is sent, then the request is served and lastUsedAt is set", async () => {
    await acme.get("/Users").expect(200);
    const rows = await t.services.credentials.list("scim_token", acme.org.id);
    expect(rows[0]!.lastUsedAt).toBeInstanceOf(Date);
  });

  test("when no Authorization header is sent, then 401 without an error code in the challenge", async () => {
    const res = await request(t.app).get(`${acme.base}/Users`);
    expect401(res);
    expect(res.headers["www-authenticate"]).not.toContain("invalid_token");
  });

  test.each([
    ["a token of another organization", () => `Bearer ${globex.token}`],
    [
      "an API key instead of a SCIM token",
      () => "Bearer sbk_00000000000000000000000000000000_abcdefghijklmnopqrstuvwxyz0123456789",
    ],
    [
      "a made-up token",
      () => "Bearer scim_0123456789abcdef0123456789abcdef_notthesecretnotthesecretnotthesecret",
    ],
    ["a Basic credential", () => `Basic ${Buffer.from("okta:secret").toString("base64")}`],
    ["the token with a wrong secret", () => `Bearer ${tampered(acme.token, 4)}`],
  ])("when %s is sent, then 401 invalid_token", async (_title, header) => {
    const res = await request(t.app).get(`${acme.base}/Users`).set("Authorization", header());
    expect401(res);
  });

  test("when a token is revoked, then it stops working at once", async () => {
    const used = await usedToken("old");
    expect(t.services.scimTokenCache.size).toBeGreaterThan(0);
    await t.services.credentials.revoke("scim_token", used.ctx, used.id);
    // Emptied by the revocation itself, not only by the database's notification, which reaches
    // the process's listening connection a moment later.
    expect(t.services.scimTokenCache.size).toBe(0);
    expect401(await used.get());
  });

  test("when a token has been used, then the process holds it in its cache of verified tokens", async () => {
    await acme.get("/Users").expect(200);
    await acme.get("/Users").expect(200);
    expect(t.services.scimTokenCache.size).toBeGreaterThan(0);
  });

  /** A fresh org's SCIM token, already used twice (so the second answer came from the cache). */
  async function usedToken(name: string) {
    const org = await t.given.org({ plan: "enterprise" });
    const ctx = { orgId: org.id, actor: { type: "cli" as const } };
    const created = await t.services.credentials.create("scim_token", ctx, name);
    const path = `/scim/v2/${org.slug}/Users`;
    const get = () => request(t.app).get(path).set("Authorization", `Bearer ${created.token}`);
    await get().expect(200);
    await get().expect(200);
    return { ctx, id: created.id, token: created.token, path, get };
  }

  // Another process (the CLI, a second instance on the same PostgreSQL) revokes with a write of
  // its own: this process learns of it from the database's notification, not from its code.
  const revokeElsewhere = (tokenId: string) =>
    t.db.prisma.$executeRaw`UPDATE scim_tokens SET revoked_at = now() WHERE id = ${tokenId}::uuid`;

  /** The statuses of requests made until one is refused, one every 20 ms for at most 3 s. */
  async function untilRefused(path: string, token: string): Promise<number[]> {
    const statuses: number[] = [];
    for (const deadline = Date.now() + 3000; Date.now() < deadline;) {
      const res = await request(t.app).get(path).set("Authorization", `Bearer ${token}`);
      statuses.push(res.status);
      if (res.status === 401) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    return statuses;
  }

  test("when another process revokes a cached token, then the notification makes it stop working", async () => {
    const used = await usedToken("cached");
    await revokeElsewhere(used.id);
    const statuses = await untilRefused(used.path, used.token);
    // The cache keeps an entry for a minute: only the notification can refuse it this soon.
    expect(statuses.at(-1)).toBe(401);
    // PGlite hands the notification over before the revoking statement returns.
    if (t.db.kind === "pglite") expect(statuses).toEqual([401]);
  });

  test("when the connection that listens for changes is lost, then nothing is served from the cache", async () => {
    if (t.db.kind !== "postgres") return expect(t.db.kind).toBe("pglite"); // one in-process engine
    const used = await usedToken("cut-off");
    expect(t.services.scimTokenCache.size).toBeGreaterThan(0);
    // Cut the LISTEN connection (as a server restart or a network drop would), then revoke:
    // the notification goes nowhere, so the cache must already have stopped answering.
    const [cut] = await t.db.prisma.$queryRaw<{ n: number }[]>`
      SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND application_name = 'sso-bridge listen sso_bridge_credentials'`;
    expect(cut?.n).toBe(1);
    for (const deadline = Date.now() + 3000; t.services.scimTokenCache.size > 0 && Date.now() < deadline;)
      await new Promise((r) => setTimeout(r, 10));
    expect(t.services.scimTokenCache.size).toBe(0);
    await revokeElsewhere(used.id);
    expect401(await used.get());
  });

  test("when the org in the path does not exist, then the answer is the same 401", async () => {
    expect401(
      await request(t.app).get("/scim/v2/no-such-org/Users").set("Authorization", `Bearer ${acme.token}`),
    );
  });

  test("when a token is refused, then no log line carries it", async () => {
    await request(t.app).get(`${acme.base}/Users`).set("Authorization", `Bearer ${globex.token}`).expect(401);
    expect(t.rawLogs.join("\n")).not.toContain(globex.token);
  });
});
