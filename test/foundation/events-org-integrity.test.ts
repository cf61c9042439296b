// audit_events and outbox_events have no foreign key to organizations (a per-row check cost
// ~0.25 s of a 50,000-user rule change); statement-level triggers keep what the keys did:
// an event must name an organization, and an organization's events are deleted with it.
import { randomUUID } from "node:crypto";
import type { Organization } from "../../src/generated/prisma/client";
import { createTestApp, type TestApp } from "../support/app";

let t: TestApp;
beforeAll(async () => {
  // The rows written here by hand test the tables, not the catalogue.
  t = await createTestApp({}, { checkEventRows: false });
});
afterAll(() => t.close());

async function eventsOf(org: Organization) {
  const [audit, outbox] = await Promise.all([
    t.db.prisma.auditEvent.count({ where: { orgId: org.id } }),
    t.db.prisma.outboxEvent.count({ where: { orgId: org.id } }),
  ]);
  return { audit, outbox };
}

async function addEvents(org: Organization, n: number) {
  const rows = Array.from({ length: n }, (_, i) => `e${i}`);
  await t.db.prisma.auditEvent.createMany({
    data: rows.map((id) => ({ orgId: org.id, actorType: "system", action: "test.event", targetId: id })),
  });
  await t.db.prisma.outboxEvent.createMany({
    data: rows.map((id) => ({ orgId: org.id, type: "user.updated", subjectId: id, payload: {} })),
  });
}

test("when an organization is deleted, then its audit and outbox events go with it and no other's do", async () => {
  const [doomed, kept] = [await t.given.org(), await t.given.org()];
  await addEvents(doomed, 3);
  await addEvents(kept, 2);

  await t.db.prisma.organization.delete({ where: { id: doomed.id } });

  expect(await eventsOf(doomed)).toEqual({ audit: 0, outbox: 0 });
  expect(await eventsOf(kept)).toEqual({ audit: 2, outbox: 2 });
});

test("when a statement writes events of existing organizations, then they are stored", async () => {
  const [a, b] = [await t.given.org(), await t.given.org()];
  await t.db.prisma.$executeRaw`INSERT INTO audit_events (id, org_id, actor_type, action)
    SELECT gen_random_uuid(), o, 'system', 'test.event' FROM unnest(ARRAY[${a.id}, ${b.id}]::uuid[]) o`;

  expect((await eventsOf(a)).audit).toBe(1);
  expect((await eventsOf(b)).audit).toBe(1);
});

test.each([
  ["audit_events", "an audit event"],
  ["outbox_events", "an outbox event"],
])(
  "when %s gets %s naming no organization among valid ones, then the whole statement fails",
  async (table) => {
    const org = await t.given.org();
    const missing = randomUUID();
    const insert =
      table === "audit_events"
        ? t.db.prisma.$executeRaw`INSERT INTO audit_events (id, org_id, actor_type, action)
            SELECT gen_random_uuid(), o, 'system', 'test.event' FROM unnest(ARRAY[${org.id}, ${missing}]::uuid[]) o`
        : t.db.prisma.$executeRaw`INSERT INTO outbox_events (org_id, type, payload)
            SELECT o, 'user.updated', '{}' FROM unnest(ARRAY[${org.id}, ${missing}]::uuid[]) o`;

    await expect(insert).rejects.toThrow(/violates its organization check/);
    expect(await eventsOf(org)).toEqual({ audit: 0, outbox: 0 });
  },
);

test("when an event is moved to an organization that does not exist, then the update fails as a foreign key would", async () => {
  const org = await t.given.org();
  await addEvents(org, 1);

  await expect(
    t.db.prisma.outboxEvent.updateMany({ where: { orgId: org.id }, data: { orgId: randomUUID() } }),
  ).rejects.toMatchObject({ code: "P2003" });
  expect(await eventsOf(org)).toEqual({ audit: 1, outbox: 1 });
});
