// Webhook endpoints through the admin API: the secret shown once and stored encrypted, list,
// change, delete, rotation, validation, the permission, the audit trail, and destinations refused.
import request from "supertest";
import { createTestApp, type TestApp } from "../support/app";
import { orgWithWebhook } from "./helpers";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ WEBHOOK_ALLOW_PRIVATE_URLS: "true" });
});
afterAll(() => t.close());

const auditOf = (orgId: string, targetId: string) =>
  t.db.prisma.auditEvent.findMany({ where: { orgId, targetId }, orderBy: { seq: "asc" } });

describe("webhook endpoints", () => {
  test("when an endpoint is created, then its whsec_ secret is answered once, stored encrypted, and never listed", async () => {
    const { org, api, endpoint } = await orgWithWebhook(t, "https://hooks.example.com/in", [
      "user.created",
      "user.updated",
    ]);
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const row = await t.db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
    expect(row.secret).not.toContain(endpoint.secret.slice(6));
    expect(t.services.cipher.decrypt(row.secret)).toBe(endpoint.secret);

    const list = await api.get("/webhooks").expect(200);
    expect(list.body).toEqual({
      data: [
        {
          id: endpoint.id,
          url: "https://hooks.example.com/in",
          description: null,
          events: ["user.created", "user.updated"],
          enabled: true,
          disabledReason: null,
          createdAt: expect.any(String),
        },
      ],
      nextCursor: null,
    });
    expect(JSON.stringify(list.body)).not.toContain("whsec_");
    expect((await auditOf(org.id, endpoint.id)).map((a) => a.action)).toEqual(["webhook.created"]);
  });

  test("when an endpoint is changed, rotated and deleted, then each answers and is audited", async () => {
    const { org, api, endpoint } = await orgWithWebhook(t, "https://hooks.example.com/a");
    const patched = await api
      .patch(`/webhooks/${endpoint.id}`, {
        url: "https://hooks.example.com/b",
        events: ["user.deleted"],
        description: "CRM",
        enabled: false,
      })
      .expect(200);
    expect(patched.body).toMatchObject({
      url: "https://hooks.example.com/b",
      events: ["user.deleted"],
      description: "CRM",
      enabled: false,
    });

    const rotated = await api.post(`/webhooks/${endpoint.id}/rotate-secret`).expect(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(endpoint.secret);
    const expires = Date.parse(rotated.body.previousSecretExpiresAt as string);
    expect(expires - Date.now()).toBeGreaterThan(23.9 * 3600_000);
    expect(expires - Date.now()).toBeLessThanOrEqual(24 * 3600_000);
    const row = await t.db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
    expect(t.services.cipher.decrypt(row.previousSecret!)).toBe(endpoint.secret);

    await api.del(`/webhooks/${endpoint.id}`).expect(204);
    await api.get(`/webhooks/${endpoint.id}`).expect(404);
    await api.del(`/webhooks/${endpoint.id}`).expect(404);
    expect((await auditOf(org.id, endpoint.id)).map((a) => a.action)).toEqual([
      "webhook.created",
      "webhook.updated",
      "webhook.secret_rotated",
      "webhook.deleted",
    ]);
  });

  test("when the body is invalid, then 400 names each field", async () => {
    const { api } = await orgWithWebhook(t, "https://hooks.example.com/x");
    const bad = await api
      .post("/webhooks", { url: "ftp://x.example.com", events: ["user.exploded"] })
      .expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(["events.0"]);
    const scheme = await api.post("/webhooks", { url: "ftp://x.example.com", events: ["*"] }).expect(400);
    expect(scheme.body.errors).toEqual([{ field: "url", message: "must be an http(s) URL" }]);
    await api.post("/webhooks", { url: "https://x.example.com", events: [] }).expect(400);
    await api.patch(`/webhooks/00000000-0000-4000-8000-000000000000`, { enabled: true }).expect(404);
    await api.get(`/webhooks/not-a-uuid`).expect(400);
  });

  test("when ['*'] is given with types, then the endpoint subscribes to everything as ['*']", async () => {
    const { api } = await orgWithWebhook(t, "https://hooks.example.com/star", ["user.created", "*"]);
    expect((await api.get("/webhooks").expect(200)).body.data[0].events).toEqual(["*"]);
  });

  test("when a Viewer or another organization's key asks, then 403", async () => {
    const { org, base, endpoint } = await orgWithWebhook(t, "https://hooks.example.com/v");
    const viewer = await t.given.member(org, "Viewer");
    await request(t.app).get(`${base}/webhooks`).set("Cookie", viewer.cookie).expect(403);
    const other = await t.given.apiKey(await t.given.org());
    await request(t.app)
      .get(`${base}/webhooks/${endpoint.id}`)
      .set("Authorization", `Bearer ${other}`)
      .expect(403);
  });

  test("when one organization names another's endpoint id, then 404 and nothing changes", async () => {
    const a = await orgWithWebhook(t, "https://hooks.example.com/a1");
    const b = await orgWithWebhook(t, "https://hooks.example.com/b1");
    await b.api.patch(`/webhooks/${a.endpoint.id}`, { enabled: false }).expect(404);
    await b.api.post(`/webhooks/${a.endpoint.id}/rotate-secret`).expect(404);
    await b.api.get(`/webhooks/${a.endpoint.id}/deliveries`).expect(404);
    await b.api.del(`/webhooks/${a.endpoint.id}`).expect(404);
    expect((await a.api.get(`/webhooks/${a.endpoint.id}`).expect(200)).body.enabled).toBe(true);
  });
});

describe("destinations without WEBHOOK_ALLOW_PRIVATE_URLS", () => {
  let strict: TestApp;
  beforeAll(async () => {
    strict = await createTestApp({ WEBHOOK_ALLOW_PRIVATE_URLS: "false" }, { db: t.db });
  });

  test.each([
    "http://127.0.0.1:9/hook",
    "http://localhost/hook",
    "http://10.0.0.8/hook",
    "http://169.254.169.254/latest/meta-data",
    "http://[::1]/hook",
    "http://[::ffff:192.168.0.1]/hook",
  ])("when the URL is %s, then 400 names the setting and no endpoint is stored", async (url) => {
    const org = await strict.given.org();
    const key = await strict.given.apiKey(org);
    const res = await request(strict.app)
      .post(`/api/v1/orgs/${org.slug}/webhooks`)
      .set("Authorization", `Bearer ${key}`)
      .send({ url, events: ["*"] })
      .expect(400);
    expect(res.body.errors[0].field).toBe("url");
    expect(res.body.errors[0].message).toContain("WEBHOOK_ALLOW_PRIVATE_URLS=true");
    expect(await strict.db.prisma.webhookEndpoint.count({ where: { orgId: org.id } })).toBe(0);
  });

  test("when an existing endpoint is moved to a private address, then 400", async () => {
    const org = await strict.given.org();
    const key = await strict.given.apiKey(org);
    const base = `/api/v1/orgs/${org.slug}/webhooks`;
    const created = await request(strict.app)
      .post(base)
      .set("Authorization", `Bearer ${key}`)
      .send({ url: "https://93.184.215.14/hook", events: ["*"] })
      .expect(201);
    await request(strict.app)
      .patch(`${base}/${created.body.id}`)
      .set("Authorization", `Bearer ${key}`)
      .send({ url: "http://192.168.1.1/" })
      .expect(400);
  });
});
