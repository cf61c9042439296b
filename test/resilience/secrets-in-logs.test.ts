// Issue 17 point 7: a whole scenario at the most verbose log level (silly), every log line
// captured: SCIM with a token (and a wrong one), a SAML sign-in through a real IdP (and its
// replay), an OIDC sign-in through a real provider, an invitation accepted with a password and a
// local sign-in (and a wrong password). Then no token, password, secret, cookie value,
// SAMLResponse, authorization code, state or signature appears in any log line or in the body
// of any refusal.
import request from "supertest";
import { createTestApp, type TestApp } from "../support/app";
import { startSamlIdps, type SamlIdpPool } from "../support/saml-idp";
import { startTestOp, type TestOp } from "../support/oidc-provider";
import { newUser, PATCH_OP, SCIM_JSON } from "../scim/scim-client";
import { postAcs, samlOrg, startLogin } from "../sso/saml/saml-flow";
import { deliver, oidcOrg, sessionCookieOf, startSignIn, type Harness } from "../sso/oidc/harness";
import { tokenOf } from "../users/helpers";
import { createCipher } from "../../src/shared/crypto";

/** Outside production the invitation link is also printed for the quickstart, on purpose
 * (contract section 1); the test below checks that production prints it nowhere. */
const DEV_INVITATION_LINE = /"message":"invitation link for [^"]+ \(development only\): /;

const BASE_URL = "http://sso.test";
let t: TestApp;
let pool: SamlIdpPool;
let op: TestOp;

beforeAll(async () => {
  t = await createTestApp({ BASE_URL, LOG_LEVEL: "silly" });
  pool = startSamlIdps();
  op = await startTestOp({ redirectUris: [`${BASE_URL}/sso/acme-oidc/oidc/callback`] });
});
afterAll(async () => {
  await pool.close();
  await op.close();
  await t.close();
});

/** Every secret the scenario handled, by what it is. */
const secrets = new Map<string, string>();
const keep = (what: string, value: string | undefined | null) => {
  if (!value || value.length < 8) throw new Error(`no ${what} to look for`);
  secrets.set(what, value);
};
/** Bodies of every refusal the scenario received. */
const refusals: string[] = [];
const seen = (res: request.Response) => {
  if (res.status >= 400) refusals.push(res.text);
  return res;
};
const cookieValue = (res: request.Response, name: string) =>
  ([] as string[])
    .concat(res.headers["set-cookie"] ?? [])
    .find((c) => c.startsWith(`${name}=`))
    ?.split(";")[0]
    ?.slice(name.length + 1);

test("when SCIM, SAML, OIDC, invitations and local sign-in run at the most verbose log level, then no secret appears in any log line or refusal body", async () => {
  // SCIM: a token, its secret part, and a wrong token of the right shape.
  const org = await t.given.org({ plan: "enterprise", slug: "acme" });
  const apiKey = await t.given.apiKey(org);
  keep("API key", apiKey);
  const token = await t.given.scimToken(org);
  keep("SCIM token", token);
  keep("SCIM token secret", token.split("_").slice(2).join("_"));
  const scim = (r: request.Test) => r.set("Authorization", `Bearer ${token}`).set("Content-Type", SCIM_JSON);
  const created = seen(
    await scim(request(t.app).post("/scim/v2/acme/Users")).send(JSON.stringify(newUser("sam@acme.test"))),
  );
  expect(created.status).toBe(201);
  seen(
    await scim(request(t.app).patch(`/scim/v2/acme/Users/${created.body.id}`)).send(
      JSON.stringify({ schemas: [PATCH_OP], Operations: [{ op: "replace", path: "title", value: "x" }] }),
    ),
  );
  seen(await scim(request(t.app).get("/scim/v2/acme/Users?filter=userName%20eq%20%22sam%40acme.test%22")));
  const wrong = `${token.slice(0, -6)}AAAAAA`;
  keep("wrong SCIM token", wrong);
  expect(
    seen(await request(t.app).get("/scim/v2/acme/Users").set("Authorization", `Bearer ${wrong}`)).status,
  ).toBe(401);

  // Invitation: the link's token, the password chosen, the session it opens; a local sign-in
  // with that password and one with a wrong password.
  const password = "Correct-Horse-Battery-Staple-42";
  keep("password", password);
  const invited = seen(
    await request(t.app)
      .post("/api/v1/orgs/acme/invitations")
      .set("Authorization", `Bearer ${apiKey}`)
      .send({
        invitations: [{ email: "ivy@acme.test", firstName: "Ivy", lastName: "Invited", role: "Admin" }],
      }),
  );
  expect(invited.status).toBe(201);
  const mail = await t.db.prisma.mailOutbox.findFirstOrThrow({
    where: { orgId: org.id, to: "ivy@acme.test" },
  });
  const text = createCipher(t.config.secretKey).decrypt(mail.text); // mail is encrypted at rest
  const invitationToken = tokenOf(/https?:\/\/\S+\/auth\/invitations\/[\w-]+/.exec(text)![0]);
  keep("invitation token", invitationToken);
  const accepted = seen(
    await request(t.app).post(`/auth/invitations/${invitationToken}/accept`).send({ password }),
  );
  expect(accepted.status).toBe(200);
  keep("invitation session cookie", cookieValue(accepted, "sso_bridge_session"));
  seen(await request(t.app).post(`/auth/invitations/${invitationToken}/accept`).send({ password }));
  const login = seen(
    await request(t.app).post("/auth/login").send({ org: "acme", email: "ivy@acme.test", password }),
  );
  expect(login.status).toBe(200);
  keep("login session cookie", cookieValue(login, "sso_bridge_session"));
  const wrongPassword = "Wrong-Horse-Battery-Staple-43";
  keep("wrong password", wrongPassword);
  expect(
    seen(
      await request(t.app)
        .post("/auth/login")
        .send({ org: "acme", email: "ivy@acme.test", password: wrongPassword }),
    ).status,
  ).toBe(401);

  // SAML: the posted SAMLResponse (base64, and a slice of it), the signature value, the session.
  const idp = pool.create("https://idp.test/secrets");
  const s = await samlOrg(t, idp);
  const started = await startLogin(t, s.org);
  const xml = await idp.respond({
    destination: s.acsUrl,
    audience: s.spEntityId,
    inResponseTo: started.id,
    nameId: "sally@acme.test",
    attributes: { groups: ["Admins"] },
  });
  const samlResponse = Buffer.from(xml).toString("base64");
  keep("SAMLResponse", samlResponse);
  keep("SAMLResponse slice", samlResponse.slice(400, 460));
  keep("SAML signature", /SignatureValue>([^<]{40})/.exec(xml)?.[1]);
  const acs = seen(await postAcs(t, s.org, xml));
  expect(acs.status).toBe(302);
  keep("SAML session cookie", cookieValue(acs, "sso_bridge_session"));
  expect(seen(await postAcs(t, s.org, xml)).status).toBe(401);

  // OIDC: the client secret, the state, the code, the browser-binding cookie, the session.
  const h: Harness = { t, op, close: async () => undefined };
  const { org: oidc } = await oidcOrg(h, "acme-oidc");
  op.addAccount({ sub: "olive", email: "olive@acme.test", groups: ["Admins"] });
  await t.db.prisma.roleMappingRule.create({
    data: { orgId: oidc.id, position: 0, group: "Admins", groupLower: "admins", role: "Admin" },
  });
  keep("OIDC client secret", op.clientSecret);
  const signIn = await startSignIn(h, "acme-oidc", "olive");
  keep("OIDC code", signIn.callback.searchParams.get("code"));
  keep("OIDC state", signIn.callback.searchParams.get("state"));
  keep("OIDC binding cookie", signIn.binding.split("=")[1]);
  const callback = seen(await deliver(h, signIn));
  expect(callback.status).toBe(302);
  keep("OIDC session cookie", sessionCookieOf(callback));
  expect(seen(await deliver(h, signIn)).status).toBeGreaterThanOrEqual(400);

  keep("SECRET_KEY", t.config.secretKey);

  // The log sink caught the scenario at every level, down to http and below.
  expect(t.rawLogs.length).toBeGreaterThan(20);
  expect(t.logs.some((l) => l.level === "http")).toBe(true);
  const leaks = [...secrets].flatMap(([what, value]) => [
    ...t.rawLogs
      .filter(
        (line) => line.includes(value) && !(what === "invitation token" && DEV_INVITATION_LINE.test(line)),
      )
      .map((line) => `log line holds the ${what}: ${line.slice(0, 300)}`),
    ...refusals
      .filter((body) => body.includes(value))
      .map((body) => `refusal body holds the ${what}: ${body.slice(0, 300)}`),
  ]);
  expect(leaks).toEqual([]);
});

test("when an invitation is created and accepted in production at the most verbose log level, then its link is only mailed: no log line holds its token", async () => {
  const prod = await createTestApp({
    BASE_URL: "https://sso.example",
    LOG_LEVEL: "silly",
    NODE_ENV: "production",
  });
  try {
    const org = await prod.given.org({ slug: "prod" });
    const apiKey = await prod.given.apiKey(org);
    const invited = await request(prod.app)
      .post("/api/v1/orgs/prod/invitations")
      .set("Authorization", `Bearer ${apiKey}`)
      .send({ invitations: [{ email: "pat@prod.test", firstName: "Pat", lastName: "Prod", role: "Admin" }] })
      .expect(201);
    expect(invited.body.invitations[0].invitationUrl).toBeUndefined();
    const mail = await prod.db.prisma.mailOutbox.findFirstOrThrow({ where: { orgId: org.id } });
    const text = createCipher(prod.config.secretKey).decrypt(mail.text); // mail is encrypted at rest
    const token = tokenOf(/https:\/\/\S+\/auth\/invitations\/[\w-]+/.exec(text)![0]);
    const password = "Prod-Horse-Battery-Staple-44";
    await request(prod.app).post(`/auth/invitations/${token}/accept`).send({ password }).expect(200);
    expect(prod.rawLogs.length).toBeGreaterThan(2);
    expect(prod.rawLogs.filter((l) => l.includes(token) || l.includes(password))).toEqual([]);
  } finally {
    await prod.close();
  }
});
