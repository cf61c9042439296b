// PUT /api/v1/orgs/{org}/sso-connection with protocol "oidc": discovery checked at PUT time
// against a real provider, the client secret encrypted at rest and never returned.
import http from "node:http";
import type { AddressInfo } from "node:net";
import request from "supertest";
import { adminKey, oidcOrg, startHarness, type Harness } from "./harness";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const put = (slug: string, key: string, body: Record<string, unknown>) =>
  request(h.t.app)
    .put(`/api/v1/orgs/${slug}/sso-connection`)
    .set("Authorization", `Bearer ${key}`)
    .send(body);

describe("OIDC connection settings", () => {
  test("when an admin PUTs a valid connection, then defaults apply, the redirect URI is shown and the secret is neither returned nor stored in clear", async () => {
    const org = await h.t.given.org({ slug: "globex" });
    const key = await adminKey(h, org);
    const res = await put("globex", key, {
      protocol: "oidc",
      issuer: h.op.issuer,
      clientId: h.op.clientId,
      clientSecret: h.op.clientSecret,
    }).expect(201);
    expect(res.body).toMatchObject({
      protocol: "oidc",
      issuer: h.op.issuer,
      clientId: h.op.clientId,
      scopes: ["openid", "email", "profile"],
      groupsClaim: "groups",
      jit: true,
      enabled: false,
      redirectUri: "http://sso.test/sso/globex/oidc/callback",
    });
    expect(JSON.stringify(res.body)).not.toContain(h.op.clientSecret);
    const got = await request(h.t.app)
      .get("/api/v1/orgs/globex/sso-connection")
      .set("Authorization", `Bearer ${key}`)
      .expect(200);
    expect(JSON.stringify(got.body)).not.toContain(h.op.clientSecret);
    const row = await h.t.db.prisma.ssoConnection.findUniqueOrThrow({ where: { orgId: org.id } });
    expect(JSON.stringify(row)).not.toContain(h.op.clientSecret);
    expect(JSON.parse(h.t.services.cipher.decrypt(row.secrets as string))).toEqual({
      clientSecret: h.op.clientSecret,
    });
    expect(h.t.rawLogs.join("\n")).not.toContain(h.op.clientSecret);
  });

  test("when the PUT changes only the groups claim and omits the secret, then the stored secret is kept", async () => {
    const { org, key } = await oidcOrg(h, "initech");
    await put("initech", key, {
      protocol: "oidc",
      issuer: h.op.issuer,
      clientId: h.op.clientId,
      groupsClaim: "roles",
    }).expect(200);
    const row = await h.t.db.prisma.ssoConnection.findUniqueOrThrow({ where: { orgId: org.id } });
    expect(row.config).toMatchObject({ groupsClaim: "roles" });
    expect(JSON.parse(h.t.services.cipher.decrypt(row.secrets as string))).toEqual({
      clientSecret: h.op.clientSecret,
    });
  });

  test("when discovery fails at the issuer, then the PUT answers 400 naming the issuer", async () => {
    const org = await h.t.given.org({ slug: "umbrella" });
    const key = await adminKey(h, org);
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const issuer = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((r) => closed.close(() => r()));

    const res = await put("umbrella", key, {
      protocol: "oidc",
      issuer,
      clientId: "c",
      clientSecret: "s",
    }).expect(400);
    expect(res.headers["content-type"]).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe("validation_failed");
    expect(res.body.errors).toEqual([{ field: "issuer", message: expect.stringContaining(issuer) }]);
    expect(await h.t.db.prisma.ssoConnection.count({ where: { orgId: org.id } })).toBe(0);
  });

  test("when the discovery document names another issuer, then the PUT answers 400 naming the issuer", async () => {
    const org = await h.t.given.org({ slug: "hooli" });
    const key = await adminKey(h, org);
    // A host that serves the real provider's discovery document as its own.
    const impostor = http.createServer(async (_req, res) => {
      const doc = await (await fetch(`${h.op.issuer}/.well-known/openid-configuration`)).text();
      res.writeHead(200, { "content-type": "application/json" }).end(doc);
    });
    await new Promise<void>((r) => impostor.listen(0, "127.0.0.1", r));
    const issuer = `http://127.0.0.1:${(impostor.address() as AddressInfo).port}`;
    try {
      const res = await put("hooli", key, {
        protocol: "oidc",
        issuer,
        clientId: h.op.clientId,
        clientSecret: h.op.clientSecret,
      }).expect(400);
      expect(res.body.errors[0]).toEqual({ field: "issuer", message: expect.stringContaining(issuer) });
      expect(res.body.errors[0].message).toMatch(/issuer/);
    } finally {
      impostor.closeAllConnections();
      await new Promise<void>((r) => impostor.close(() => r()));
    }
  });

  test.each([
    [{ issuer: "http://idp.example.com" }, "issuer", /https/],
    [{ issuer: "not a url" }, "issuer", /URL/],
    [{ clientId: "" }, "clientId", /required/],
    [{ scopes: 'email "profile"' }, "scopes.1", /one scope name/],
    [{ clientSecret: undefined }, "clientSecret", /required/],
  ])("when the body has %j, then the PUT answers 400 naming %s", async (change, field, message) => {
    const org = await h.t.given.org();
    const key = await adminKey(h, org);
    const res = await put(org.slug, key, {
      protocol: "oidc",
      issuer: h.op.issuer,
      clientId: h.op.clientId,
      clientSecret: h.op.clientSecret,
      ...change,
    }).expect(400);
    expect(res.body.errors).toEqual(
      expect.arrayContaining([{ field, message: expect.stringMatching(message) }]),
    );
  });
});
