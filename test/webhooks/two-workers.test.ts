// Several instances on one PostgreSQL: two workers claim from the same deliveries at the same
// time, and still no delivery is sent twice at once, each is sent once, and each user's events
// arrive in order. (PGlite has one connection for one process: PostgreSQL only.)
import { createTestApp, type TestApp } from "../support/app";
import { testDbKind } from "../support/db";
import { FAST, orgWithWebhook } from "./helpers";
import { startReceiver, until } from "./receiver";

const onPostgres = testDbKind() === "postgres" ? describe : describe.skip;

onPostgres("two workers on one PostgreSQL", () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await createTestApp({ WEBHOOK_ALLOW_PRIVATE_URLS: "true" });
    b = await createTestApp({ WEBHOOK_ALLOW_PRIVATE_URLS: "true" }, { db: a.db });
  });
  afterAll(() => a.close());

  test("when both run over 60 events of 12 users, then each is sent once, never concurrently, in order per user", async () => {
    const receiver = await startReceiver(() => ({ status: 200, delayMs: 15 }));
    const { org, rename } = await orgWithWebhook(a, receiver.url);
    const users = await Promise.all(Array.from({ length: 12 }, () => a.given.user(org)));
    for (let round = 0; round < 5; round++) {
      await Promise.all(users.map((u) => rename(u.id, `R${round}`)));
    }
    const workers = [a, b].map((app) => app.services.webhooks.createWorker({ ...FAST, batchSize: 4 }));
    workers.forEach((w) => w.start());
    try {
      await until(() => receiver.received.length >= 60, "sixty events");
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await receiver.close();
    }
    expect(receiver.overlaps()).toBe(0);
    const ids = receiver.received.map((r) => r.id);
    expect(ids).toHaveLength(60);
    expect(new Set(ids).size).toBe(60);
    for (const u of users) {
      const rounds = receiver.received
        .filter((r) => r.envelope.data.id === u.id)
        .map((r) => r.envelope.data.firstName);
      expect(rounds).toEqual(["R0", "R1", "R2", "R3", "R4"]);
    }
    const attempts = await a.db.prisma.webhookAttempt.groupBy({ by: ["deliveryId"], _count: true });
    expect(attempts.every((x) => x._count === 1)).toBe(true);
  });

  test("when both claim at once, then no delivery is claimed by both", async () => {
    const receiver = await startReceiver();
    const { org, rename } = await orgWithWebhook(a, receiver.url);
    const users = await Promise.all(Array.from({ length: 40 }, () => a.given.user(org)));
    await Promise.all(users.map((u) => rename(u.id, "Once")));
    const { claimDeliveries } = await import("../../src/webhooks/claim");
    const { fanOut } = await import("../../src/webhooks/fan-out");
    await fanOut(a.db, new Date());
    const now = new Date();
    const claims = await Promise.all(
      Array.from({ length: 4 }, () => claimDeliveries(a.db, { now, leaseMs: 60_000, limit: 15 })),
    );
    const claimed = claims.flat().map((d) => d.id);
    expect(claimed).toHaveLength(40);
    expect(new Set(claimed).size).toBe(40);
    await receiver.close();
  });
});
