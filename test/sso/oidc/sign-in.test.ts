// OIDC sign-in against a real OpenID Provider (oidc-provider): code flow with PKCE, the role
// from the groups claim, groups changing at the provider, userinfo, key rotation, and Entra's
// group overage falling back to SCIM memberships.
import request from "supertest";
import type { Organization } from "../../../src/generated/prisma/client";
import {
  auditOf,
  deliver,
  expectSignedIn,
  oidcOrg,
  rule,
  sessionCookieOf,
  signedIn,
  startHarness,
  startSignIn,
  type Harness,
} from "./harness";

let h: Harness;
let acme: Organization;

beforeAll(async () => {
  h = await startHarness();
  ({ org: acme } = await oidcOrg(h, "acme"));
  await rule(h, acme, "Acme Admins", "Admin", 0);
  await rule(h, acme, "Acme Support", "Support", 1);
  await rule(h, acme, "Acme Everyone", "Viewer", 2);
});
afterAll(() => h.close());

describe("OIDC sign-in", () => {
  test("when /login is called, then the browser goes to the provider with PKCE S256, state and nonce, and a bound cookie is set", async () => {
    const res = await request(h.t.app).get("/sso/acme/login").query({ returnTo: "/users" }).expect(302);
    const url = new URL(res.headers.location as string);
    expect(url.origin + url.pathname).toBe(`${h.op.issuer}/auth`);
    expect(url.searchParams.get("client_id")).toBe(h.op.clientId);
    expect(url.searchParams.get("response_type")).toBe("code");
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("code_challenge")).toMatch(/^[\w-]{43}$/);
    expect(url.searchParams.get("state")).toMatch(/^[\w-]{32,}$/);
    expect(url.searchParams.get("nonce")).toMatch(/^[\w-]{32,}$/);
    expect(url.searchParams.get("redirect_uri")).toBe("http://sso.test/sso/acme/oidc/callback");
    const cookie = ([] as string[])
      .concat(res.headers["set-cookie"] ?? [])
      .find((c) => c.startsWith("sso_bridge_oidc="));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\/sso\/acme\/oidc\/callback/);
    // Stored server-side: the state only as a hash, the verifier encrypted.
    const row = await h.t.db.prisma.oidcAuthRequest.findFirstOrThrow({
      where: { orgId: acme.id },
      orderBy: { createdAt: "desc" },
    });
    expect(row.stateHash).not.toBe(url.searchParams.get("state"));
    expect(row.codeVerifier).toMatch(/^v1\./);
    expect(row.returnTo).toBe("/users");
    expect(Math.abs(row.expiresAt.getTime() - Date.now() - 10 * 60_000)).toBeLessThan(5_000);
  });

  test("when a new user signs in with an admin group, then they are created just in time as Admin with a session and sent to returnTo", async () => {
    h.op.addAccount({
      sub: "ada-1",
      email: "ada@acme.test",
      given_name: "Ada",
      family_name: "Lovelace",
      groups: ["Acme Admins"],
    });
    const started = await startSignIn(h, "acme", "ada-1", { returnTo: "/users?tab=all" });
    const res = expectSignedIn(h, await deliver(h, started));
    expect(res.headers.location).toBe("/users?tab=all");
    const session = sessionCookieOf(res);
    expect(session).toBeDefined();
    expect(String(res.headers["set-cookie"])).toMatch(/sso_bridge_session=[^;]+;.*HttpOnly/i);

    const me = await request(h.t.app)
      .get("/api/v1/me")
      .set("Cookie", `sso_bridge_session=${session}`)
      .expect(200);
    expect(me.body.role).toBe("Admin");
    const user = await h.t.db.prisma.user.findFirstOrThrow({
      where: { orgId: acme.id, emailLower: "ada@acme.test" },
    });
    expect(user).toMatchObject({
      provisionedBy: "sso",
      ssoSubject: "ada-1",
      firstName: "Ada",
      lastName: "Lovelace",
    });
    expect(user.ssoGroups).toEqual(["Acme Admins"]);
    const [event] = (await auditOf(h, acme, "sso.sign_in")).filter((e) => e.targetId === user.id);
    expect(event?.data).toMatchObject({ protocol: "oidc", role: "Admin", issuer: h.op.issuer });
    // The binding cookie and the session cookie never show up in a log line.
    // Neither the session, the code nor the state shows up in a log line.
    const logs = h.t.rawLogs.join("\n");
    expect(logs).not.toContain(session);
    expect(logs).not.toContain(started.callback.searchParams.get("code"));
    expect(logs).not.toContain(started.callback.searchParams.get("state"));
  });

  test("when the user's groups change at the provider, then the next sign-in gives the new role", async () => {
    const account = h.op.addAccount({ sub: "bob-1", email: "bob@acme.test", groups: ["Acme Admins"] });
    await signedIn(h, "acme", "bob-1");
    const user = () =>
      h.t.db.prisma.user.findFirstOrThrow({ where: { orgId: acme.id, ssoSubject: "bob-1" } });
    expect((await user()).role).toBe("Admin");

    account.groups = ["Acme Everyone"];
    const res = await signedIn(h, "acme", "bob-1");
    expect((await user()).role).toBe("Viewer");
    const me = await request(h.t.app)
      .get("/api/v1/me")
      .set("Cookie", `sso_bridge_session=${sessionCookieOf(res)}`)
      .expect(200);
    expect(me.body.role).toBe("Viewer");
  });

  test("when the ID token carries neither email nor groups, then they are read from userinfo", async () => {
    h.op.addAccount({ sub: "cy-1", email: "cy@acme.test", groups: ["Acme Support"] });
    const res = await signedIn(h, "acme", "cy-1", {
      claims: ({ email: _e, groups: _g, ...rest }) => rest,
    });
    expect(sessionCookieOf(res)).toBeDefined();
    const user = await h.t.db.prisma.user.findFirstOrThrow({ where: { orgId: acme.id, ssoSubject: "cy-1" } });
    expect(user.email).toBe("cy@acme.test");
    expect(user.role).toBe("Support");
  });

  test("when the provider rotates its signing key, then the key set is refetched once and sign-in goes on", async () => {
    h.op.addAccount({ sub: "dee-1", email: "dee@acme.test", groups: ["Acme Everyone"] });
    await signedIn(h, "acme", "dee-1");
    const before = h.op.jwksFetches();
    await h.op.rotateKeys();
    const res = await signedIn(h, "acme", "dee-1");
    expect(sessionCookieOf(res)).toBeDefined();
    expect(h.op.jwksFetches()).toBe(before + 1);
    // The new key set is kept: the next sign-in needs no fetch.
    await signedIn(h, "acme", "dee-1");
    expect(h.op.jwksFetches()).toBe(before + 1);
  });

  test("when Entra reports group overage, then SCIM memberships stand in and roleSource and the audit event say so", async () => {
    const user = await h.t.given.user(acme, {
      email: "eve@acme.test",
      provisionedBy: "scim",
      manualRole: false,
      role: null,
      assignedRole: null,
      roleSource: { kind: "mapping", rules: [] },
    });
    await h.t.given.group(acme, "Acme Support", { members: [user.id] });
    h.op.addAccount({ sub: "eve-1", email: "eve@acme.test", overage: true });

    const res = await signedIn(h, "acme", "eve-1");
    expect(sessionCookieOf(res)).toBeDefined();
    const after = await h.t.db.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(after.role).toBe("Support");
    expect(after.ssoGroupsOverage).toBe(true);
    expect(after.roleSource).toMatchObject({
      kind: "mapping",
      overage: true,
      rules: [{ group: "Acme Support", role: "Support" }],
    });
    const [event] = (await auditOf(h, acme, "sso.sign_in")).filter((e) => e.targetId === user.id);
    expect(event?.data).toMatchObject({ overage: true, groupsSource: "scim (group overage)" });
  });
});
