import request from "supertest";
import { createTestApp, type TestApp } from "../support/app";
import { tampered } from "../support/tamper";
import { ROLE_PERMISSIONS } from "../../src/roles/permissions";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe("API keys", () => {
  test("when an API key calls /me, then it answers the org, the Admin role and every Admin permission", async () => {
    const org = await t.given.org();
    const key = await t.given.apiKey(org, "backend");
    const res = await request(t.app).get("/api/v1/me").set("Authorization", `Bearer ${key}`).expect(200);
    expect(res.body.organization).toMatchObject({ id: org.id, slug: org.slug });
    expect(res.body.role).toBe("Admin");
    expect(res.body.user).toBeNull();
    expect(res.body.apiKey.name).toBe("backend");
    expect(res.body.permissions).toEqual([...ROLE_PERMISSIONS.Admin]);
  });

  test("when the key is wrong, then 401 problem+json", async () => {
    const org = await t.given.org();
    const key = await t.given.apiKey(org);
    const res = await request(t.app)
      .get("/api/v1/me")
      .set("Authorization", `Bearer ${tampered(key, 2)}`)
      .expect(401);
    expect(res.body.code).toBe("unauthorized");
  });

  test("when there are no credentials, then 401", async () => {
    await request(t.app).get("/api/v1/me").expect(401);
  });

  test("when a key of another org is used, then 403, exactly as for an org that does not exist", async () => {
    const mine = await t.given.org();
    const other = await t.given.org();
    const key = await t.given.apiKey(mine);
    const foreign = await request(t.app)
      .get(`/api/v1/orgs/${other.slug}/settings`)
      .set("Authorization", `Bearer ${key}`)
      .expect(403);
    const missing = await request(t.app)
      .get(`/api/v1/orgs/no-such-org/settings`)
      .set("Authorization", `Bearer ${key}`)
      .expect(403);
    expect(foreign.body.code).toBe("forbidden");
    expect({ ...foreign.body, requestId: null }).toEqual({ ...missing.body, requestId: null });
  });

  test("when a key is created, then it is stored only as a hash and shown once; revoking it stops it at once", async () => {
    const org = await t.given.org();
    const admin = await t.given.apiKey(org);
    const created = await request(t.app)
      .post(`/api/v1/orgs/${org.slug}/api-keys`)
      .set("Authorization", `Bearer ${admin}`)
      .send({ name: "ci" })
      .expect(201);
    expect(created.body).toEqual({ id: expect.any(String), name: "ci", key: expect.stringMatching(/^sbk_/) });
    const row = await t.db.prisma.apiKey.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(row.secretHash).toMatch(/^[0-9a-f]{64}$/);
    expect(created.body.key).not.toContain(row.secretHash);

    await request(t.app).get("/api/v1/me").set("Authorization", `Bearer ${created.body.key}`).expect(200);
    const list = await request(t.app)
      .get(`/api/v1/orgs/${org.slug}/api-keys`)
      .set("Authorization", `Bearer ${admin}`)
      .expect(200);
    const listed = list.body.data.find((k: { id: string }) => k.id === created.body.id);
    expect(listed).toMatchObject({ name: "ci", revokedAt: null });
    expect(listed.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(list.body)).not.toContain(row.secretHash);

    await request(t.app)
      .delete(`/api/v1/orgs/${org.slug}/api-keys/${created.body.id}`)
      .set("Authorization", `Bearer ${admin}`)
      .expect(204);
    await request(t.app).get("/api/v1/me").set("Authorization", `Bearer ${created.body.key}`).expect(401);
  });

  test("when a SCIM token is created, then the answer carries the org's SCIM base URL", async () => {
    const org = await t.given.org();
    const admin = await t.given.apiKey(org);
    const res = await request(t.app)
      .post(`/api/v1/orgs/${org.slug}/scim-tokens`)
      .set("Authorization", `Bearer ${admin}`)
      .send({ name: "okta" })
      .expect(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      name: "okta",
      token: expect.stringMatching(/^scim_/),
      scimBaseUrl: `http://sso.test/scim/v2/${org.slug}`,
    });
    // A SCIM token is not an API key.
    await request(t.app).get("/api/v1/me").set("Authorization", `Bearer ${res.body.token}`).expect(401);
  });

  test("when a credential of another org is revoked by id, then 404 and it keeps working", async () => {
    const a = await t.given.org();
    const b = await t.given.org();
    const keyA = await t.given.apiKey(a);
    const keyB = await t.given.apiKey(b);
    const { id } = (
      await request(t.app).get(`/api/v1/orgs/${b.slug}/api-keys`).set("Authorization", `Bearer ${keyB}`)
    ).body.data[0];
    await request(t.app)
      .delete(`/api/v1/orgs/${a.slug}/api-keys/${id}`)
      .set("Authorization", `Bearer ${keyA}`)
      .expect(404);
    await request(t.app).get("/api/v1/me").set("Authorization", `Bearer ${keyB}`).expect(200);
  });
});

describe("sessions and permissions", () => {
  test("when a signed-in user calls /me, then it answers the user, the role, why, and the role's permissions", async () => {
    const org = await t.given.org();
    const { user, cookie } = await t.given.member(org, "Support");
    const res = await request(t.app).get("/api/v1/me").set("Cookie", cookie).expect(200);
    expect(res.body.user).toMatchObject({
      id: user.id,
      email: user.email,
      status: "active",
      role: "Support",
    });
    expect(res.body.role).toBe("Support");
    expect(res.body.roleSource).toEqual({ kind: "manual", rules: [] });
    expect(res.body.permissions).toEqual(["portal:read", "tickets:read", "tickets:write"]);
  });

  test.each([
    ["Viewer", 403],
    ["Support", 403],
    ["Admin", 200],
  ] as const)("when a %s patches the settings, then %i", async (role, status) => {
    const org = await t.given.org();
    const { cookie } = await t.given.member(org, role);
    await request(t.app).get(`/api/v1/orgs/${org.slug}/settings`).set("Cookie", cookie).expect(200);
    const res = await request(t.app)
      .patch(`/api/v1/orgs/${org.slug}/settings`)
      .set("Cookie", cookie)
      .send({ requireMfa: true })
      .expect(status);
    if (status === 403) expect(res.body).toMatchObject({ code: "forbidden", permission: "users:write" });
    else expect(res.body.requireMfa).toBe(true);
    const stored = await t.db.prisma.organization.findUniqueOrThrow({ where: { id: org.id } });
    expect(stored.requireMfa).toBe(status === 200);
  });

  test("when settings are patched, then the change is audited and GET shows it", async () => {
    const org = await t.given.org({ plan: "team" });
    const key = await t.given.apiKey(org);
    await request(t.app)
      .patch(`/api/v1/orgs/${org.slug}/settings`)
      .set("Authorization", `Bearer ${key}`)
      .send({ name: "Acme Renamed", invitationTtlHours: 24 })
      .expect(200);
    const res = await request(t.app)
      .get(`/api/v1/orgs/${org.slug}/settings`)
      .set("Authorization", `Bearer ${key}`)
      .expect(200);
    expect(res.body).toMatchObject({
      slug: org.slug,
      name: "Acme Renamed",
      plan: "team",
      seatLimit: 100,
      requireMfa: false,
      invitationTtlHours: 24,
      ssoEnabled: false,
    });
    const audit = await request(t.app)
      .get(`/api/v1/orgs/${org.slug}/audit-events`)
      .set("Authorization", `Bearer ${key}`)
      .expect(200);
    expect(audit.body.data[0]).toMatchObject({
      action: "org.settings_updated",
      actorType: "api_key",
      data: { name: "Acme Renamed", invitationTtlHours: 24 },
    });
  });

  test("when the settings patch is invalid, then 400 lists each field", async () => {
    const org = await t.given.org();
    const key = await t.given.apiKey(org);
    const res = await request(t.app)
      .patch(`/api/v1/orgs/${org.slug}/settings`)
      .set("Authorization", `Bearer ${key}`)
      .send({ requireMfa: "yes", name: "" })
      .expect(400);
    expect(res.body.code).toBe("validation_failed");
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(["name", "requireMfa"]);
  });

  test("when the user is deactivated or the session revoked, then the cookie stops working", async () => {
    const org = await t.given.org();
    const a = await t.given.member(org, "Admin");
    const b = await t.given.member(org, "Admin");
    await t.db.prisma.user.update({ where: { id: a.user.id }, data: { status: "deactivated" } });
    await request(t.app).get("/api/v1/me").set("Cookie", a.cookie).expect(401);
    await t.db.prisma.session.updateMany({ where: { userId: b.user.id }, data: { revokedAt: new Date() } });
    await request(t.app).get("/api/v1/me").set("Cookie", b.cookie).expect(401);
  });

  test("when the session has expired or its secret is wrong, then 401", async () => {
    const org = await t.given.org();
    const { user, cookie } = await t.given.member(org, "Admin");
    const [name, value] = cookie.split("=") as [string, string];
    await request(t.app)
      .get("/api/v1/me")
      .set("Cookie", `${name}=${tampered(value)}`)
      .expect(401);
    await t.db.prisma.session.updateMany({
      where: { userId: user.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    await request(t.app).get("/api/v1/me").set("Cookie", cookie).expect(401);
  });

  test("when a session still owes an MFA step, then the API refuses it", async () => {
    const org = await t.given.org();
    const user = await t.given.user(org, { role: "Admin" });
    const s = await t.services.sessions.create(t.db.prisma, {
      orgId: org.id,
      userId: user.id,
      method: "password",
      stage: "mfa_verify",
    });
    const res = await request(t.app)
      .get("/api/v1/me")
      .set("Cookie", `sso_bridge_session=${s.cookieValue}`)
      .expect(401);
    expect(res.body.stage).toBe("mfa_verify");
  });

  test("when the session table is read, then it holds no usable cookie value", async () => {
    const org = await t.given.org();
    const { user, cookie } = await t.given.member(org, "Viewer");
    const row = await t.db.prisma.session.findFirstOrThrow({ where: { userId: user.id } });
    expect(cookie).not.toContain(row.secretHash);
  });
});

describe("audit events", () => {
  test("when there are more events than the limit, then pages come newest first and the cursor continues without overlap", async () => {
    const org = await t.given.org();
    const key = await t.given.apiKey(org); // writes api_key.created
    for (const name of ["one", "two", "three"]) {
      await request(t.app)
        .post(`/api/v1/orgs/${org.slug}/scim-tokens`)
        .set("Authorization", `Bearer ${key}`)
        .send({ name })
        .expect(201);
    }
    const first = await request(t.app)
      .get(`/api/v1/orgs/${org.slug}/audit-events?limit=2`)
      .set("Authorization", `Bearer ${key}`)
      .expect(200);
    expect(first.body.data.map((e: { data: { name: string } }) => e.data.name)).toEqual(["three", "two"]);
    const second = await request(t.app)
      .get(`/api/v1/orgs/${org.slug}/audit-events?limit=2&cursor=${first.body.nextCursor}`)
      .set("Authorization", `Bearer ${key}`)
      .expect(200);
    expect(second.body.data.map((e: { data: { name: string } }) => e.data.name)).toEqual(["one", "test"]);
    expect(second.body.nextCursor).toBeNull();
  });

  test("when the cursor is forged or the limit is out of range, then 400", async () => {
    const org = await t.given.org();
    const key = await t.given.apiKey(org);
    await request(t.app)
      .get(`/api/v1/orgs/${org.slug}/audit-events?cursor=bm90LWEtY3Vyc29y`)
      .set("Authorization", `Bearer ${key}`)
      .expect(400);
    await request(t.app)
      .get(`/api/v1/orgs/${org.slug}/audit-events?limit=201`)
      .set("Authorization", `Bearer ${key}`)
      .expect(400);
  });

  test("when another org has events, then they never appear in this org's log", async () => {
    const a = await t.given.org();
    const b = await t.given.org();
    const keyA = await t.given.apiKey(a);
    await t.given.apiKey(b, "b-only");
    const res = await request(t.app)
      .get(`/api/v1/orgs/${a.slug}/audit-events`)
      .set("Authorization", `Bearer ${keyA}`)
      .expect(200);
    expect(res.body.data.every((e: { data: { name?: string } }) => e.data.name !== "b-only")).toBe(true);
  });
});
