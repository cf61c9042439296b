// group_memberships: the database itself keeps a membership's group and user inside the
// membership's organization (foreign keys through org_id), and removes memberships with them.
import { createTestApp, type TestApp } from "../support/app";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

async function twoOrgs() {
  const [a, b] = [await t.given.org(), await t.given.org()];
  const group = await t.given.group(a, "Staff");
  return { a, b, group, userA: await t.given.user(a), userB: await t.given.user(b) };
}

const insert = (groupId: string, userId: string, orgId: string) =>
  t.db.prisma.$executeRaw`INSERT INTO group_memberships (group_id, user_id, org_id)
    VALUES (${groupId}::uuid, ${userId}::uuid, ${orgId}::uuid)`;

test("when a membership joins a group to a user of the same organization, then it is stored", async () => {
  const { a, group, userA } = await twoOrgs();
  await expect(insert(group.id, userA.id, a.id)).resolves.toBe(1);
});

test.each([
  ["a user of another organization, under the group's organization", "a"],
  ["a user of another organization, under the user's organization", "b"],
])("when a membership joins a group to %s, then the database refuses it", async (_title, under) => {
  const { a, b, group, userB } = await twoOrgs();
  await expect(insert(group.id, userB.id, under === "a" ? a.id : b.id)).rejects.toThrow(/foreign key/i);
  expect(await t.db.prisma.groupMembership.count({ where: { groupId: group.id } })).toBe(0);
});

test("when a user or a group is deleted, then its memberships go with it", async () => {
  const { a, group, userA } = await twoOrgs();
  const other = await t.given.user(a);
  await insert(group.id, userA.id, a.id);
  await insert(group.id, other.id, a.id);
  await t.db.prisma.user.delete({ where: { id: userA.id } });
  expect(await t.db.prisma.groupMembership.count({ where: { groupId: group.id } })).toBe(1);
  await t.db.prisma.group.delete({ where: { id: group.id } });
  expect(await t.db.prisma.groupMembership.count({ where: { userId: other.id } })).toBe(0);
});
