// An Admin's test sign-in over OIDC, against a real OpenID Provider (oidc-provider): the code
// flow runs for real, the callback validates everything, and the answer is a result for the
// Admin's session alone; no user, no session, SSO may be off.
import request from "supertest";
import type { Organization } from "../../../src/generated/prisma/client";
import {
  authorizeAtOp,
  deliver,
  oidcOrg,
  rule,
  setCookies,
  startHarness,
  type Harness,
} from "../oidc/harness";

let h: Harness;
let acme: Organization;
let key: string;
let admin: string;

beforeAll(async () => {
  h = await startHarness();
  ({ org: acme, key } = await oidcOrg(h, "acme"));
  await rule(h, acme, "Acme Admins", "Admin", 0);
  await request(h.t.app)
    .post("/api/v1/orgs/acme/sso-connection/disable")
    .set("Authorization", `Bearer ${key}`)
    .expect(200);
  ({ cookie: admin } = await h.t.given.member(acme, "Admin", { email: "it@acme.test" }));
});
afterAll(() => h.close());

async function testAs(sub: string) {
  const login = await request(h.t.app).get("/sso/acme/login?test=1").set("Cookie", admin).expect(302);
  const binding = [...setCookies(login)].find(([k]) => k === "sso_bridge_oidc") as [string, string];
  h.op.signInAs(sub);
  const callback = await authorizeAtOp(login.headers.location as string);
  return deliver(h, { callback, binding: `${binding[0]}=${binding[1]}` });
}

const result = (res: request.Response) =>
  request(h.t.app)
    .get(
      `/api/v1/orgs/acme/sso-connection/test-results/${new URL(res.headers.location as string, "http://x").searchParams.get("result")}`,
    )
    .set("Cookie", admin)
    .expect(200);

describe("OIDC test sign-in", () => {
  test("when an Admin tests while SSO is off, then the result shows the subject, claims, groups and role, and no user or session is made", async () => {
    h.op.addAccount({ sub: "dana-1", email: "dana@acme.test", groups: ["Acme Admins"] });
    const sessionsBefore = await h.t.db.prisma.session.count({ where: { orgId: acme.id } });
    const res = await testAs("dana-1");
    expect(res.status).toBe(302);
    expect(res.headers.location).toMatch(/^\/sso-setup\?result=/);
    expect(setCookies(res).get("sso_bridge_session")).toBeUndefined();
    expect(await h.t.db.prisma.session.count({ where: { orgId: acme.id } })).toBe(sessionsBefore);
    expect(await h.t.db.prisma.user.count({ where: { orgId: acme.id, email: "dana@acme.test" } })).toBe(0);
    const body = (await result(res)).body;
    expect(body).toMatchObject({
      passed: true,
      protocol: "oidc",
      subject: "dana-1",
      email: "dana@acme.test",
      groups: ["Acme Admins"],
      attributes: { sub: "dana-1", groups: ["Acme Admins"] },
      role: "Admin",
      wouldCreateUser: true,
    });
    expect(body.attributes.nonce).toBeUndefined();
    const row = await h.t.db.prisma.ssoConnection.findUniqueOrThrow({ where: { orgId: acme.id } });
    expect(row.testedAt?.toISOString()).toBe(body.testedAt);
  });

  test("when the person's groups give no role, then the result names no_role", async () => {
    h.op.addAccount({ sub: "eve-1", email: "eve@acme.test", groups: ["Acme Nobody"] });
    const body = (await result(await testAs("eve-1"))).body;
    expect(body).toMatchObject({ passed: false, reason: "no_role", subject: "eve-1", role: null });
  });

  test("when SSO is off and the answer is to a real sign-in, then the callback is refused with sso_disabled", async () => {
    const res = await request(h.t.app).get("/sso/acme/oidc/callback?state=not-a-test&code=x").expect(403);
    expect(res.text).toContain("sso_disabled");
  });
});
