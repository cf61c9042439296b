// Issue 13 item 2: OIDC `scopes` as Okta's and Entra's consoles list them: an array of strings
// or one space-separated string, always answered as an array, openid added when missing, and
// the authorization request carrying exactly those scopes.
import request from "supertest";
import { adminKey, startHarness, type Harness } from "./harness";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

async function putScopes(scopes: unknown) {
  const org = await h.t.given.org();
  const key = await adminKey(h, org);
  const res = await request(h.t.app)
    .put(`/api/v1/orgs/${org.slug}/sso-connection`)
    .set("Authorization", `Bearer ${key}`)
    .send({
      protocol: "oidc",
      issuer: h.op.issuer,
      clientId: h.op.clientId,
      clientSecret: h.op.clientSecret,
      scopes,
    });
  return { org, key, res };
}

describe("OIDC scopes (issue 13 item 2)", () => {
  test.each([
    [
      ["openid", "email", "profile", "groups"],
      ["openid", "email", "profile", "groups"],
    ],
    ["openid email profile groups", ["openid", "email", "profile", "groups"]],
    ["  openid   email\tprofile ", ["openid", "email", "profile"]],
    [
      ["email", "profile", "email"],
      ["openid", "email", "profile"],
    ],
    ["email offline_access api://acme/read", ["openid", "email", "offline_access", "api://acme/read"]],
  ])("when scopes is %j, then the PUT stores and answers %j", async (scopes, expected) => {
    const { org, key, res } = await putScopes(scopes);
    expect(res.status).toBe(201);
    expect(res.body.scopes).toEqual(expected);
    const got = await request(h.t.app)
      .get(`/api/v1/orgs/${org.slug}/sso-connection`)
      .set("Authorization", `Bearer ${key}`)
      .expect(200);
    expect(got.body.scopes).toEqual(expected);
  });

  test("when an array of scopes is stored, then the authorization request asks for them, space-separated", async () => {
    const { org, key, res } = await putScopes(["openid", "email", "profile", "groups"]);
    expect(res.status).toBe(201);
    await request(h.t.app)
      .post(`/api/v1/orgs/${org.slug}/sso-connection/enable`)
      .set("Authorization", `Bearer ${key}`)
      .expect(200);
    const login = await request(h.t.app).get(`/sso/${org.slug}/login`).expect(302);
    expect(new URL(login.headers.location as string).searchParams.get("scope")).toBe(
      "openid email profile groups",
    );
  });

  test("when a connection stored its scopes as one string (before arrays), then GET answers an array", async () => {
    const { org, key, res } = await putScopes("openid email");
    expect(res.status).toBe(201);
    const row = await h.t.db.prisma.ssoConnection.findUniqueOrThrow({ where: { orgId: org.id } });
    await h.t.db.prisma.ssoConnection.update({
      where: { orgId: org.id },
      data: { config: { ...(row.config as object), scopes: "openid email groups" } },
    });
    const got = await request(h.t.app)
      .get(`/api/v1/orgs/${org.slug}/sso-connection`)
      .set("Authorization", `Bearer ${key}`)
      .expect(200);
    expect(got.body.scopes).toEqual(["openid", "email", "groups"]);
  });

  test.each([
    [["openid", "email profile"], "scopes.1"],
    [["openid", ""], "scopes.1"],
    [["openid", 'say"hi'], "scopes.1"],
    [[], "scopes"],
    ["   ", "scopes"],
    [42, "scopes"],
  ])("when scopes is %j, then 400 problem+json names %s and nothing is stored", async (scopes, field) => {
    const { org, res } = await putScopes(scopes);
    expect(res.status).toBe(400);
    expect(res.headers["content-type"]).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe("validation_failed");
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(await h.t.db.prisma.ssoConnection.count({ where: { orgId: org.id } })).toBe(0);
  });
});
