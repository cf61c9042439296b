// Issue 18: member PATCHes of different groups that share users, sent at once, each recompute the
// roles of the same users. They answered 500 (PostgreSQL 40P01, deadlock detected: each
// transaction's role UPDATE held some of the users the other's waited for), and a recompute that
// ran beside another could write a role computed without the other's memberships. Here batches
// of every group are in flight together, then group PUTs, group DELETEs and user DELETEs join
// them: every answer is 2xx, memberships and roles (and why) are right at the end, and every
// event is in the outbox once. PostgreSQL only: PGlite's one connection runs them one by one.
import type { Organization } from "../../src/generated/prisma/client";
import { createTestApp, type TestApp } from "../support/app";
import { openTestDatabase, testDbKind } from "../support/db";
import { GROUP, PATCH_OP, scimClient, type ScimClient } from "../scim/scim-client";

const onPostgres = testDbKind() === "postgres" ? describe : describe.skip;

const USERS = 120;
const GROUPS = ["Admins", "Crew 1", "Crew 2", "Crew 3", "Crew 4", "Crew 5"];
const roleOfGroup = (g: number) => (g === 0 ? "Admin" : "Support");

/** A seeded shuffle: each request names its users in an order of its own. */
function shuffled<T>(list: T[], seed: number): T[] {
  const out = [...list];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const members = (op: string, ids: string[]) => ({
  schemas: [PATCH_OP],
  Operations: [{ op, path: "members", value: ids.map((value) => ({ value })) }],
});

onPostgres("concurrent member batches of groups that share users", () => {
  let t: TestApp;
  let c: ScimClient;
  let org: Organization;
  let users: string[];
  let groups: string[];

  beforeAll(async () => {
    // More connections than the default five, so that more batches are in flight at once.
    t = await createTestApp({}, { db: await openTestDatabase({ poolSize: 10 }) });
    c = await scimClient(t, { plan: "enterprise", defaultRole: "Viewer" });
    org = c.org;
    users = await t.given.users(
      org,
      Array.from({ length: USERS }, (_, i) => `person${i}@acme.test`),
    );
    await t.given.rules(
      org,
      GROUPS.map((group, g) => ({ group, role: roleOfGroup(g) })),
    );
    groups = [];
    for (const displayName of GROUPS)
      groups.push((await c.post("/Groups", { schemas: [GROUP], displayName }).expect(201)).body.id);
  });
  afterAll(() => t.close());

  const outbox = (type: string) =>
    t.db.prisma.outboxEvent.findMany({ where: { orgId: org.id, type }, orderBy: { id: "asc" } });
  const statuses = (answers: { status: number; text: string }[]) =>
    answers.filter((r) => r.status >= 300).map((r) => `${r.status} ${r.text.slice(0, 200)}`);

  test("when member PATCHes, group PUTs and DELETEs and user DELETEs of shared users run at once, then every answer is 2xx, roles follow the final memberships and every event is written once", async () => {
    const batch = (b: number) => users.slice(b * 40, b * 40 + 40);
    // 1. Every group takes every user, in three batches of 40 each: 18 PATCHes at once.
    const fill = await Promise.all(
      groups.flatMap((g, gi) =>
        [0, 1, 2].map((b) => c.patch(`/Groups/${g}`, members("add", shuffled(batch(b), gi * 3 + b)))),
      ),
    );
    expect(statuses(fill)).toEqual([]);

    // 2. Group g lets go of the users i with (i + g) % 3 == 0, in two PATCHes of 20: 12 at once.
    const leaving = (g: number) => users.filter((_, i) => (i + g) % 3 === 0);
    const thin = await Promise.all(
      groups.flatMap((g, gi) =>
        [0, 1].map((h) =>
          c.patch(
            `/Groups/${g}`,
            members("remove", shuffled(leaving(gi).slice(h * 20, h * 20 + 20), 50 + gi)),
          ),
        ),
      ),
    );
    expect(statuses(thin)).toEqual([]);

    // 3. At once: a PUT of "Crew 3" to users 0..59, a DELETE of "Crew 4", DELETEs of users
    // 110..119, "Crew 1" letting go of users 0..59 and "Crew 2" taking every user but 110..119.
    const kept = users.slice(0, 110);
    const mixed = await Promise.all([
      c.put(`/Groups/${groups[3]}`, {
        schemas: [GROUP],
        displayName: GROUPS[3],
        members: shuffled(users.slice(0, 60), 7).map((value) => ({ value })),
      }),
      c.del(`/Groups/${groups[4]}`),
      ...users.slice(110).map((id) => c.del(`/Users/${id}`)),
      c.patch(`/Groups/${groups[1]}`, members("remove", shuffled(users.slice(0, 60), 8))),
      c.patch(`/Groups/${groups[2]}`, members("add", shuffled(kept, 9))),
    ]);
    expect(statuses(mixed)).toEqual([]);

    // Memberships: what the three steps leave.
    const inGroup = (g: number, i: number): boolean => {
      if (i >= 110 || g === 4) return false;
      if (g === 3) return i < 60;
      if (g === 2) return true;
      if (g === 1 && i < 60) return false;
      return (i + g) % 3 !== 0;
    };
    const rows = await t.db.prisma.groupMembership.findMany({ where: { orgId: org.id } });
    const actual = rows.map((m) => `${groups.indexOf(m.groupId)}:${users.indexOf(m.userId)}`).sort();
    const expected = groups
      .flatMap((_g, gi) => kept.map((_u, i) => (inGroup(gi, i) ? `${gi}:${i}` : null)))
      .filter((x): x is string => x !== null)
      .sort();
    expect(actual).toEqual(expected);

    // Roles, and the rules that gave them, as resolveRole would compute from those memberships.
    const final = await t.db.prisma.user.findMany({ where: { orgId: org.id } });
    expect(final.map((u) => users.indexOf(u.id)).sort((a, b) => a - b)).toEqual(kept.map((_u, i) => i));
    const got = final
      .map((u) => ({ i: users.indexOf(u.id), role: u.role, roleSource: u.roleSource }))
      .sort((a, b) => a.i - b.i);
    const want = kept.map((_u, i) => {
      const named = GROUPS.map((_g, g) => g).filter((g) => inGroup(g, i));
      const role = named.includes(0) ? "Admin" : named.length > 0 ? "Support" : "Viewer";
      const rules = named
        .filter((g) => roleOfGroup(g) === role)
        .map((g) => ({ group: GROUPS[g], role: roleOfGroup(g) }));
      return {
        i,
        role,
        roleSource: rules.length > 0 ? { kind: "mapping", rules } : { kind: "default", rules: [] },
      };
    });
    expect(got).toEqual(want);

    // Every PATCH and PUT wrote one group.updated, each DELETE one group.deleted / user.deleted.
    expect(await outbox("group.updated")).toHaveLength(18 + 12 + 3);
    expect(await outbox("group.deleted")).toHaveLength(1);
    expect((await outbox("user.deleted")).map((e) => e.subjectId).sort()).toEqual(users.slice(110).sort());
    // Each user's role changes form one chain, from no role to the stored one: an event written
    // twice, or one computed from another transaction's old memberships, breaks it.
    const changes = await outbox("user.role_changed");
    for (const u of final) {
      const chain = changes
        .filter((e) => e.subjectId === u.id)
        .map((e) => e.payload as { role: string | null; previousRole: string | null });
      expect(chain.length).toBeGreaterThan(0);
      chain.forEach((e, k) => {
        expect(e.previousRole).toBe(k === 0 ? null : chain[k - 1]!.role);
        expect(e.role).not.toBe(e.previousRole);
      });
      expect(chain[chain.length - 1]!.role).toBe(u.role);
    }
  });
});
