// Shared set-up of the OIDC tests: the real app (supertest) and a real OpenID Provider, an org
// whose OIDC connection points at it, and a browser that walks one sign-in: our /login, the
// provider's authorize + interaction (with the provider's cookies), back to our callback.
import request from "supertest";
import type { Organization, Role } from "../../../src/generated/prisma/client";
import { createTestApp, type TestApp } from "../../support/app";
import { startTestOp, type IdTokenTamper, type TestOp } from "../../support/oidc-provider";

export const BASE_URL = "http://sso.test";
export const SCOPES = "openid email profile groups";

export interface Harness {
  t: TestApp;
  op: TestOp;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const t = await createTestApp({ BASE_URL });
  // Any org of this file signs in through the same client: one redirect URI per org slug.
  const op = await startTestOp({
    redirectUris: ORG_SLUGS.map((slug) => `${BASE_URL}/sso/${slug}/oidc/callback`),
  });
  return { t, op, close: async () => (await op.close(), await t.close()) };
}

/** The org slugs the provider's client accepts callbacks for. */
export const ORG_SLUGS = ["acme", "globex", "initech", "umbrella", "hooli"];

export async function adminKey(h: Harness, org: Organization): Promise<string> {
  return h.t.given.apiKey(org);
}

/** An org with an enabled OIDC connection to the test provider, created through the admin API. */
export async function oidcOrg(h: Harness, slug: string, body: Record<string, unknown> = {}) {
  const org = await h.t.given.org({ slug });
  const key = await adminKey(h, org);
  await request(h.t.app)
    .put(`/api/v1/orgs/${slug}/sso-connection`)
    .set("Authorization", `Bearer ${key}`)
    .send({
      protocol: "oidc",
      issuer: h.op.issuer,
      clientId: h.op.clientId,
      clientSecret: h.op.clientSecret,
      scopes: SCOPES,
      ...body,
    })
    .expect(201);
  await request(h.t.app)
    .post(`/api/v1/orgs/${slug}/sso-connection/enable`)
    .set("Authorization", `Bearer ${key}`)
    .expect(200);
  return { org, key };
}

export async function rule(h: Harness, org: Organization, group: string, role: Role, position = 0) {
  await h.t.given.rules(org, [{ group, role }], position);
}

const cookiePair = (setCookie: string): [string, string] => {
  const pair = setCookie.split(";")[0] as string;
  const i = pair.indexOf("=");
  return [pair.slice(0, i), pair.slice(i + 1)];
};

export const setCookies = (res: request.Response): Map<string, string> =>
  new Map(([] as string[]).concat(res.headers["set-cookie"] ?? []).map(cookiePair));

/** Follows the provider's redirects with its cookies until it sends the browser back to us. */
export async function authorizeAtOp(authorizeUrl: string): Promise<URL> {
  const jar = new Map<string, string>();
  let url = authorizeUrl;
  for (let hop = 0; hop < 10; hop++) {
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
    const res = await fetch(url, { redirect: "manual", headers: cookie ? { cookie } : {} });
    for (const c of res.headers.getSetCookie()) {
      const [k, v] = cookiePair(c);
      jar.set(k, v);
    }
    const location = res.headers.get("location");
    if (!location)
      throw new Error(`the provider answered ${res.status} without a redirect: ${await res.text()}`);
    const next = new URL(location, url);
    if (next.origin !== new URL(authorizeUrl).origin) return next;
    url = next.href;
  }
  throw new Error("too many redirects at the provider");
}

export interface Started {
  /** The callback URL the provider sent the browser to (code, state, iss). */
  callback: URL;
  /** The browser-binding cookie our /login set ("name=value"). */
  binding: string;
  authorizeUrl: URL;
}

/** Our /login, then the provider's sign-in of `sub` (optionally with the authorize URL edited). */
export async function startSignIn(
  h: Harness,
  slug: string,
  sub: string,
  options: { returnTo?: string; editAuthorizeUrl?: (url: URL) => void } = {},
): Promise<Started> {
  const login = await request(h.t.app)
    .get(`/sso/${slug}/login`)
    .query(options.returnTo ? { returnTo: options.returnTo } : {})
    .expect(302);
  const binding = [...setCookies(login)].find(([k]) => k === "sso_bridge_oidc");
  if (!binding) throw new Error("no browser-binding cookie set by /login");
  const authorizeUrl = new URL(login.headers.location as string);
  options.editAuthorizeUrl?.(authorizeUrl);
  h.op.signInAs(sub);
  const callback = await authorizeAtOp(authorizeUrl.href);
  return { callback, binding: `${binding[0]}=${binding[1]}`, authorizeUrl };
}

/** Delivers the provider's answer to our callback, as the browser would. */
export function deliver(h: Harness, started: Pick<Started, "callback" | "binding">, tamper?: IdTokenTamper) {
  if (tamper) h.op.tamperNextIdToken(tamper);
  const { pathname, search } = started.callback;
  return request(h.t.app).get(`${pathname}${search}`).set("Cookie", started.binding);
}

export async function signIn(h: Harness, slug: string, sub: string, tamper?: IdTokenTamper) {
  return deliver(h, await startSignIn(h, slug, sub), tamper);
}

/** A sign-in that must succeed: 302 with a session cookie (the error page is shown otherwise). */
export async function signedIn(h: Harness, slug: string, sub: string, tamper?: IdTokenTamper) {
  return expectSignedIn(h, await signIn(h, slug, sub, tamper));
}

export function expectSignedIn(h: Harness, res: request.Response): request.Response {
  if (res.status !== 302) {
    const errors = h.t.logs.filter((l) => l.level === "error").map((l) => JSON.stringify(l));
    throw new Error(`the sign-in answered ${res.status}: ${res.text}\n${errors.join("\n")}`);
  }
  return res;
}

export const sessionCookieOf = (res: request.Response): string | undefined =>
  setCookies(res).get("sso_bridge_session");

export async function auditOf(h: Harness, org: Organization, action: string) {
  return h.t.db.prisma.auditEvent.findMany({
    where: { orgId: org.id, action },
    orderBy: { createdAt: "asc" },
  });
}
