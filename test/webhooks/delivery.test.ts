// Delivery to a real HTTP receiver on loopback: signatures that Standard Webhooks' own verify
// accepts, the envelope, retries with the same webhook-id and per-user order, a stop in the
// middle of a request, 410, the rotated secret, the test event and the attempts list.
import { createTestApp, type TestApp } from "../support/app";
import { FAST, orgWithWebhook } from "./helpers";
import { startReceiver, until, verify, type Receiver } from "./receiver";
import type { WebhookWorker } from "../../src/webhooks/worker";

let t: TestApp;
let receiver: Receiver;
const workers: WebhookWorker[] = [];
const worker = (overrides = {}) => {
  const w = t.services.webhooks.createWorker({ ...FAST, ...overrides });
  workers.push(w);
  w.start();
  return w;
};

beforeAll(async () => {
  t = await createTestApp({ WEBHOOK_ALLOW_PRIVATE_URLS: "true" });
});
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
  await receiver.close();
});
afterAll(() => t.close());

const ofOrg = (orgId: string) => receiver.received.filter((r) => r.envelope.organization?.id === orgId);

test("when users change, then each event arrives once, signed so that standardwebhooks verifies it, in the envelope", async () => {
  const { org, endpoint, rename } = await orgWithWebhook(t, receiver.url);
  const user = await t.given.user(org);
  await rename(user.id, "Ada");
  await rename(user.id, "Grace");
  worker();
  await until(() => ofOrg(org.id).length === 2, "two events");

  const [first, second] = ofOrg(org.id);
  for (const r of [first!, second!]) {
    expect(verify(endpoint.secret, r)).toEqual(r.envelope);
    expect(r.headers["content-type"]).toBe("application/json");
    expect(r.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(Math.abs(Number(r.headers["webhook-timestamp"]) - Date.now() / 1000)).toBeLessThan(60);
  }
  const events = await t.db.prisma.outboxEvent.findMany({ where: { orgId: org.id }, orderBy: { id: "asc" } });
  expect(first!.envelope).toEqual({
    id: events[0]!.id.toString(),
    type: "user.updated",
    occurredAt: events[0]!.createdAt.toISOString(),
    organization: { id: org.id, slug: org.slug },
    data: expect.objectContaining({ id: user.id, firstName: "Ada" }),
  });
  expect(first!.id).toBe(events[0]!.id.toString());
  expect(second!.envelope.data).toMatchObject({ id: user.id, firstName: "Grace" });
  expect(() => verify("whsec_" + Buffer.alloc(32).toString("base64"), first!)).toThrow();
});

test("when the receiver answers 500 three times, then the event comes again with the same webhook-id, and the next one only after it", async () => {
  const { org, api, endpoint, rename } = await orgWithWebhook(t, receiver.url);
  let failures = 0;
  receiver.setResponder(() =>
    failures++ < 3 ? { status: 500, body: "try later" } : { status: 200, body: "ok" },
  );
  const user = await t.given.user(org);
  await rename(user.id, "One");
  await rename(user.id, "Two");
  worker();
  await until(() => ofOrg(org.id).length === 5, "four attempts of the first event and the second");

  const ids = ofOrg(org.id).map((r) => r.id);
  expect(new Set(ids.slice(0, 4)).size).toBe(1);
  expect(ids[4]).not.toBe(ids[0]);
  expect(BigInt(ids[4]!)).toBeGreaterThan(BigInt(ids[0]!));
  expect(ofOrg(org.id)[4]!.envelope.data).toMatchObject({ firstName: "Two" });

  await until(
    async () => (await api.get(`/webhooks/${endpoint.id}/deliveries`)).body.data.length === 5,
    "five attempts",
  );
  const attempts = (await api.get(`/webhooks/${endpoint.id}/deliveries?limit=3`).expect(200)).body;
  expect(attempts.data.map((a: { outcome: string }) => a.outcome)).toEqual([
    "delivered",
    "delivered",
    "retrying",
  ]);
  expect(attempts.data[2]).toMatchObject({
    eventId: ids[0],
    responseStatus: 500,
    responseExcerpt: "try later",
    attempt: 3,
  });
  expect(attempts.data[2].latencyMs).toBeGreaterThanOrEqual(0);
  const rest = (
    await api.get(`/webhooks/${endpoint.id}/deliveries?limit=3&cursor=${attempts.nextCursor}`).expect(200)
  ).body;
  expect(rest.data.map((a: { attempt: number }) => a.attempt)).toEqual([2, 1]);
  expect(rest.nextCursor).toBeNull();
});

test("when the worker stops in the middle of a request and another starts, then nothing is lost and only the event in flight comes twice", async () => {
  const { org, rename } = await orgWithWebhook(t, receiver.url);
  const users = [await t.given.user(org), await t.given.user(org), await t.given.user(org)];
  for (const [i, u] of users.entries()) await rename(u.id, `First${i}`);
  for (const [i, u] of users.entries()) await rename(u.id, `Second${i}`);
  // The first request hangs: the worker is stopped while it waits for the answer.
  receiver.setResponder((_r, n) => (n === 0 ? { status: 200, delayMs: 60_000 } : { status: 200 }));
  const first = worker({ batchSize: 1 });
  await until(() => ofOrg(org.id).length === 1, "the first request");
  await first.stop();
  worker();
  await until(() => new Set(ofOrg(org.id).map((r) => r.id)).size === 6, "all six events");
  const ids = ofOrg(org.id).map((r) => r.id);
  expect(ids.length).toBe(7);
  expect(ids.filter((id) => id === ids[0])).toHaveLength(2);
  // Per user, the first change before the second.
  for (const u of users) {
    const names = ofOrg(org.id)
      .filter((r) => r.envelope.data.id === u.id)
      .map((r) => String(r.envelope.data.firstName));
    expect([...new Set(names)].map((n) => n.replace(/\d$/, ""))).toEqual(["First", "Second"]);
  }
});

test("when the receiver answers 410, then the endpoint is disabled, audited, and gets nothing more until enabled again", async () => {
  const { org, api, endpoint, rename } = await orgWithWebhook(t, receiver.url);
  receiver.setResponder(() => ({ status: 410 }));
  const user = await t.given.user(org);
  await rename(user.id, "Gone");
  worker();
  await until(async () => !(await api.get(`/webhooks/${endpoint.id}`)).body.enabled, "the endpoint disabled");
  expect((await api.get(`/webhooks/${endpoint.id}`)).body.disabledReason).toBe("gone");
  const audit = await t.db.prisma.auditEvent.findMany({
    where: { orgId: org.id, action: "webhook.disabled" },
  });
  expect(audit).toMatchObject([{ targetId: endpoint.id, actorType: "system", data: { reason: "gone" } }]);

  receiver.setResponder(() => ({ status: 200 }));
  await rename(user.id, "Later");
  await new Promise((r) => setTimeout(r, 200));
  expect(ofOrg(org.id)).toHaveLength(1);

  // Enabled again: the delivery that got 410 is sent again (it was never given up).
  await api.patch(`/webhooks/${endpoint.id}`, { enabled: true }).expect(200);
  await until(() => ofOrg(org.id).length === 2, "the event again");
  expect(ofOrg(org.id)[1]!.id).toBe(ofOrg(org.id)[0]!.id);
});

test("when the secret is rotated, then messages carry two signatures, one under each secret", async () => {
  const { org, api, endpoint, rename } = await orgWithWebhook(t, receiver.url);
  const rotated = (await api.post(`/webhooks/${endpoint.id}/rotate-secret`).expect(200)).body as {
    secret: string;
  };
  const user = await t.given.user(org);
  await rename(user.id, "Rotated");
  worker();
  await until(() => ofOrg(org.id).length === 1, "the event");
  const [r] = ofOrg(org.id);
  expect(String(r!.headers["webhook-signature"]).split(" ")).toHaveLength(2);
  expect(verify(rotated.secret, r!)).toEqual(r!.envelope);
  expect(verify(endpoint.secret, r!)).toEqual(r!.envelope);
});

test("when a delivery keeps failing past its window, then it is given up as failed and the next event of the user goes out", async () => {
  const { org, api, endpoint, rename } = await orgWithWebhook(t, receiver.url);
  receiver.setResponder((r) =>
    r.envelope.data.firstName === "Never"
      ? { status: 503, headers: { "retry-after": "0" } }
      : { status: 200 },
  );
  const user = await t.given.user(org);
  await rename(user.id, "Never");
  await rename(user.id, "Next");
  worker({ retry: { baseMs: 10, capMs: 20, windowMs: 2000, disableAfterMs: 60_000 } });
  await until(() => ofOrg(org.id).some((r) => r.envelope.data.firstName === "Next"), "the next event");
  const deliveries = () =>
    t.db.prisma.webhookDelivery.findMany({ where: { endpointId: endpoint.id }, orderBy: { eventId: "asc" } });
  // The receiver has it; the worker records the answer just after.
  await until(async () => (await deliveries())[1]?.status === "delivered", "the next event recorded");
  expect((await deliveries()).map((d) => d.status)).toEqual(["failed", "delivered"]);
  expect((await deliveries())[0]!.attempts).toBeGreaterThan(1);
  const attempts = (await api.get(`/webhooks/${endpoint.id}/deliveries`)).body.data;
  expect(attempts.map((a: { outcome: string }) => a.outcome).slice(0, 2)).toEqual(["delivered", "failed"]);
  expect((await api.get(`/webhooks/${endpoint.id}`)).body.enabled).toBe(true);
});

test("when every attempt to an endpoint fails for disableAfterMs, then it is disabled as failing, audited", async () => {
  const { org, api, endpoint, rename } = await orgWithWebhook(t, receiver.url);
  receiver.setResponder(() => ({ status: 500 }));
  const user = await t.given.user(org);
  await rename(user.id, "Down");
  worker({ retry: { baseMs: 10, capMs: 20, windowMs: 60_000, disableAfterMs: 200 } });
  await until(async () => !(await api.get(`/webhooks/${endpoint.id}`)).body.enabled, "the endpoint disabled");
  expect((await api.get(`/webhooks/${endpoint.id}`)).body.disabledReason).toBe("failing");
  const audit = await t.db.prisma.auditEvent.findMany({
    where: { orgId: org.id, action: "webhook.disabled" },
  });
  expect(audit).toMatchObject([{ targetId: endpoint.id, data: { reason: "failing" } }]);
  expect(
    (await t.db.prisma.webhookDelivery.findFirstOrThrow({ where: { endpointId: endpoint.id } })).status,
  ).toBe("pending");
});

test("when an endpoint is tested, then a signed webhook.test arrives now and the attempt is answered and listed", async () => {
  const { api, endpoint } = await orgWithWebhook(t, receiver.url);
  const res = await api.post(`/webhooks/${endpoint.id}/test`).expect(200);
  expect(res.body).toMatchObject({
    eventType: "webhook.test",
    outcome: "test_delivered",
    responseStatus: 200,
  });
  const r = receiver.received.find((x) => x.id === res.body.eventId);
  expect(r?.envelope.type).toBe("webhook.test");
  expect(verify(endpoint.secret, r!)).toEqual(r!.envelope);
  expect((await api.get(`/webhooks/${endpoint.id}/deliveries`)).body.data[0].id).toBe(res.body.id);
});

test("when an endpoint subscribes to other types, or was created after the event, then it gets nothing", async () => {
  const { org, api, rename } = await orgWithWebhook(t, receiver.url, ["user.deleted"]);
  const user = await t.given.user(org);
  await rename(user.id, "Ignored");
  await api.post("/webhooks", { url: receiver.url, events: ["*"] }).expect(201);
  const w = worker();
  await w.runOnce();
  await new Promise((r) => setTimeout(r, 100));
  expect(ofOrg(org.id)).toHaveLength(0);
  expect(await t.db.prisma.outboxEvent.count({ where: { orgId: org.id, dispatchedAt: null } })).toBe(0);
});

describe("a destination that resolves to a private address at delivery time", () => {
  test("when the worker runs without WEBHOOK_ALLOW_PRIVATE_URLS, then nothing is sent and the attempt names the setting", async () => {
    const { org, api, endpoint, rename } = await orgWithWebhook(t, receiver.url);
    const strict = await createTestApp({ WEBHOOK_ALLOW_PRIVATE_URLS: "false" }, { db: t.db });
    const user = await t.given.user(org);
    await rename(user.id, "Private");
    const w = strict.services.webhooks.createWorker(FAST);
    workers.push(w);
    await w.runOnce();
    const attempts = (await api.get(`/webhooks/${endpoint.id}/deliveries`)).body.data;
    expect(attempts[0]).toMatchObject({ outcome: "retrying", responseStatus: null });
    expect(attempts[0].error).toContain("WEBHOOK_ALLOW_PRIVATE_URLS=true");
    expect(ofOrg(org.id)).toHaveLength(0);
  });
});
