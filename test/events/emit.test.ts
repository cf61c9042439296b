// emit() and eventsCte() against a real database: the rows they write, on a Prisma transaction
// and on a driver transaction alike, with payloads equal to the admin API's own objects.
import request from "supertest";
import { Prisma } from "../../src/generated/prisma/client";
import { createTestApp, type TestApp } from "../support/app";
import { emit, eventsCte, userObjectSql } from "../../src/events";
import type { Ctx } from "../../src/shared/context";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

async function orgWithUser() {
  const org = await t.given.org();
  const key = await t.given.apiKey(org);
  const user = await t.given.user(org, { firstName: "Ada", lastName: "Lovelace" });
  const groups = await Promise.all(
    ["zeta", "Alpha"].map((displayName) =>
      t.db.prisma.group.create({
        data: { orgId: org.id, displayName, displayNameLower: displayName.toLowerCase(), source: "scim" },
      }),
    ),
  );
  await t.db.prisma.groupMembership.createMany({
    data: groups.map((g) => ({ groupId: g.id, userId: user.id, orgId: org.id })),
  });
  const ctx: Ctx = { orgId: org.id, actor: { type: "system", name: "test" }, requestId: "req-1" };
  const auth = { Authorization: `Bearer ${key}` };
  return { org, user, groups, ctx, auth };
}

const outboxOf = (orgId: string) =>
  t.db.prisma.outboxEvent.findMany({ where: { orgId }, orderBy: { id: "asc" } });
const auditOf = (orgId: string, action: string) =>
  t.db.prisma.auditEvent.findMany({ where: { orgId, action }, orderBy: { seq: "asc" } });

test("when emitted in a Prisma transaction, then the audit row and the outbox row carry the admin API user object", async () => {
  const { org, user, ctx, auth } = await orgWithUser();
  await t.db.prisma.$transaction((tx) =>
    emit(tx, ctx, { action: "user.updated", targetId: user.id, data: { firstName: "Ada" } }),
  );
  const api = await request(t.app).get(`/api/v1/orgs/${org.slug}/users/${user.id}`).set(auth).expect(200);
  const [row] = await outboxOf(org.id);
  expect(row).toMatchObject({ type: "user.updated", subjectId: user.id });
  expect(row!.payload).toEqual(api.body);
  expect((row!.payload as { groups: { displayName: string }[] }).groups.map((g) => g.displayName)).toEqual([
    "Alpha",
    "zeta",
  ]);
  const [audit] = await auditOf(org.id, "user.updated");
  expect(audit).toMatchObject({
    actorType: "system",
    actorName: "test",
    targetType: "user",
    targetId: user.id,
    data: { firstName: "Ada" },
    requestId: "req-1",
  });
});

test("when emitted in a driver transaction, then the same rows are written", async () => {
  const { org, user, ctx, auth } = await orgWithUser();
  await t.db.transaction((tx) =>
    emit(tx, ctx, {
      action: "user.role_changed",
      targetId: user.id,
      previousRole: "Admin",
      data: {
        id: user.id,
        email: user.email,
        from: "Admin",
        to: "Viewer",
        roleSource: { kind: "manual", rules: [] },
      },
    }),
  );
  const api = await request(t.app).get(`/api/v1/orgs/${org.slug}/users/${user.id}`).set(auth).expect(200);
  const [row] = await outboxOf(org.id);
  expect(row).toMatchObject({ type: "user.role_changed", subjectId: user.id });
  expect(row!.payload).toEqual({ ...api.body, previousRole: "Admin" });
});

test("when the audit data does not match the catalogue, then emit throws and the transaction writes nothing", async () => {
  const { org, user, ctx } = await orgWithUser();
  await expect(
    t.db.prisma.$transaction((tx) =>
      emit(tx, ctx, { action: "user.updated", targetId: user.id, data: { nickname: "x" } as never }),
    ),
  ).rejects.toThrow(/nickname/);
  expect(await outboxOf(org.id)).toEqual([]);
  expect(await auditOf(org.id, "user.updated")).toEqual([]);
});

test("when the subject is not a user of the organization, then emit throws", async () => {
  const { ctx } = await orgWithUser();
  const stranger = await orgWithUser();
  await expect(
    t.db.prisma.$transaction((tx) =>
      emit(tx, ctx, { action: "user.updated", targetId: stranger.user.id, data: {} }),
    ),
  ).rejects.toThrow(/no user/);
  expect(await outboxOf(stranger.org.id)).toEqual([]);
});

test("when an action writes no outbox event, then only its audit row is written", async () => {
  const { org, user, ctx } = await orgWithUser();
  await emit(t.db.prisma, ctx, { action: "auth.signed_out", targetId: user.id, data: {} });
  expect(await auditOf(org.id, "auth.signed_out")).toHaveLength(1);
  expect(await outboxOf(org.id)).toEqual([]);
});

test("when a group event is emitted, then its payload is the groups list item with the member changes", async () => {
  const { org, user, groups, ctx, auth } = await orgWithUser();
  await t.db.prisma.roleMappingRule.createMany({
    data: [
      { orgId: org.id, position: 0, group: "ALPHA", groupLower: "alpha", role: "Viewer" },
      { orgId: org.id, position: 1, group: "alpha", groupLower: "alpha", role: "Support" },
    ],
  });
  const alpha = groups.find((g) => g.displayName === "Alpha")!;
  await emit(t.db.prisma, ctx, {
    action: "group.updated",
    targetId: alpha.id,
    data: { via: "scim", displayName: "Alpha", membersAdded: [user.id] },
    members: { added: [user.id], removed: [] },
  });
  const list = await request(t.app).get(`/api/v1/orgs/${org.slug}/groups`).set(auth).expect(200);
  const item = list.body.data.find((g: { id: string }) => g.id === alpha.id);
  expect(item.role).toBe("Support");
  const [row] = await outboxOf(org.id);
  expect(row!.payload).toEqual({ ...item, membersAdded: [user.id], membersRemoved: [] });
});

test("when eventsCte writes several actions in one statement, then rows follow the parts' order and each part's orderBy", async () => {
  const { org, ctx } = await orgWithUser();
  const more = await Promise.all(["b@x.test", "a@x.test"].map((email) => t.given.user(org, { email })));
  const ids = more.map((u) => u.id);
  await t.db.transaction((tx) =>
    tx.$executeRaw(Prisma.sql`WITH picked AS (SELECT * FROM users WHERE id = ANY(${ids}::uuid[]))
      ${eventsCte(ctx, "ev", [
        {
          action: "user.updated",
          from: Prisma.sql`picked u`,
          targetId: Prisma.sql`u.id`,
          data: Prisma.sql`jsonb_build_object('email', u.email)`,
          payload: userObjectSql("u"),
          orderBy: Prisma.sql`u.email`,
        },
        {
          action: "user.deactivated",
          from: Prisma.sql`picked u`,
          targetId: Prisma.sql`u.id`,
          data: Prisma.sql`jsonb_build_object('email', u.email)`,
          payload: userObjectSql("u"),
          orderBy: Prisma.sql`u.email`,
        },
      ])}
      SELECT 1`),
  );
  const rows = await outboxOf(org.id);
  const sorted = [...more].sort((a, b) => a.email.localeCompare(b.email)).map((u) => u.id);
  expect(rows.map((r) => [r.type, r.subjectId])).toEqual([
    ["user.updated", sorted[0]],
    ["user.updated", sorted[1]],
    ["user.deactivated", sorted[0]],
    ["user.deactivated", sorted[1]],
  ]);
  const audits = await t.db.prisma.auditEvent.findMany({
    where: { orgId: org.id, action: { startsWith: "user." } },
    orderBy: { seq: "asc" },
  });
  expect(audits.map((a) => [a.action, a.targetId])).toEqual(rows.map((r) => [r.type, r.subjectId]));
});
