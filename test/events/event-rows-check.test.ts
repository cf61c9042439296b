// The check every test file's database runs when it closes (test/support/event-rows.ts): a row
// the catalogue does not describe fails the file.
import { openTestDatabase } from "../support/db";

test("when a test file leaves an audit row no catalogue entry describes, then closing its database throws", async () => {
  const db = await openTestDatabase();
  const org = await db.prisma.organization.create({ data: { slug: "bad-rows", name: "Bad rows" } });
  await db.prisma.auditEvent.create({ data: { orgId: org.id, actorType: "system", action: "bogus.action" } });
  await expect(db.close()).rejects.toThrow(/1 audit\/outbox row\(s\) do not match the event catalogue/);
});

test("when an outbox row carries another payload than its type's, then closing its database throws", async () => {
  const db = await openTestDatabase();
  const org = await db.prisma.organization.create({ data: { slug: "bad-outbox", name: "Bad outbox" } });
  await db.prisma.outboxEvent.create({
    data: { orgId: org.id, type: "user.created", subjectId: "x", payload: { user: { id: "x" } } },
  });
  await expect(db.close()).rejects.toThrow(/user\.created/);
});

test("when every row is the catalogue's, then closing succeeds", async () => {
  const db = await openTestDatabase();
  await db.prisma.organization.create({ data: { slug: "good-rows", name: "Good rows" } });
  await expect(db.close()).resolves.toBeUndefined();
});
