// Issue 17 point 7: a whole scenario at the most verbose log level (silly), every log line
// captured: SCIM with a token (and a wrong one), a SAML sign-in through a real IdP (and its
// replay), an OIDC sign-in through a real provider, an invitation accepted with a password and a
// local sign-in (and a wrong password), and webhooks: endpoints created and one rotated through
// the admin API, their events delivered by the worker to a receiver on 127.0.0.1, to one that
// answers 500 and to one that is unreachable (retries and failures), and a test event. Then no
// token, password, secret, cookie value, SAMLResponse, authorization code, state or signature
// (SAML's, or any `webhook-signature` value sent) appears in any log line, in the body of any
// refusal or in any webhook delivered.
import request from "supertest";
import { createTestApp, type TestApp } from "../support/app";
import { startSamlIdps, type SamlIdpPool } from "../support/saml-idp";
import { startTestOp, type TestOp } from "../support/oidc-provider";
import { newUser, PATCH_OP, SCIM_JSON } from "../scim/scim-client";
import { postAcs, samlOrg, startLogin } from "../sso/saml/saml-flow";
import { deliver, oidcOrg, sessionCookieOf, startSignIn, type Harness } from "../sso/oidc/harness";
import { tokenOf } from "../users/helpers";
import { createCipher } from "../../src/shared/crypto";
import { startReceiver, until, type Receiver } from "../webhooks/receiver";
import { FAST } from "../webhooks/helpers";
import { tampered } from "../support/tamper";

/** Outside production the invitation link is also printed for the quickstart, on purpose
 * (contract section 1); the test below checks that production prints it nowhere. */
const DEV_INVITATION_LINE = /"message":"invitation link for [^"]+ \(development only\): /;

const BASE_URL = "http://sso.test";
let t: TestApp;
let pool: SamlIdpPool;
let op: TestOp;
/** Webhook receivers on 127.0.0.1: one that takes every event, one that answers 500. */
let hooks: Receiver;
let failing: Receiver;

beforeAll(async () => {
  t = await createTestApp({ BASE_URL, LOG_LEVEL: "silly", WEBHOOK_ALLOW_PRIVATE_URLS: "true" });
  pool = startSamlIdps();
  op = await startTestOp({ redirectUris: [`${BASE_URL}/sso/acme-oidc/oidc/callback`] });
  hooks = await startReceiver();
  failing = await startReceiver(() => ({ status: 500, body: "receiver down, try later" }));
});
afterAll(async () => {
  await pool.close();
  await op.close();
  await hooks.close();
  await failing.close();
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

test("when SCIM, SAML, OIDC, invitations, local sign-in and webhooks run at the most verbose log level, then no secret appears in any log line, refusal body or delivered webhook", async () => {
  // SCIM: a token, its secret part, and a wrong token of the right shape.
  const org = await t.given.org({ plan: "enterprise", slug: "acme" });
  const apiKey = await t.given.apiKey(org);
  keep("API key", apiKey);
  const admin = (r: request.Test) => r.set("Authorization", `Bearer ${apiKey}`);

  // Webhooks, before anything happens, so that every event of the scenario is delivered: an
  // endpoint per receiver and one whose host does not answer (a port just closed), each secret
  // shown once; one endpoint's secret rotated (both then sign); a URL carrying a password, refused.
  const closed = await startReceiver();
  await closed.close();
  const endpoints: Record<string, string> = {};
  for (const [name, url] of [
    ["delivered", hooks.url],
    ["failing", failing.url],
    ["unreachable", closed.url],
  ] as const) {
    const res = seen(
      await admin(request(t.app).post("/api/v1/orgs/acme/webhooks")).send({ url, events: ["*"] }),
    );
    expect(res.status).toBe(201);
    endpoints[name] = res.body.id;
    keep(`${name} webhook signing secret`, res.body.secret);
    keep(`${name} webhook signing key`, String(res.body.secret).replace(/^whsec_/, ""));
  }
  const rotated = seen(
    await admin(request(t.app).post(`/api/v1/orgs/acme/webhooks/${endpoints.delivered}/rotate-secret`)),
  );
  expect(rotated.status).toBe(200);
  keep("rotated webhook signing secret", rotated.body.secret);
  const hookPassword = "Hook-Basic-Password-45";
  keep("webhook URL password", hookPassword);
  expect(
    seen(
      await admin(request(t.app).post("/api/v1/orgs/acme/webhooks")).send({
        url: `http://hook:${hookPassword}@127.0.0.1:9/hooks`,
      }),
    ).status,
  ).toBe(400);

  const token = await t.given.scimToken(org);
  keep("SCIM token", token);
  keep("SCIM token secret", token.split("_").slice(2).join("_"));
  const scim = (r: request.Test) => r.set("Authorization", `Bearer ${token}`).set("Content-Type", SCIM_JSON);
  // SCIM's write-only password (RFC 7643 4.1.1): kept nowhere, so neither logged nor delivered.
  const scimPassword = "Scim-Horse-Battery-Staple-46";
  keep("SCIM password attribute", scimPassword);
  const created = seen(
    await scim(request(t.app).post("/scim/v2/acme/Users")).send(
      JSON.stringify(newUser("sam@acme.test", { password: scimPassword })),
    ),
  );
  expect(created.status).toBe(201);
  seen(
    await scim(request(t.app).patch(`/scim/v2/acme/Users/${created.body.id}`)).send(
      JSON.stringify({ schemas: [PATCH_OP], Operations: [{ op: "replace", path: "title", value: "x" }] }),
    ),
  );
  seen(await scim(request(t.app).get("/scim/v2/acme/Users?filter=userName%20eq%20%22sam%40acme.test%22")));
  const wrong = tampered(token, 6);
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

  // Webhook deliveries: the worker sends the scenario's events, retries the 500s and the
  // unreachable host; a test event to the failing receiver answers its failed attempt.
  const worker = t.services.webhooks.createWorker(FAST);
  worker.start();
  const attemptsOf = (endpointId: string) => t.db.prisma.webhookAttempt.count({ where: { endpointId } });
  const events = await t.db.prisma.outboxEvent.count({ where: { orgId: org.id } });
  expect(events).toBeGreaterThanOrEqual(3);
  try {
    await until(
      async () =>
        new Set(hooks.received.map((r) => r.id)).size === events &&
        failing.received.length >= 3 &&
        (await attemptsOf(endpoints.unreachable!)) >= 3,
      "deliveries, and retries of the failing and unreachable endpoints",
    );
  } finally {
    await worker.stop();
  }
  const test = seen(await admin(request(t.app).post(`/api/v1/orgs/acme/webhooks/${endpoints.failing}/test`)));
  expect(test.body).toMatchObject({ outcome: "test_failed", responseStatus: 500 });
  const signatures = [...hooks.received, ...failing.received].flatMap((r) =>
    String(r.headers["webhook-signature"]).split(" "),
  );
  // The delivered endpoint signs with its rotated and its previous secret: two values each.
  expect(signatures.length).toBeGreaterThanOrEqual(hooks.received.length * 2 + failing.received.length);
  signatures.forEach((value, i) => {
    keep(`webhook-signature value ${i}`, value);
    keep(`webhook-signature HMAC ${i}`, value.replace(/^v1,/, ""));
  });
  const delivered = [...hooks.received, ...failing.received].map((r) => r.body);
  expect(delivered.some((body) => body.includes('"type":"user.created"'))).toBe(true);

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
    ...delivered
      .filter((body) => body.includes(value))
      .map((body) => `webhook delivered the ${what}: ${body.slice(0, 300)}`),
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
