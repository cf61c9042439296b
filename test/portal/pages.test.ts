// Invitations, audit log, settings and profile through HTTP, and the portal's write routes
// walked for the SSO guard and the CSRF check.
import request from "supertest";
import type { Router } from "express";
import { createTestApp, type TestApp } from "../support/app";
import { createPortalRouter } from "../../src/portal/router";
import { isSsoOffGuard } from "../../src/http/require-sso-off";
import { hashPassword } from "../../src/auth/passwords";
import { orgWithMembers, ssoOn } from "../users/helpers";
import { formSession, postForm, textOf } from "./helpers";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

interface Layer {
  route?: { path: string; methods: Record<string, boolean>; stack: { handle: unknown }[] };
  handle: unknown;
}

function portalWriteRoutes() {
  const portal = createPortalRouter(t.services) as unknown as { stack: Layer[] };
  const pages = portal.stack
    .map((l) => l.handle as Router & { stack?: Layer[] })
    .find((h) => h.stack?.some((l) => l.route?.path === "/login"));
  return (pages!.stack as Layer[])
    .filter((l) => l.route && Object.keys(l.route.methods).some((m) => m !== "get"))
    .map((l) => ({
      path: l.route!.path,
      csrf: l.route!.stack.some((s) => s.handle === t.services.csrf.verify),
      ssoGuard: l.route!.stack.some((s) => isSsoOffGuard(s.handle)),
    }));
}

test("when the portal's routes are walked, then every POST checks CSRF and every manual user write runs the SSO guard", () => {
  const routes = portalWriteRoutes();
  expect(routes.length).toBeGreaterThan(15);
  for (const r of routes) expect({ path: r.path, csrf: r.csrf }).toEqual({ path: r.path, csrf: true });
  const manual = routes.filter((r) =>
    /^\/(users|invitations)\/|^\/invitations$|^\/profile\/(names|password)$/.test(r.path),
  );
  expect(manual.map((r) => r.path)).toEqual(
    expect.arrayContaining(["/users/:id/block", "/users/:id/delete", "/invitations", "/profile/password"]),
  );
  for (const r of manual)
    expect({ path: r.path, ssoGuard: r.ssoGuard }).toEqual({ path: r.path, ssoGuard: true });
});

describe("invitations", () => {
  test("when an Admin invites someone, then the pending list shows them and, outside production, the link", async () => {
    const m = await orgWithMembers(t);
    const s = await formSession(t, m.admin.cookie, "/invitations");
    const res = await postForm(t, s, "/invitations", {
      email: "new@example.test",
      firstName: "Nia",
      lastName: "New",
      role: "Support",
    }).expect(200);
    expect(textOf(res.text)).toContain("Invitation sent to new@example.test.");
    expect(res.text).toMatch(
      /<code id="invitation-link">http:\/\/sso\.test\/auth\/invitations\/[^<]+<\/code>/,
    );
    expect(textOf(res.text)).toMatch(/new@example\.test Nia New Support Expires in/);
  });

  test("when an invitation is rescinded, then it leaves the list", async () => {
    const m = await orgWithMembers(t);
    const s = await formSession(t, m.admin.cookie, "/invitations");
    await postForm(t, s, "/invitations", { email: "gone@example.test", role: "Viewer" }).expect(200);
    const inv = await t.db.prisma.invitation.findFirstOrThrow({
      where: { orgId: m.org.id, email: "gone@example.test" },
    });
    const res = await postForm(t, s, `/invitations/${inv.id}/rescind`, {}).expect(200);
    expect(res.text).toContain("The invitation was rescinded");
    expect(res.text).not.toContain("gone@example.test</a>");
  });

  test("when the email is not valid, then the form says why with status 400", async () => {
    const m = await orgWithMembers(t);
    const s = await formSession(t, m.admin.cookie, "/invitations");
    const res = await postForm(t, s, "/invitations", { email: "nope", role: "Viewer" });
    expect(res.status).toBe(400);
    expect(res.text).toContain("notice-error");
  });
});

describe("audit log", () => {
  test("when filtered by action, then only those events are listed, newest first", async () => {
    const m = await orgWithMembers(t);
    const s = await formSession(t, m.admin.cookie, "/settings");
    await postForm(t, s, "/settings", { name: "First", invitationTtlHours: "72" }).expect(303);
    await postForm(t, s, "/settings", { name: "Second", invitationTtlHours: "72" }).expect(303);
    const res = await request(t.app)
      .get("/audit?action=org.settings_updated")
      .set("Cookie", m.admin.cookie)
      .expect(200);
    const text = textOf(res.text);
    expect(text.indexOf("name: Second")).toBeGreaterThan(-1);
    expect(text.indexOf("name: Second")).toBeLessThan(text.indexOf("name: First"));
    expect(text).not.toContain("org.created");
    const byActor = await request(t.app)
      .get(`/audit?actor=${encodeURIComponent(m.viewer.user.email)}`)
      .set("Cookie", m.admin.cookie);
    expect(textOf(byActor.text)).toContain("No events match.");
  });
});

describe("settings", () => {
  test("when an Admin turns on required MFA, then the organization requires it", async () => {
    const m = await orgWithMembers(t);
    const s = await formSession(t, m.admin.cookie, "/settings");
    await postForm(t, s, "/settings", { name: "Acme", requireMfa: "true", invitationTtlHours: "48" }).expect(
      303,
    );
    const org = await t.db.prisma.organization.findUniqueOrThrow({ where: { id: m.org.id } });
    expect(org).toMatchObject({ name: "Acme", requireMfa: true, invitationTtlHours: 48 });
  });
});

describe("profile", () => {
  test("when a Viewer opens their profile, then it states their role and why and the navigation has only Profile", async () => {
    const m = await orgWithMembers(t);
    const res = await request(t.app).get("/profile").set("Cookie", m.viewer.cookie).expect(200);
    expect(textOf(res.text)).toContain("Viewer, set by hand by an Admin.");
    expect(res.text).not.toContain('href="/users"');
  });

  test("when someone changes their password, then the new one signs them in", async () => {
    const m = await orgWithMembers(t);
    await t.db.prisma.user.update({
      where: { id: m.viewer.user.id },
      data: { passwordHash: await hashPassword("old password 123") },
    });
    const s = await formSession(t, m.viewer.cookie, "/profile");
    await postForm(t, s, "/profile/password", {
      currentPassword: "old password 123",
      newPassword: "new password 456",
    }).expect(303);
    const login = await formSession(t, null, `/login?org=${m.org.slug}`);
    const res = await postForm(t, login, "/login", {
      org: m.org.slug,
      email: m.viewer.user.email,
      password: "new password 456",
    }).expect(303);
    expect(res.headers.location).toBe("/");
  });

  test("when someone starts MFA enrolment, then the page shows a QR code as inline SVG and the key", async () => {
    const m = await orgWithMembers(t);
    const s = await formSession(t, m.viewer.cookie, "/profile");
    const res = await postForm(t, s, "/profile/mfa", {}).expect(200);
    expect(res.text).toMatch(
      /<div class="qr"><svg role="img" aria-label="QR code for your authenticator app"/,
    );
    expect(res.text).toMatch(/id="totp-secret">[A-Z2-7]{16,}</);
  });

  test("when SSO is on, then name and password are the identity provider's", async () => {
    const m = await orgWithMembers(t);
    await ssoOn(t, m.org);
    const res = await request(t.app).get("/profile").set("Cookie", m.viewer.cookie).expect(200);
    expect(res.text).toContain("Managed by your identity provider (single sign-on is on)");
    const s = await formSession(t, m.viewer.cookie, "/profile");
    await postForm(t, s, "/profile/names", { firstName: "X" }).expect(409);
  });
});

describe("sign-in", () => {
  test("when SSO is on, then /login offers Continue with SSO to the org's SSO start with returnTo", async () => {
    const m = await orgWithMembers(t);
    await ssoOn(t, m.org);
    const res = await request(t.app).get(`/login?org=${m.org.slug}&returnTo=%2Fusers`).expect(200);
    expect(res.text).toContain(`href="/sso/${m.org.slug}/login?returnTo=%2Fusers"`);
    expect(res.text).toContain("Continue with SSO");
    expect(res.text).not.toContain('name="password"');
  });

  test("when the password is wrong, then the form says so and no session is set", async () => {
    const m = await orgWithMembers(t);
    const login = await formSession(t, null, `/login?org=${m.org.slug}`);
    const res = await postForm(t, login, "/login", {
      org: m.org.slug,
      email: m.admin.user.email,
      password: "wrong password",
    }).expect(401);
    expect(textOf(res.text)).toContain("The organization, email or password is not correct.");
    expect(String(res.headers["set-cookie"] ?? "")).not.toContain("sso_bridge_session=");
  });

  test("when returnTo points to another site, then sign-in lands on / instead", async () => {
    const m = await orgWithMembers(t);
    await t.db.prisma.user.update({
      where: { id: m.admin.user.id },
      data: { passwordHash: await hashPassword("admin password 1") },
    });
    const login = await formSession(t, null, `/login?org=${m.org.slug}`);
    const res = await postForm(t, login, "/login", {
      org: m.org.slug,
      email: m.admin.user.email,
      password: "admin password 1",
      returnTo: "//evil.test/x",
    }).expect(303);
    expect(res.headers.location).toBe("/");
  });

  test("when someone signs out, then the session ends and they land on the sign-in page", async () => {
    const m = await orgWithMembers(t);
    const s = await formSession(t, m.viewer.cookie, "/profile");
    const res = await postForm(t, s, "/logout", {}).expect(303);
    expect(res.headers.location).toBe("/login?signedOut=1");
    await request(t.app).get("/profile").set("Cookie", m.viewer.cookie).expect(303);
  });
});
