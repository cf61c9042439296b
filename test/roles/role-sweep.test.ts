// The embedded database's role sweep (src/roles/sweep.ts): a whole-organization rule change
// recomputes in chunks of SWEEP_CHUNK_USERS while other requests are answered. Each test holds
// the result equal to the one-statement recompute (run afterwards, it changes nothing) and
// counts the events. PGlite only: PostgreSQL keeps the one atomic statement.
import request from "supertest";
import type { Organization } from "../../src/generated/prisma/client";
import type { Role } from "../../src/generated/prisma/enums";
import { recomputeOrgRoles } from "../../src/roles/recompute";
import { SWEEP_CHUNK_USERS } from "../../src/roles/sweep";
import { systemActor } from "../../src/shared/context";
import { createTestApp, type TestApp } from "../support/app";
import { testDbKind } from "../support/db";
import { PATCH_OP, SCIM_JSON } from "../scim/scim-client";
import { mappingsUrl, rolesFixtures } from "./fixtures";

const onPglite = testDbKind() === "pglite" ? describe : describe.skip;

onPglite("whole-organization rule changes on the embedded database", () => {
  // Thousands of users per test, swept in chunks with pauses: minutes on a busy machine.
  jest.setTimeout(180_000);
  let t: TestApp;
  let f: ReturnType<typeof rolesFixtures>;
  beforeAll(async () => {
    t = await createTestApp();
    f = rolesFixtures(t);
  });
  afterAll(() => t.close());

  /** `n` SCIM users: every third in Engineering, the next in Sales, the rest in no group. */
  async function bigOrg(n: number) {
    const org = await t.given.org({ plan: "enterprise" });
    const key = await t.given.apiKey(org);
    const ids = await t.given.users(
      org,
      Array.from({ length: n }, (_, i) => `u${i}@sweep.test`),
      { manualRole: false },
    );
    const engineering = await t.given.group(org, "Engineering", {
      members: ids.filter((_, i) => i % 3 === 0),
    });
    const sales = await t.given.group(org, "Sales", { members: ids.filter((_, i) => i % 3 === 1) });
    await f.put(org, key, { defaultRole: "Viewer", rules: [] }).expect(200);
    return { org, key, ids, engineering, sales };
  }

  /** What the one-statement recompute would still change: 0 when the sweep's result is its own. */
  const atomicWouldChange = async (org: Organization) =>
    (await t.db.prisma.$transaction((tx) => recomputeOrgRoles(tx, { orgId: org.id, actor: systemActor() })))
      .changed;

  const lastSeq = async (org: Organization) =>
    (await t.db.prisma.auditEvent.findFirst({ where: { orgId: org.id }, orderBy: { seq: "desc" } }))?.seq ??
    0n;

  const eventsSince = async (org: Organization, seq: bigint) => ({
    roleChanged: await t.db.prisma.auditEvent.findMany({
      where: { orgId: org.id, action: "user.role_changed", seq: { gt: seq } },
      orderBy: { seq: "asc" },
    }),
    updated: await t.db.prisma.auditEvent.findMany({
      where: { orgId: org.id, action: "role_mappings.updated", seq: { gt: seq } },
      orderBy: { seq: "asc" },
    }),
  });

  /** Resolves once the sweep of `org` has committed its first chunk (and not yet its last). */
  async function sweepUnderway(org: Organization) {
    for (let i = 0; i < 5_000; i++) {
      const mark = await t.db.prisma.roleSweep.findUnique({ where: { orgId: org.id } });
      if (mark?.afterId) return;
      await new Promise((r) => setTimeout(r, 2));
    }
    throw new Error("the sweep never got underway");
  }

  const sweepPending = async (org: Organization) =>
    (await t.db.prisma.roleSweep.count({ where: { orgId: org.id } })) > 0;

  test("when a rule change moves users of several chunks, then each ends with the one-statement result, the answer is the preview's and every event is written once", async () => {
    const { org, key } = await bigOrg(SWEEP_CHUNK_USERS * 2 + 500);
    const rules = {
      defaultRole: null,
      rules: [
        { group: "Engineering", role: "Support" },
        { group: "Sales", role: "Admin" },
      ],
    };
    const preview = await request(t.app)
      .post(mappingsUrl(org, "/preview"))
      .set("Authorization", `Bearer ${key}`)
      .send(rules)
      .expect(200);
    const before = await lastSeq(org);
    const outboxBefore = await t.db.prisma.outboxEvent.count({ where: { orgId: org.id } });

    const res = await f.put(org, key, rules).expect(200);

    expect(res.body).toEqual({ changed: preview.body.changed, byRole: preview.body.byRole });
    expect(res.body.changed).toBe(SWEEP_CHUNK_USERS * 2 + 500);
    expect(await sweepPending(org)).toBe(false);
    expect(await atomicWouldChange(org)).toBe(0);
    const events = await eventsSince(org, before);
    expect(events.roleChanged).toHaveLength(res.body.changed);
    expect(new Set(events.roleChanged.map((e) => e.targetId)).size).toBe(res.body.changed);
    expect(events.updated).toHaveLength(1);
    expect(events.updated[0]!.data).toMatchObject({ changed: res.body.changed, byRole: res.body.byRole });
    // The role_changed events come before the change's own, which the last chunk writes.
    expect(events.updated[0]!.seq > events.roleChanged.at(-1)!.seq).toBe(true);
    const outbox = await t.db.prisma.outboxEvent.findMany({
      where: { orgId: org.id },
      orderBy: { id: "asc" },
      skip: outboxBefore,
    });
    expect(outbox.filter((e) => e.type === "user.role_changed")).toHaveLength(res.body.changed);
    expect(new Set(outbox.map((e) => e.subjectId)).size).toBe(res.body.changed);
  });

  test("when SCIM requests arrive during a sweep, then they are answered before it ends and their users end with the new rules", async () => {
    const { org, key, ids } = await bigOrg(SWEEP_CHUNK_USERS * 10);
    const token = await t.given.scimToken(org);
    const sales = (
      await t.db.prisma.group.findFirstOrThrow({ where: { orgId: org.id, displayName: "Sales" } })
    ).id;
    // Users in no group (i % 3 === 2), one early and one late in id order.
    const sorted = ids.filter((_, i) => i % 3 === 2).sort();
    const [early, late] = [sorted[0]!, sorted.at(-1)!];
    const scim = (r: request.Test) =>
      r.set("Authorization", `Bearer ${token}`).set("Content-Type", SCIM_JSON);

    const put = f
      .put(org, key, { defaultRole: null, rules: [{ group: "Sales", role: "Admin" }] })
      .then((r) => r);
    await sweepUnderway(org);
    await scim(request(t.app).get(`/scim/v2/${org.slug}/Users/${late}`)).expect(200);
    await scim(request(t.app).patch(`/scim/v2/${org.slug}/Groups/${sales}`))
      .send(
        JSON.stringify({
          schemas: [PATCH_OP],
          Operations: [{ op: "add", path: "members", value: [{ value: early }, { value: late }] }],
        }),
      )
      .expect(204);
    const answeredDuringSweep = await sweepPending(org);
    expect((await put).status).toBe(200);

    expect(answeredDuringSweep).toBe(true);
    expect((await f.userOf(early)).role).toBe("Admin");
    expect((await f.userOf(late)).role).toBe("Admin");
    expect(await atomicWouldChange(org)).toBe(0);
  });

  test("when a second rule change arrives during a sweep, then it waits for it, every user ends with the newest rules and each user's events chain", async () => {
    const { org, key, ids } = await bigOrg(SWEEP_CHUNK_USERS * 4);
    const roleBefore = new Map(ids.map((id) => [id, "Viewer" as Role | null]));
    const before = await lastSeq(org);
    const first = { defaultRole: "Viewer", rules: [{ group: "Engineering", role: "Admin" }] };
    const second = { defaultRole: null, rules: [{ group: "Sales", role: "Support" }] };

    const a = f.put(org, key, first).then((r) => r);
    await sweepUnderway(org);
    const b = f.put(org, key, second).then((r) => r);
    const [resA, resB] = await Promise.all([a, b]);

    expect([resA.status, resB.status]).toEqual([200, 200]);
    expect(resA.body.changed).toBe(ids.filter((_, i) => i % 3 === 0).length);
    expect(resB.body.changed).toBe(ids.length);
    expect(
      await t.db.prisma.roleMappingRule.findMany({
        where: { orgId: org.id },
        select: { group: true, role: true },
      }),
    ).toEqual(second.rules);
    expect(await atomicWouldChange(org)).toBe(0);
    const events = await eventsSince(org, before);
    expect(events.updated.map((e) => e.data)).toMatchObject([
      { after: first, changed: resA.body.changed },
      { before: first, after: second, changed: resB.body.changed },
    ]);
    expect(events.roleChanged).toHaveLength(resA.body.changed + resB.body.changed);
    // Every user's events, in order, go from the role before to the role now.
    const role = new Map(roleBefore);
    for (const e of events.roleChanged) {
      const data = e.data as { from: Role | null; to: Role | null };
      expect(data.from).toBe(role.get(e.targetId!));
      role.set(e.targetId!, data.to);
    }
    const now = await t.db.prisma.user.findMany({
      where: { orgId: org.id },
      select: { id: true, role: true },
    });
    expect(now.every((u) => role.get(u.id) === u.role)).toBe(true);
  });

  describe("last Admin while SSO is on", () => {
    async function ssoOrgWithOneAdmin() {
      const { org, key, ids } = await bigOrg(SWEEP_CHUNK_USERS * 2 + 500);
      await f.ssoOn(org);
      const ops = await t.given.group(org, "Ops", { members: [ids[0]!] });
      await f.put(org, key, { defaultRole: "Viewer", rules: [{ group: "Ops", role: "Admin" }] }).expect(200);
      expect((await f.userOf(ids[0]!)).role).toBe("Admin");
      return { org, key, ids, ops };
    }

    test("when a change would leave no active Admin, then 409 before anything commits: no rule, role, mark or event changes", async () => {
      const { org, key, ids } = await ssoOrgWithOneAdmin();
      const before = await lastSeq(org);

      const res = await f.put(org, key, { defaultRole: "Viewer", rules: [] }).expect(409);

      expect(res.body.code).toBe("would_remove_last_admin");
      expect(
        await t.db.prisma.roleMappingRule.findMany({ where: { orgId: org.id }, select: { group: true } }),
      ).toEqual([{ group: "Ops" }]);
      expect((await f.userOf(ids[0]!)).role).toBe("Admin");
      expect(await sweepPending(org)).toBe(false);
      expect(await lastSeq(org)).toBe(before);
    });

    test("when the only Admin the new rules give is in the last chunk, then the preview finds them and the change applies", async () => {
      const { org, key, ids } = await ssoOrgWithOneAdmin();
      const lastInIdOrder = [...ids].sort().at(-1)!;
      await t.given.group(org, "Admins", { members: [lastInIdOrder] });

      await f
        .put(org, key, { defaultRole: "Viewer", rules: [{ group: "Admins", role: "Admin" }] })
        .expect(200);

      expect((await f.userOf(lastInIdOrder)).role).toBe("Admin");
      expect((await f.userOf(ids[0]!)).role).toBe("Viewer");
      expect(await atomicWouldChange(org)).toBe(0);
    });
  });
});
