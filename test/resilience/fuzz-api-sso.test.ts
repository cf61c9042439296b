// Issue 17 point 6, the admin API and sign-in: property-based fuzzing of admin API bodies, ids
// and list parameters (problem+json), local sign-in and invitation acceptance bodies, the SAML
// ACS form (HTML page) and the OIDC callback's parameters and binding cookie (HTML page). Every
// answer: no 5xx, the surface's format on refusal, the database unchanged by a refusal.
import fc from "fast-check";
import request from "supertest";
import type { Organization } from "../../src/generated/prisma/client";
import { createTestApp, type TestApp } from "../support/app";
import {
  checkCase,
  fuzzOptions,
  idLike,
  jsonValue,
  objectAround,
  printCaseCount,
  text,
} from "../support/fuzz";
import { startSamlIdps } from "../support/saml-idp";
import { startTestOp, type TestOp } from "../support/oidc-provider";

const BASE_URL = "http://sso.test";
let t: TestApp;
let op: TestOp;
let org: Organization;
let samlOrg: Organization;
let oidcOrg: Organization;
let apiKey = "";
let userId = "";

beforeAll(async () => {
  t = await createTestApp({ BASE_URL });
  org = await t.given.org({ plan: "enterprise", slug: "fuzz-api" });
  apiKey = await t.given.apiKey(org);
  userId = (await t.given.user(org, { email: "target@acme.test", role: "Support" })).id;
  await t.given.member(org, "Admin");

  samlOrg = await t.given.org({ slug: "fuzz-saml" });
  const pool = startSamlIdps();
  const idp = pool.create("https://idp.test/fuzz");
  await pool.close();
  await request(t.app)
    .put(`/api/v1/orgs/${samlOrg.slug}/sso-connection`)
    .set("Authorization", `Bearer ${await t.given.apiKey(samlOrg)}`)
    .send({ protocol: "saml", idpMetadataXml: idp.metadataXml(), allowIdpInitiated: true })
    .expect(201);

  op = await startTestOp({ redirectUris: [`${BASE_URL}/sso/fuzz-oidc/oidc/callback`] });
  oidcOrg = await t.given.org({ slug: "fuzz-oidc" });
  await request(t.app)
    .put(`/api/v1/orgs/${oidcOrg.slug}/sso-connection`)
    .set("Authorization", `Bearer ${await t.given.apiKey(oidcOrg)}`)
    .send({ protocol: "oidc", issuer: op.issuer, clientId: op.clientId, clientSecret: op.clientSecret })
    .expect(201);
  for (const o of [samlOrg, oidcOrg])
    await t.db.prisma.ssoConnection.update({ where: { orgId: o.id }, data: { enabled: true } });
});
afterAll(async () => {
  printCaseCount("fuzz-api-sso");
  await request(t.app)
    .get(`/api/v1/orgs/${org.slug}/users`)
    .set("Authorization", `Bearer ${apiKey}`)
    .expect(200);
  await op?.close();
  await t.close();
});

const role = fc.oneof(fc.constantFrom("Admin", "Support", "Viewer", "admin", null, "Owner"), text(8));
const base = () => `/api/v1/orgs/${org.slug}`;

/** Admin API calls: [method, path, body] built from any inputs. */
const apiCall = fc.oneof(
  objectAround({ firstName: text(), lastName: text(), avatarUrl: text(), role }).map(
    (b) => ["patch", `/users/${userId}`, b] as const,
  ),
  objectAround({ confirm: fc.oneof(text(), fc.constant("nobody@acme.test")) }).map(
    (b) => ["delete", `/users/${userId}`, b] as const,
  ),
  objectAround({
    invitations: fc.oneof(
      fc.array(
        objectAround({
          email: text(),
          firstName: text(),
          lastName: text(),
          role,
          teams: fc.array(text(10), { maxLength: 2 }),
        }),
        { maxLength: 3 },
      ),
      jsonValue,
    ),
  }).map((b) => ["post", "/invitations", b] as const),
  objectAround({
    defaultRole: role,
    rules: fc.oneof(fc.array(objectAround({ group: text(), role }), { maxLength: 3 }), jsonValue),
  }).chain((b) =>
    fc.constantFrom(["put", "/role-mappings", b] as const, ["post", "/role-mappings/preview", b] as const),
  ),
  objectAround({
    protocol: fc.constantFrom("saml", "oidc", "ldap"),
    idpMetadataXml: fc.oneof(
      text(80),
      fc.constant("<EntityDescriptor/>"),
      fc.constant('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'),
    ),
    idpEntityId: text(),
    idpSsoUrl: fc.oneof(text(), fc.constant("javascript:alert(1)")),
    idpCertificates: fc.array(text(60), { maxLength: 2 }),
    issuer: fc.oneof(text(), fc.constantFrom("not a url", "http://127.0.0.1:9", "ftp://x")),
    clientId: text(),
    clientSecret: text(),
    scopes: fc.oneof(text(), fc.array(text(10), { maxLength: 3 })),
    groupsClaim: text(),
    allowIdpInitiated: fc.oneof(fc.boolean(), text(5)),
    jit: fc.oneof(fc.boolean(), text(5)),
  }).map((b) => ["put", "/sso-connection", b] as const),
  objectAround({ requireMfa: fc.oneof(fc.boolean(), text(5)), name: text() }).map(
    (b) => ["patch", "/settings", b] as const,
  ),
  objectAround({ name: text() }).chain((b) =>
    fc.constantFrom(["post", "/scim-tokens", b] as const, ["post", "/api-keys", b] as const),
  ),
  fc
    .tuple(
      fc.constantFrom("users", "invitations", "scim-tokens", "api-keys"),
      idLike,
      fc.constantFrom("get", "delete", "post"),
    )
    .map(([kind, id, method]) => {
      const action =
        kind === "users" && method === "post"
          ? "/deactivate"
          : kind === "invitations" && method === "post"
            ? "/resend"
            : "";
      return [method, `/${kind}/${encodeURIComponent(id)}${action}`, undefined] as const;
    }),
  fc
    .tuple(
      fc.constantFrom("/users", "/audit-events", "/groups", "/invitations", "/events", "/sign-ins"),
      fc.dictionary(
        fc.constantFrom("cursor", "limit", "role", "status", "q", "after"),
        fc.oneof(text(30), fc.integer().map(String)),
        { maxKeys: 3 },
      ),
    )
    .map(([path, params]) => ["get", `${path}?${new URLSearchParams(params)}`, undefined] as const),
);

test("when admin API bodies, ids and list parameters are anything, then never 5xx and every refusal is problem+json that changes nothing", async () => {
  await fc.assert(
    fc.asyncProperty(apiCall, async ([method, path, body]) => {
      await checkCase(
        t.db,
        `${method.toUpperCase()} ${path} ${JSON.stringify(body)?.slice(0, 300)}`,
        "api",
        () => {
          const agent = request(t.app);
          const r = agent[method](base() + path).set("Authorization", `Bearer ${apiKey}`);
          return body === undefined
            ? r
            : r.set("Content-Type", "application/json").send(JSON.stringify(body));
        },
      );
    }),
    fuzzOptions(150),
  );
});

test("when local sign-in and invitation acceptance get any JSON body, then never 5xx and every refusal is problem+json that changes nothing", async () => {
  await fc.assert(
    fc.asyncProperty(
      objectAround({
        org: fc.oneof(fc.constant(org.slug), text(20)),
        email: text(),
        password: text(),
        totp: text(8),
      }),
      idLike,
      objectAround({ password: text(80) }),
      async (login, token, accept) => {
        await checkCase(t.db, `login ${JSON.stringify(login)}`, "api", () =>
          request(t.app)
            .post("/auth/login")
            .set("Content-Type", "application/json")
            .send(JSON.stringify(login)),
        );
        await checkCase(t.db, `accept ${token} ${JSON.stringify(accept)}`, "api", () =>
          request(t.app)
            .post(`/auth/invitations/${encodeURIComponent(token)}/accept`)
            .set("Content-Type", "application/json")
            .send(JSON.stringify(accept)),
        );
      },
    ),
    fuzzOptions(50),
  );
});

/** SAMLResponse values: base64 of XML-shaped text (entities, wrappers, deep nesting), or not base64 at all. */
const samlXml = fc.oneof(
  text(200),
  fc
    .tuple(text(20), text(20), fc.integer({ min: 0, max: 50 }))
    .map(
      ([id, issuer, depth]) =>
        `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="${id}" Version="2.0"><saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">${issuer}</saml:Issuer>${"<a>".repeat(depth)}${"</a>".repeat(depth)}<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id}"/></samlp:Response>`,
    ),
  fc.constantFrom(
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
    '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><r>&c;</r>',
    "<samlp:Response",
    "",
  ),
);
const samlField = fc.oneof(
  samlXml.map((x) => Buffer.from(x).toString("base64")),
  text(100),
  fc.constantFrom("====", "%%%", "PHg+"),
);

test("when the SAML ACS gets any SAMLResponse and RelayState, then never 5xx and every refusal is an HTML page that changes nothing", async () => {
  await fc.assert(
    fc.asyncProperty(
      samlField,
      fc.option(text(100)),
      fc.option(text(10)),
      async (samlResponse, relayState, extra) => {
        const form: Record<string, string> = { SAMLResponse: samlResponse };
        if (relayState !== null) form.RelayState = relayState;
        if (extra !== null) form[extra || "x"] = samlResponse;
        await checkCase(t.db, `ACS ${JSON.stringify(form).slice(0, 300)}`, "html", () =>
          request(t.app)
            .post(`/sso/${samlOrg.slug}/saml/acs`)
            .type("form")
            .send(new URLSearchParams(form).toString()),
        );
      },
    ),
    fuzzOptions(60),
  );
});

test("when the OIDC callback gets any code, state, iss, error and binding cookie, then never 5xx and every refusal is an HTML page that changes nothing", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.dictionary(
        fc.constantFrom("code", "state", "iss", "error", "error_description", "session_state"),
        text(60),
        { maxKeys: 5 },
      ),
      fc.option(text(60).map((v) => v.replace(/[^\x21-\x7e]/g, ""))),
      async (params, binding) => {
        await checkCase(t.db, `callback ${JSON.stringify(params)} ${binding}`, "html", () => {
          const r = request(t.app).get(`/sso/${oidcOrg.slug}/oidc/callback?${new URLSearchParams(params)}`);
          return binding === null ? r : r.set("Cookie", `sso_bridge_oidc=${binding}`);
        });
      },
    ),
    fuzzOptions(60),
  );
});
