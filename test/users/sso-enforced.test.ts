import { readdirSync } from "node:fs";
import path from "node:path";
import request from "supertest";
import type { Router } from "express";
import { createTestApp, type TestApp } from "../support/app";
import { isSsoOffGuard } from "../../src/http/require-sso-off";
import { hashPassword } from "../../src/auth/passwords";
import { orgWithMembers, snapshot, ssoOff, ssoOn } from "./helpers";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

interface WriteRoute {
  method: string;
  path: string;
  guarded: boolean;
}

const MANUAL_PATHS = /^\/(users|invitations|me)(\/|$)/;

/** Every non-GET route under /users, /invitations and /me, from every router factory in src/api. */
function manualWriteRoutes(): WriteRoute[] {
  const dir = path.join(__dirname, "../../src/api");
  const routes: WriteRoute[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith("-routes.ts"))) {
    const mod = require(path.join(dir, file)) as Record<string, unknown>;
    for (const [name, factory] of Object.entries(mod)) {
      if (typeof factory !== "function" || !name.endsWith("Routes")) continue;
      const router = (factory as (s: unknown) => Router)(t.services);
      for (const layer of (router as unknown as { stack: any[] }).stack) {
        const route = layer.route;
        if (!route || !MANUAL_PATHS.test(route.path)) continue;
        for (const method of Object.keys(route.methods).filter((m) => m !== "get" && m !== "head"))
          routes.push({
            method,
            path: route.path,
            guarded: route.stack.some((l: any) => isSsoOffGuard(l.handle)),
          });
      }
    }
  }
  return routes;
}

describe("SSO on means manual management off", () => {
  test("when the admin API's routers are walked, then every manual write route runs the one SSO guard", () => {
    const routes = manualWriteRoutes();
    const names = routes.map((r) => `${r.method.toUpperCase()} ${r.path}`);
    expect(names).toEqual(
      expect.arrayContaining([
        "PATCH /users/:id",
        "DELETE /users/:id",
        "POST /users/:id/deactivate",
        "POST /users/:id/reactivate",
        "POST /users/:id/block",
        "POST /users/:id/unblock",
        "POST /users/:id/reset-mfa",
        "POST /invitations",
        "POST /invitations/:id/resend",
        "DELETE /invitations/:id",
        "PATCH /me",
        "POST /me/password",
      ]),
    );
    expect(routes.filter((r) => !r.guarded)).toEqual([]);
  });

  test("when SSO is on, then every manual write route answers 409 sso_enforced as Admin and nothing changes", async () => {
    const { org, admin, viewer, base } = await orgWithMembers(t);
    const invited = await request(t.app)
      .post(`${base}/invitations`)
      .set("Cookie", admin.cookie)
      .send({ invitations: [{ email: "pending@example.test", role: "Viewer" }] })
      .expect(201);
    const invitationId = invited.body.invitations[0].id;
    await t.db.prisma.user.update({
      where: { id: admin.user.id },
      data: { passwordHash: await hashPassword("the admin's old password") },
    });
    await ssoOn(t, org);
    const before = await snapshot(t, org);
    const auditBefore = await t.db.prisma.auditEvent.count({ where: { orgId: org.id } });
    const bodies: Record<string, object> = {
      "PATCH /users/:id": { firstName: "Changed", role: "Admin" },
      "DELETE /users/:id": { confirm: viewer.user.email },
      "POST /invitations": { invitations: [{ email: "new@example.test", role: "Viewer" }] },
      "PATCH /me": { firstName: "Changed" },
      "POST /me/password": {
        currentPassword: "the admin's old password",
        newPassword: "a brand new password",
      },
    };
    const routes = manualWriteRoutes();
    expect(routes.length).toBeGreaterThanOrEqual(12);
    for (const route of routes) {
      const url = (route.path.startsWith("/me") ? `/api/v1${route.path}` : `${base}${route.path}`).replace(
        ":id",
        route.path.startsWith("/invitations") ? invitationId : viewer.user.id,
      );
      const agent = request(t.app) as any;
      const res = await agent[route.method](url)
        .set("Cookie", admin.cookie)
        .send(bodies[`${route.method.toUpperCase()} ${route.path}`] ?? {});
      expect([route.method, route.path, res.status, res.body.code]).toEqual([
        route.method,
        route.path,
        409,
        "sso_enforced",
      ]);
      expect(res.body.detail).toMatch(/identity provider/);
    }
    expect(await snapshot(t, org)).toEqual(before);
    expect(await t.db.prisma.auditEvent.count({ where: { orgId: org.id } })).toBe(auditBefore);
  });

  test("when SSO is on, then reads keep working", async () => {
    const { org, admin, viewer, base } = await orgWithMembers(t);
    await ssoOn(t, org);
    const list = await request(t.app).get(`${base}/users`).set("Cookie", admin.cookie).expect(200);
    expect(list.body.data).toHaveLength(3);
    await request(t.app).get(`${base}/users/${viewer.user.id}`).set("Cookie", admin.cookie).expect(200);
    await request(t.app).get(`${base}/invitations`).set("Cookie", admin.cookie).expect(200);
    await request(t.app).get("/api/v1/me").set("Cookie", viewer.cookie).expect(200);
  });

  test("when SSO is on, then local password sign-in and invitation acceptance are refused with sso_enforced", async () => {
    const { org, admin, base } = await orgWithMembers(t);
    const invited = await request(t.app)
      .post(`${base}/invitations`)
      .set("Cookie", admin.cookie)
      .send({ invitations: [{ email: "later@example.test", role: "Viewer" }] })
      .expect(201);
    const user = await t.given.user(org, { passwordHash: await hashPassword("a valid password!") });
    await ssoOn(t, org);
    const login = await request(t.app)
      .post("/auth/login")
      .send({ org: org.slug, email: user.email, password: "a valid password!" })
      .expect(409);
    expect(login.body.code).toBe("sso_enforced");
    expect(login.headers["set-cookie"]).toBeUndefined();
    const token = invited.body.invitations[0].invitationUrl.split("/auth/invitations/")[1];
    const page = await request(t.app).get(`/auth/invitations/${token}`).expect(409);
    expect(page.headers["content-type"]).toMatch(/text\/html/);
    expect(page.text).toMatch(/identity provider/);
    const accept = await request(t.app)
      .post(`/auth/invitations/${token}/accept`)
      .send({ password: "a long enough password" })
      .expect(409);
    expect(accept.body.code).toBe("sso_enforced");
    expect(
      (
        await t.db.prisma.user.findFirstOrThrow({
          where: { orgId: org.id, emailLower: "later@example.test" },
        })
      ).status,
    ).toBe("invited");
  });

  test("when SSO is turned off again, then manual management works and nothing was lost", async () => {
    const { org, admin, viewer, base } = await orgWithMembers(t);
    await ssoOn(t, org);
    await request(t.app)
      .post(`${base}/users/${viewer.user.id}/block`)
      .set("Cookie", admin.cookie)
      .expect(409);
    await ssoOff(t, org);
    const res = await request(t.app)
      .post(`${base}/users/${viewer.user.id}/block`)
      .set("Cookie", admin.cookie)
      .expect(200);
    expect(res.body.status).toBe("blocked");
    await request(t.app)
      .post(`${base}/invitations`)
      .set("Cookie", admin.cookie)
      .send({ invitations: [{ email: "after@example.test", role: "Viewer" }] })
      .expect(201);
    expect(await t.db.prisma.user.count({ where: { orgId: org.id } })).toBe(4);
  });
});
