// GET /orgs/{org}/events: the outbox in an order no later commit can break. A consumer that
// polls while transactions commit out of id order never skips an event.
import request from "supertest";
import type { Organization, User } from "../../src/generated/prisma/client";
import { createTestApp, type TestApp } from "../support/app";
import { testDbKind } from "../support/db";
import { emit } from "../../src/events";
import type { Ctx } from "../../src/shared/context";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const ctxOf = (org: Organization): Ctx => ({ orgId: org.id, actor: { type: "system", name: "feed test" } });
const touch = (org: Organization, user: User) => (tx: Parameters<typeof emit>[0]) =>
  emit(tx, ctxOf(org), { action: "user.updated", targetId: user.id, data: {} });

/**
 * Reads the feed until `ready` holds. The feed hands out only events older than every running
 * transaction of the PostgreSQL server, in any of its databases: other test files' transactions
 * (and a production server's) can hold new events back for a while, never reorder them.
 */
async function until(
  read: () => request.Test,
  ready: (body: { data: { id: string; data: { id: string } }[]; nextCursor: string | null }) => boolean,
) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await read().expect(200);
    if (ready(res.body) || Date.now() > deadline) return res;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function setUp() {
  const org = await t.given.org();
  const key = await t.given.apiKey(org);
  const users = await Promise.all([0, 1, 2].map(() => t.given.user(org)));
  const feed = (query: Record<string, string | number> = {}) =>
    request(t.app).get(`/api/v1/orgs/${org.slug}/events`).query(query).set("Authorization", `Bearer ${key}`);
  return { org, users, feed };
}

test("when events are written, then the feed answers their envelopes in order, page by page", async () => {
  const { org, users, feed } = await setUp();
  for (const u of users) await t.db.prisma.$transaction((tx) => touch(org, u)(tx));
  const first = await until(
    () => feed({ limit: 2 }),
    (b) => b.data.length === 2,
  );
  expect(first.body.data).toHaveLength(2);
  expect(first.body.data[0]).toMatchObject({
    type: "user.updated",
    organization: { id: org.id, slug: org.slug },
    data: { id: users[0]!.id, email: users[0]!.email },
  });
  expect(first.body.nextCursor).toBe(first.body.data[1].id);
  const second = await until(
    () => feed({ after: first.body.nextCursor }),
    (b) => b.data.length > 0,
  );
  expect(second.body.data.map((e: { data: { id: string } }) => e.data.id)).toEqual([users[2]!.id]);
  const empty = await feed({ after: second.body.nextCursor }).expect(200);
  expect(empty.body).toEqual({ data: [], nextCursor: second.body.nextCursor });
});

test("when the cursor names no event of the organization, then 410 says to start again; a bad one is 400", async () => {
  const { feed } = await setUp();
  const gone = await feed({ after: "999999999" }).expect(410);
  expect(gone.body).toMatchObject({ code: "gone", reason: "events_cursor_unknown" });
  await feed({ after: "ten" }).expect(400);
  await feed({ limit: 500 }).expect(400);
});

test("when a Viewer or Support asks for the feed, then 403 (it needs audit:read)", async () => {
  const { org } = await setUp();
  for (const role of ["Viewer", "Support"] as const) {
    const m = await t.given.member(org, role);
    await request(t.app).get(`/api/v1/orgs/${org.slug}/events`).set("Cookie", m.cookie).expect(403);
  }
});

// Real concurrent connections exist on PostgreSQL only (PGlite runs one transaction at a time).
const onPostgres = testDbKind() === "postgres" ? test : test.skip;

onPostgres(
  "when a transaction that took a lower id commits after a higher one, then the feed holds the higher one back until then",
  async () => {
    const { org, users, feed } = await setUp();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let written!: () => void;
    const wrote = new Promise<void>((r) => (written = r));
    const slow = t.db.transaction(async (tx) => {
      await touch(org, users[0]!)(tx);
      written();
      await held;
    });
    await wrote;
    await t.db.transaction((tx) => touch(org, users[1]!)(tx));
    // The fast one is committed and visible, but the slow one, holding a lower id, may still commit.
    const visible = await t.db.prisma.outboxEvent.findMany({ where: { orgId: org.id } });
    expect(visible.map((r) => r.subjectId)).toEqual([users[1]!.id]);
    expect((await feed().expect(200)).body.data).toEqual([]);
    release();
    await slow;
    const after = (await until(feed, (b) => b.data.length >= 2)).body.data as {
      id: string;
      data: { id: string };
    }[];
    expect(after.map((e) => e.data.id)).toEqual([users[0]!.id, users[1]!.id]);
    expect(BigInt(after[0]!.id)).toBeLessThan(BigInt(after[1]!.id));
  },
);

test("when a consumer polls while writers commit concurrently and out of order, then it reads every event once", async () => {
  const { org, users, feed } = await setUp();
  const writers = 4;
  const perWriter = 8;
  let done = false;
  const work = Array.from({ length: writers }, async (_, w) => {
    for (let i = 0; i < perWriter; i++) {
      await t.db.transaction(async (tx) => {
        await touch(org, users[w % users.length]!)(tx);
        // Hold the transaction open a little, so that commits interleave out of id order.
        await new Promise((r) => setTimeout(r, ((w * 7 + i * 3) % 5) * 4));
      });
    }
  });
  const all = Promise.all(work).then(() => (done = true));
  const seen: string[] = [];
  let cursor: string | undefined;
  // Until every write is done and as many events were read as written (a skipped event never
  // arrives: the deadline ends the loop and the comparison below fails).
  const deadline = Date.now() + 60_000;
  while (!(done && seen.length >= writers * perWriter) && Date.now() < deadline) {
    const page = (await feed(cursor ? { after: cursor, limit: 5 } : { limit: 5 }).expect(200)).body;
    seen.push(...page.data.map((e: { id: string }) => e.id));
    cursor = page.nextCursor ?? cursor;
    if (page.data.length === 0) await new Promise((r) => setTimeout(r, 20));
  }
  await all;
  const stored = await t.db.prisma.outboxEvent.findMany({ where: { orgId: org.id }, select: { id: true } });
  expect(stored).toHaveLength(writers * perWriter);
  expect(new Set(seen).size).toBe(seen.length);
  expect([...seen].sort()).toEqual(stored.map((r) => r.id.toString()).sort());
});
