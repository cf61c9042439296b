// Concurrency: 20 parallel creates of one userName give one 201 and nineteen 409s (the unique
// index decides, not a read-then-write check), and meta.location / Location stay correct per
// organization while requests of several organizations interleave (no process-wide base path:
// scimmy's static one is never set, and the schema descriptions take the base as an argument).
import SCIMMY from "scimmy";
import { createTestApp, type TestApp } from "../support/app";
import { backendsWaitingOnLock, testDbKind, untilWaiting } from "../support/db";
import { GROUP, newUser, scimClient, type ScimClient } from "./scim-client";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

// The race needs several database connections: PGlite has one, which runs the creates one after
// the other (nothing races there), so this runs on PostgreSQL only. Left alone, the creates
// reach PostgreSQL one by one (each statement is over before the next request is parsed), so a
// connection of the test's own holds `LOCK TABLE users IN SHARE MODE` until every connection of
// the app's pool (five) waits with a create's INSERT; released, those INSERTs run at once and
// meet at the unique index.
const onPostgres = testDbKind() === "postgres" ? describe : describe.skip;
const POOL_SIZE = 5; // test/support/db.ts

onPostgres("parallel creates on PostgreSQL, over concurrent connections", () => {
  test("when 20 creates of the same userName race (in different letter cases), then exactly one 201 and 19 409s", async () => {
    const c = await scimClient(t);
    const holder = await t.db.raw();
    await holder.exec("BEGIN; LOCK TABLE users IN SHARE MODE");
    const pending = Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        c.post("/Users", newUser(i % 2 ? "race@acme.test" : "RACE@acme.test")).then((r) => r),
      ),
    );
    await untilWaiting(holder, POOL_SIZE);
    // The pool's connections, no more: the other requests queue in the app, not in PostgreSQL.
    expect(await backendsWaitingOnLock(holder)).toBe(POOL_SIZE);
    await holder.exec("COMMIT");
    await holder.release();
    const results = await pending;
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    for (const r of results.filter((x) => x.status === 409)) expect(r.body.scimType).toBe("uniqueness");
    expect(await t.db.prisma.user.count({ where: { orgId: c.org.id } })).toBe(1);
    expect(await t.db.prisma.auditEvent.count({ where: { orgId: c.org.id, action: "user.created" } })).toBe(
      1,
    );
  });
});

describe("meta.location under concurrent requests of several organizations", () => {
  let orgs: ScimClient[];
  const ids = new Map<string, { user: string; group: string }>();

  beforeAll(async () => {
    orgs = [await scimClient(t), await scimClient(t), await scimClient(t)];
    for (const c of orgs) {
      const user = (await c.post("/Users", newUser(`someone@${c.org.slug}.test`)).expect(201)).body.id;
      const group = (
        await c
          .post("/Groups", { schemas: [GROUP], displayName: "Crew", members: [{ value: user }] })
          .expect(201)
      ).body.id;
      ids.set(c.org.slug, { user, group });
    }
  });

  test("when 90 requests of three organizations interleave, then every location names the caller's organization", async () => {
    const checked = new Map<string, number>();
    const callsOf = (c: ScimClient, round: number) => {
      const { user, group } = ids.get(c.org.slug)!;
      const base = `http://sso.test${c.base}`;
      const check = (loc: unknown) => {
        expect(String(loc).startsWith(`${base}/`)).toBe(true);
        checked.set(c.org.slug, (checked.get(c.org.slug) ?? 0) + 1);
      };
      return [
        c.get(`/Users/${user}`).then((r) => {
          check(r.body.meta.location);
          check(r.body.groups[0].$ref);
        }),
        c
          .get("/Users")
          .then((r) =>
            r.body.Resources.forEach((u: { meta: { location: string } }) => check(u.meta.location)),
          ),
        c.get(`/Groups/${group}`).then((r) => {
          check(r.body.meta.location);
          check(r.body.members[0].$ref);
        }),
        c
          .get("/Schemas")
          .then((r) =>
            r.body.Resources.forEach((s: { meta: { location: string } }) => check(s.meta.location)),
          ),
        c.post("/Users", newUser(`u${round}@${c.org.slug}.test`)).then((r) => {
          expect(r.status).toBe(201);
          check(r.headers.location);
          check(r.body.meta.location);
        }),
      ];
    };
    // Round-robin over the organizations, so that consecutive requests belong to different ones.
    const calls: Promise<void>[] = [];
    for (let round = 0; round < 6; round++) for (const c of orgs) calls.push(...callsOf(c, round));
    await Promise.all(calls);
    // Every organization got its six creates, and each of its answers carried the locations
    // checked above (an answer without them would have checked nothing and passed).
    const schemas = (await orgs[0]!.get("/Schemas").expect(200)).body.Resources.length as number;
    for (const c of orgs) {
      expect(await t.db.prisma.user.count({ where: { orgId: c.org.id } })).toBe(7);
      // per round: user GET 2, group GET 2, create 2, schemas; plus one per listed user.
      expect(checked.get(c.org.slug)).toBeGreaterThanOrEqual(6 * (6 + schemas + 1));
    }
    expect(SCIMMY.Resources.User.basepath()).toBeUndefined();
    expect(SCIMMY.Resources.Schema.basepath()).toBeUndefined();
  });
});
