// GET /orgs/{org}/audit-events with its filters, and audit rows being append-only in the
// database itself.
import request from "supertest";
import { createTestApp, type TestApp } from "../support/app";
import { emit } from "../../src/events";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

test("when filtered by actor, action, target user and time range, then only the matching events come, newest first", async () => {
  const org = await t.given.org();
  const key = await t.given.apiKey(org);
  const [ann, bob] = [await t.given.user(org), await t.given.user(org)];
  const asAnn = { orgId: org.id, actor: { type: "user" as const, id: ann.id, name: ann.email } };
  await emit(t.db.prisma, asAnn, { action: "auth.signed_out", targetId: ann.id });
  // Apart by 20 ms on both sides: `middle` goes out in milliseconds, the rows are stamped in
  // microseconds, so an event in the same millisecond as `middle` would fall on its far side.
  await new Promise((r) => setTimeout(r, 20));
  const middle = new Date();
  await new Promise((r) => setTimeout(r, 20));
  await emit(t.db.prisma, asAnn, {
    action: "user.updated",
    targetId: bob.id,
    data: { via: "admin", firstName: "B" },
  });
  await emit(
    t.db.prisma,
    { ...asAnn, actor: { type: "system", name: "cron" } },
    { action: "auth.signed_out", targetId: bob.id },
  );
  const list = (query: Record<string, string>) =>
    request(t.app)
      .get(`/api/v1/orgs/${org.slug}/audit-events`)
      .query(query)
      .set("Authorization", `Bearer ${key}`)
      .expect(200);

  const mine = (await list({ actor: ann.email })).body.data;
  expect(mine.map((e: { action: string }) => e.action)).toEqual(["user.updated", "auth.signed_out"]);
  const aboutBob = (await list({ targetUser: bob.id })).body.data;
  expect(aboutBob.map((e: { action: string }) => e.action)).toEqual(["auth.signed_out", "user.updated"]);
  const outs = (await list({ action: "auth.signed_out", from: middle.toISOString() })).body.data;
  expect(outs.map((e: { targetId: string }) => e.targetId)).toEqual([bob.id]);
  const before = (await list({ actor: ann.email, to: middle.toISOString() })).body.data;
  expect(before.map((e: { action: string }) => e.action)).toEqual(["auth.signed_out"]);
  const page = await list({ actor: ann.email, limit: "1" });
  expect(page.body.data).toHaveLength(1);
  const next = (await list({ actor: ann.email, limit: "1", cursor: page.body.nextCursor })).body.data;
  expect(next[0].action).toBe("auth.signed_out");
  await request(t.app)
    .get(`/api/v1/orgs/${org.slug}/audit-events`)
    .query({ from: "yesterday" })
    .set("Authorization", `Bearer ${key}`)
    .expect(400);
});

test("when anything updates, deletes or truncates audit rows, then the database refuses; deleting the organization still removes them", async () => {
  const org = await t.given.org();
  await t.given.apiKey(org); // writes api_key.created
  await expect(
    t.db.prisma.auditEvent.updateMany({ where: { orgId: org.id }, data: { action: "x" } }),
  ).rejects.toThrow(/append-only/);
  await expect(t.db.prisma.auditEvent.deleteMany({ where: { orgId: org.id } })).rejects.toThrow(
    /append-only/,
  );
  await expect(t.db.prisma.$executeRawUnsafe("TRUNCATE audit_events CASCADE")).rejects.toThrow(/append-only/);
  expect(await t.db.prisma.auditEvent.count({ where: { orgId: org.id } })).toBe(1);
  await t.db.prisma.organization.delete({ where: { id: org.id } });
  expect(await t.db.prisma.auditEvent.count({ where: { orgId: org.id } })).toBe(0);
});
