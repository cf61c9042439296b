// Bearer authentication of /scim/v2/{org}: only a live SCIM token of that very organization
// gets in. Every refusal is a 401 in the SCIM error format with a WWW-Authenticate challenge,
// and looks the same whether the org exists or not.
import request from "supertest";
import { createTestApp, type TestApp } from "../support/app";
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
    ["the token with a wrong secret", () => `Bearer ${acme.token.slice(0, -4)}AAAA`],
  ])("when %s is sent, then 401 invalid_token", async (_title, header) => {
    const res = await request(t.app).get(`${acme.base}/Users`).set("Authorization", header());
    expect401(res);
  });

  test("when a token is revoked, then it stops working at once", async () => {
    const org = await t.given.org({ plan: "enterprise" });
    const created = await t.services.credentials.create(
      "scim_token",
      { orgId: org.id, actor: { type: "cli" } },
      "old",
    );
    const path = `/scim/v2/${org.slug}/Users`;
    await request(t.app).get(path).set("Authorization", `Bearer ${created.token}`).expect(200);
    await t.services.credentials.revoke("scim_token", { orgId: org.id, actor: { type: "cli" } }, created.id);
    expect401(await request(t.app).get(path).set("Authorization", `Bearer ${created.token}`));
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
