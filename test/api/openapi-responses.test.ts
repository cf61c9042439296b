// Real answers of every admin API operation, checked against the OpenAPI document: each status
// must be one the operation declares and each body (problem+json refusals included) must validate
// against the declared schema. The last test fails when an operation was left out here.
import request from "supertest";
import type { Organization, User } from "../../src/generated/prisma/client";
import { hashPassword } from "../../src/auth/passwords";
import { SESSION_COOKIE } from "../../src/sessions/sessions-service";
import { recordTestResult } from "../../src/sso/test-sign-in/record-result";
import { createTestApp, type TestApp } from "../support/app";
import { createDocumentCheck } from "../support/openapi";
import { startSamlIdps, type SamlIdp, type SamlIdpPool } from "../support/saml-idp";
import { startTestOp, type TestOp } from "../support/oidc-provider";
import { samlOrg, startLogin } from "../sso/saml/saml-flow";
import { startReceiver } from "../webhooks/receiver";

const ORIGIN = "http://sso.test";
const PASSWORD = "the admin's password, long enough";

let t: TestApp;
let pool: SamlIdpPool;
let idp: SamlIdp;
let op: TestOp;
const check = createDocumentCheck();

beforeAll(async () => {
  // Webhook destinations on loopback: the receiver below.
  t = await createTestApp({ WEBHOOK_ALLOW_PRIVATE_URLS: "true" });
  pool = startSamlIdps();
  idp = pool.create("https://idp.test/openapi");
  op = await startTestOp({ redirectUris: [] });
});
afterAll(async () => {
  await op.close();
  await pool.close();
  await t.close();
});

type Caller = { key: string } | { cookie: string } | null;

interface Call {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  as?: Caller;
}

/** Calls `METHOD /template` under /api/v1 and checks the answer against the document. */
async function call(method: string, template: string, { params = {}, query, body, as = null }: Call = {}) {
  const url = `/api/v1${template.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(params[name] ?? ""))}`;
  let r = request(t.app)[method.toLowerCase() as "get" | "post" | "put" | "patch" | "delete"](url);
  if (as && "key" in as) r = r.set("Authorization", `Bearer ${as.key}`);
  // A session's writes come from the portal's own origin, as a browser sends them.
  if (as && "cookie" in as) r = r.set("Cookie", as.cookie).set("Origin", ORIGIN);
  if (query) r = r.query(query);
  if (body !== undefined) r = r.send(body as object);
  const res = await r;
  check.expectDocumented(res, method, template);
  return res;
}

async function adminOrg(overrides: Partial<Organization> = {}) {
  const org = await t.given.org({ plan: "enterprise", ...overrides });
  const key = { key: await t.given.apiKey(org) };
  return { org, key, params: { org: org.slug } };
}

async function sessionOf(user: User) {
  const s = await t.services.sessions.create(t.db.prisma, {
    orgId: user.orgId,
    userId: user.id,
    method: "password",
  });
  return { id: s.id, as: { cookie: `${SESSION_COOKIE}=${s.cookieValue}` } };
}

test("when the document, me and my profile are asked for, then the answers are as documented", async () => {
  const { org, key, params } = await adminOrg();
  const admin = await t.given.user(org, {
    role: "Admin",
    assignedRole: "Admin",
    passwordHash: await hashPassword(PASSWORD),
  });
  const me = (await sessionOf(admin)).as;
  await call("get", "/openapi.json");
  await call("get", "/me", { as: key });
  expect((await call("get", "/me", { as: me })).body.user.id).toBe(admin.id);
  expect((await call("get", "/me")).status).toBe(401);
  await call("patch", "/me", { as: me, body: { firstName: "Ada" } });
  expect((await call("patch", "/me", { as: key, body: { firstName: "Ada" } })).status).toBe(403);
  const wrong = { currentPassword: "not the password at all", newPassword: "a brand new password!" };
  expect((await call("post", "/me/password", { as: me, body: wrong })).status).toBe(400);
  const right = { currentPassword: PASSWORD, newPassword: "a brand new password!" };
  expect((await call("post", "/me/password", { as: me, body: right })).status).toBe(204);
  await call("get", "/orgs/{org}/settings", { as: key, params });
});

test("when settings, credentials, audit and activity are read and changed, then the answers are as documented", async () => {
  const { org, key, params } = await adminOrg();
  const viewer = (await sessionOf(await t.given.user(org, { role: "Viewer" }))).as;
  await call("get", "/orgs/{org}/settings", { as: viewer, params });
  await call("patch", "/orgs/{org}/settings", {
    as: key,
    params,
    body: { requireMfa: false, name: "Renamed" },
  });
  expect(
    (await call("patch", "/orgs/{org}/settings", { as: viewer, params, body: { name: "x" } })).status,
  ).toBe(403);
  expect((await call("patch", "/orgs/{org}/settings", { as: key, params, body: { name: "" } })).status).toBe(
    400,
  );

  for (const kind of ["scim-tokens", "api-keys"]) {
    const created = await call("post", `/orgs/{org}/${kind}`, { as: key, params, body: { name: "okta" } });
    expect(created.status).toBe(201);
    await call("get", `/orgs/{org}/${kind}`, { as: key, params });
    const id = created.body.id as string;
    expect(
      (await call("delete", `/orgs/{org}/${kind}/{id}`, { as: key, params: { ...params, id } })).status,
    ).toBe(204);
    const unknown = { ...params, id: "00000000-0000-4000-8000-000000000000" };
    expect((await call("delete", `/orgs/{org}/${kind}/{id}`, { as: key, params: unknown })).status).toBe(404);
  }

  expect(
    (await call("get", "/orgs/{org}/audit-events", { as: key, params })).body.data.length,
  ).toBeGreaterThan(0);
  expect(
    (await call("get", "/orgs/{org}/audit-events", { as: key, params, query: { limit: "0" } })).status,
  ).toBe(400);
  await call("get", "/orgs/{org}/sign-ins", { as: key, params, query: { result: "refused" } });
  await call("get", "/orgs/{org}/scim-activity", { as: key, params });
});

test("when users and invitations are managed, then the answers are as documented", async () => {
  const { org, key, params } = await adminOrg();
  await t.given.user(org, { role: "Admin", assignedRole: "Admin" });
  const user = await t.given.user(org, { firstName: "Val" });
  const one = { ...params, id: user.id };
  await call("get", "/orgs/{org}/users", { as: key, params, query: { status: "active" } });
  await call("get", "/orgs/{org}/users/{id}", { as: key, params: one });
  const unknown = { ...params, id: "00000000-0000-4000-8000-000000000000" };
  expect((await call("get", "/orgs/{org}/users/{id}", { as: key, params: unknown })).status).toBe(404);
  await call("patch", "/orgs/{org}/users/{id}", {
    as: key,
    params: one,
    body: { lastName: "Lee", role: "Support" },
  });
  for (const action of ["deactivate", "reactivate", "block", "unblock", "reset-mfa"]) {
    expect((await call("post", `/orgs/{org}/users/{id}/${action}`, { as: key, params: one })).status).toBe(
      200,
    );
  }
  expect(
    (await call("delete", "/orgs/{org}/users/{id}", { as: key, params: one, body: { confirm: user.email } }))
      .status,
  ).toBe(204);

  const invitations = [{ email: `new-${org.slug}@example.test`, role: "Viewer", teams: ["Night shift"] }];
  const sent = await call("post", "/orgs/{org}/invitations", { as: key, params, body: { invitations } });
  expect(sent.status).toBe(201);
  const invitation = { ...params, id: sent.body.invitations[0].id as string };
  await call("get", "/orgs/{org}/invitations", { as: key, params });
  const resent = await call("post", "/orgs/{org}/invitations/{id}/resend", { as: key, params: invitation });
  const latest = { ...params, id: resent.body.id as string };
  expect(
    (await call("post", "/orgs/{org}/invitations/{id}/resend", { as: key, params: invitation })).status,
  ).toBe(409);
  expect((await call("delete", "/orgs/{org}/invitations/{id}", { as: key, params: latest })).status).toBe(
    204,
  );
  expect((await call("delete", "/orgs/{org}/invitations/{id}", { as: key, params: latest })).status).toBe(
    404,
  );
  const tooMany = Array.from({ length: 101 }, (_v, i) => ({ email: `u${i}@example.test`, role: "Viewer" }));
  expect(
    (await call("post", "/orgs/{org}/invitations", { as: key, params, body: { invitations: tooMany } }))
      .status,
  ).toBe(400);
});

test("when role mappings and groups are read, previewed and replaced, then the answers are as documented", async () => {
  const { org, key, params } = await adminOrg();
  await t.given.user(org, { role: "Admin", assignedRole: "Admin" });
  await t.db.prisma.group.create({
    data: {
      orgId: org.id,
      displayName: "Admins",
      displayNameLower: "admins",
      source: "scim",
      externalId: "g-1",
    },
  });
  const body = { defaultRole: "Viewer", rules: [{ group: "Admins", role: "Admin" }] };
  await call("get", "/orgs/{org}/role-mappings", { as: key, params });
  await call("post", "/orgs/{org}/role-mappings/preview", { as: key, params, body });
  await call("put", "/orgs/{org}/role-mappings", { as: key, params, body });
  const repeated = { defaultRole: null, rules: [body.rules[0], body.rules[0]] };
  expect((await call("put", "/orgs/{org}/role-mappings", { as: key, params, body: repeated })).status).toBe(
    400,
  );
  const groups = await call("get", "/orgs/{org}/groups", { as: key, params });
  expect(groups.body.data).toEqual([expect.objectContaining({ displayName: "Admins", role: "Admin" })]);
});

test("when a SAML connection is set up, turned on and off, tested and deleted, then the answers are as documented", async () => {
  const { org, key, params } = await adminOrg();
  const admin = await t.given.user(org, { role: "Admin", assignedRole: "Admin" });
  expect((await call("get", "/orgs/{org}/sso-connection", { as: key, params })).status).toBe(404);
  const saml = { protocol: "saml", idpMetadataXml: idp.metadataXml() };
  expect((await call("put", "/orgs/{org}/sso-connection", { as: key, params, body: saml })).status).toBe(201);
  const explicit = {
    protocol: "saml",
    idpEntityId: idp.entityId,
    idpSsoUrl: idp.ssoUrl,
    idpCertificates: [idp.certPem],
  };
  expect((await call("put", "/orgs/{org}/sso-connection", { as: key, params, body: explicit })).status).toBe(
    200,
  );
  const bad = { protocol: "ws-fed" };
  expect((await call("put", "/orgs/{org}/sso-connection", { as: key, params, body: bad })).status).toBe(400);
  const connection = (await call("get", "/orgs/{org}/sso-connection", { as: key, params })).body;
  expect(connection).not.toHaveProperty("secrets");

  expect((await call("post", "/orgs/{org}/sso-connection/enable", { as: key, params })).status).toBe(409);
  await call("post", "/orgs/{org}/sso-connection/enable", { as: key, params, query: { force: "true" } });
  const manual = { ...params, id: admin.id };
  expect((await call("post", "/orgs/{org}/users/{id}/block", { as: key, params: manual })).status).toBe(409);
  await call("post", "/orgs/{org}/sso-connection/disable", { as: key, params });

  const garbage = { samlResponse: Buffer.from("<not-saml/>").toString("base64") };
  const tested = await call("post", "/orgs/{org}/sso-connection/test", { as: key, params, body: garbage });
  expect(tested.body.verified).toBe(false);

  const session = await sessionOf(admin);
  const resultId = await recordTestResult(t.services, {
    org,
    connection: { id: connection.id as string, jit: true },
    protocol: "saml",
    sessionId: session.id,
    requestId: "openapi-test",
    identity: { subject: admin.email, email: admin.email, groups: ["Admins"], overage: false },
    attributes: { groups: ["Admins"] },
  });
  await call("get", "/orgs/{org}/sso-connection/test-results/{id}", {
    as: session.as,
    params: { ...params, id: resultId },
  });
  const latest = { ...params, id: "latest" };
  expect(
    (await call("get", "/orgs/{org}/sso-connection/test-results/{id}", { as: key, params: latest })).status,
  ).toBe(404);

  expect((await call("delete", "/orgs/{org}/sso-connection", { as: key, params })).status).toBe(204);
  expect((await call("delete", "/orgs/{org}/sso-connection", { as: key, params })).status).toBe(404);
});

test("when an admin pastes a valid SAMLResponse, then the verified report is as documented", async () => {
  const s = await samlOrg(t, idp);
  const login = await startLogin(t, s.org);
  const xml = await idp.respond({
    destination: s.acsUrl,
    audience: s.spEntityId,
    inResponseTo: login.id,
    nameId: "tess@acme.test",
    attributes: { groups: ["Admins"], email: ["tess@acme.test"] },
    spMetadataXml: s.spMetadataXml,
  });
  const body = { samlResponse: Buffer.from(xml).toString("base64") };
  const res = await call("post", "/orgs/{org}/sso-connection/test", {
    as: { key: s.apiKey },
    params: { org: s.org.slug },
    body,
  });
  expect(res.body).toMatchObject({ verified: true, signIn: { outcome: "signed_in", role: "Admin" } });
});

test("when an OIDC connection is set up, then it is shown as documented and never with its secret", async () => {
  const { org, key, params } = await adminOrg();
  await t.given.user(org, { role: "Admin", assignedRole: "Admin" });
  const oidc = {
    protocol: "oidc",
    issuer: op.issuer,
    clientId: op.clientId,
    clientSecret: op.clientSecret,
    scopes: "openid email groups",
  };
  expect((await call("put", "/orgs/{org}/sso-connection", { as: key, params, body: oidc })).status).toBe(201);
  const shown = await call("get", "/orgs/{org}/sso-connection", { as: key, params });
  expect(shown.body).toMatchObject({ protocol: "oidc", clientSecretSet: true });
  expect(JSON.stringify(shown.body)).not.toContain(op.clientSecret);
  const enabled = await call("post", "/orgs/{org}/sso-connection/enable", {
    as: key,
    params,
    query: { force: "true" },
  });
  expect(enabled.body).toMatchObject({ protocol: "oidc", enabled: true });
});

test("when webhook endpoints are managed and tested and the events feed is read, then the answers are as documented", async () => {
  const { org, key, params } = await adminOrg();
  const receiver = await startReceiver();
  try {
    const created = await call("post", "/orgs/{org}/webhooks", {
      as: key,
      params,
      body: { url: receiver.url, events: ["user.created"], description: "the product" },
    });
    expect(created.status).toBe(201);
    const hook = { ...params, id: created.body.id as string };
    expect(
      (await call("post", "/orgs/{org}/webhooks", { as: key, params, body: { url: "ftp://x" } })).status,
    ).toBe(400);
    await call("get", "/orgs/{org}/webhooks", { as: key, params });
    await call("get", "/orgs/{org}/webhooks/{id}", { as: key, params: hook });
    await call("patch", "/orgs/{org}/webhooks/{id}", { as: key, params: hook, body: { events: ["*"] } });
    await call("post", "/orgs/{org}/webhooks/{id}/rotate-secret", { as: key, params: hook });
    await call("post", "/orgs/{org}/webhooks/{id}/test", { as: key, params: hook });
    expect(receiver.received).toHaveLength(1);
    await call("get", "/orgs/{org}/webhooks/{id}/deliveries", { as: key, params: hook });
    expect((await call("delete", "/orgs/{org}/webhooks/{id}", { as: key, params: hook })).status).toBe(204);
    expect((await call("get", "/orgs/{org}/webhooks/{id}", { as: key, params: hook })).status).toBe(404);

    await t.given.user(org, { role: "Viewer" });
    await call("get", "/orgs/{org}/events", { as: key, params });
    expect((await call("get", "/orgs/{org}/events", { as: key, params, query: { after: "x" } })).status).toBe(
      400,
    );
  } finally {
    await receiver.close();
  }
});

// Runs after the tests above (jest keeps a file's order): each operation must have been called.
test("when every test above has run, then every operation of the document was called and checked", () => {
  expect(check.operations().filter((o) => !check.seen.has(o))).toEqual([]);
});
