// The one-statement SCIM user writes (save-sql.ts, delete-sql.ts) against the rules they stand
// in for: a change that changes nothing writes nothing; the DELETE's events carry the user as
// it was, with the groups it left; the role recomputed inside a PATCH's statement is the role
// recomputeRoles computes, with its user.role_changed events after the change's own; and every
// event row these writes leave is one the event catalogue accepts.
import { checkAuditRow, checkOutboxRow } from "../../src/events";
import { recomputeRoles } from "../../src/roles/recompute";
import { findUser } from "../../src/scim/users/store";
import { createTestApp, type TestApp } from "../support/app";
import { GROUP, newUser, patchBody, scimClient, type ScimClient } from "./scim-client";

let t: TestApp;
let c: ScimClient;
beforeAll(async () => {
  t = await createTestApp();
  c = await scimClient(t, { plan: "enterprise", defaultRole: "Viewer" });
});
afterAll(async () => {
  const audit = await t.db.prisma.auditEvent.findMany({
    where: { orgId: c.org.id, action: { in: ["user.updated", "user.deactivated", "user.deleted"] } },
  });
  const outbox = await t.db.prisma.outboxEvent.findMany({
    where: { orgId: c.org.id, type: { in: ["user.updated", "user.deactivated", "user.deleted"] } },
  });
  await t.close();
  expect(audit.map(checkAuditRow).filter(Boolean)).toEqual([]);
  expect(outbox.map(checkOutboxRow).filter(Boolean)).toEqual([]);
  expect(audit.length).toBeGreaterThan(2);
});

const eventsOf = async (id: string) => ({
  audit: await t.db.prisma.auditEvent.findMany({ where: { targetId: id }, orderBy: { seq: "asc" } }),
  outbox: await t.db.prisma.outboxEvent.findMany({ where: { subjectId: id }, orderBy: { id: "asc" } }),
});

test("when a PATCH or a PUT changes nothing, then nothing is written: no row version, no event", async () => {
  const body = newUser("unchanged@acme.test", { externalId: "00u-same", title: "Engineer" });
  const id = (await c.post("/Users", body).expect(201)).body.id;
  const before = await t.db.prisma.user.findUniqueOrThrow({ where: { id } });
  const events = await eventsOf(id);
  await c.patch(`/Users/${id}`, patchBody({ op: "Replace", path: "active", value: "True" })).expect(200);
  await c.patch(`/Users/${id}`, patchBody({ op: "replace", value: { title: "Engineer" } })).expect(200);
  await c.put(`/Users/${id}`, body).expect(200);
  expect(await t.db.prisma.user.findUniqueOrThrow({ where: { id } })).toEqual(before);
  expect(await eventsOf(id)).toEqual(events);
});

test.each([
  ["every attribute", newUser("Deleted.Full@acme.test", { externalId: "00u-del", displayName: "Del Full" })],
  ["only a userName", { schemas: newUser("x").schemas, userName: "deleted.min@acme.test" }],
])(
  "when a user with %s is deleted, then user.deleted carries the user as it was, with the groups it left",
  async (_k, body) => {
    const id = (await c.post("/Users", body).expect(201)).body.id;
    const group = (
      await c
        .post("/Groups", { schemas: [GROUP], displayName: `Left by ${id}`, members: [{ value: id }] })
        .expect(201)
    ).body;
    const row = (await findUser(t.db.prisma, c.org.id, id))!;
    await c.del(`/Users/${id}`).expect(204);
    const { audit, outbox } = await eventsOf(id);
    expect(outbox.at(-1)).toMatchObject({
      type: "user.deleted",
      payload: {
        id,
        email: row.email,
        firstName: row.firstName,
        lastName: row.lastName,
        status: "active",
        provisionedBy: "scim",
        groups: [{ id: group.id, displayName: group.displayName, source: "scim" }],
      },
    });
    expect(audit.at(-1)).toMatchObject({
      action: "user.deleted",
      actorType: "scim_token",
      data: { via: "scim", email: row.email, groupsLeft: 1 },
    });
  },
);

test("when a PATCH changes a user whose stored role is stale, then its statement recomputes it as recomputeRoles does", async () => {
  const [patched, recomputed] = await Promise.all(
    ["stale.patched@acme.test", "stale.recomputed@acme.test"].map(
      async (userName) => (await c.post("/Users", newUser(userName)).expect(201)).body.id as string,
    ),
  );
  await t.db.prisma.user.updateMany({
    where: { id: { in: [patched!, recomputed!] } },
    data: { role: "Admin", roleSource: { kind: "manual", rules: [] } },
  });
  await c.patch(`/Users/${patched}`, patchBody({ op: "replace", path: "title", value: "New" })).expect(200);
  await t.db.prisma.$transaction((tx) =>
    recomputeRoles(tx, { orgId: c.org.id, actor: { type: "cli" } }, [recomputed!]),
  );
  const roleOf = async (id: string) => {
    const u = await t.db.prisma.user.findUniqueOrThrow({ where: { id } });
    return { role: u.role, roleSource: u.roleSource };
  };
  expect(await roleOf(patched!)).toEqual({ role: "Viewer", roleSource: { kind: "default", rules: [] } });
  expect(await roleOf(patched!)).toEqual(await roleOf(recomputed!));
  const { audit, outbox } = await eventsOf(patched!);
  expect(audit.slice(-2).map((a) => a.action)).toEqual(["user.updated", "user.role_changed"]);
  expect(outbox.slice(-2).map((o) => o.type)).toEqual(["user.updated", "user.role_changed"]);
  const roleChanged = async (id: string) =>
    (await eventsOf(id)).audit.filter((a) => a.action === "user.role_changed").at(-1)!.data as Record<
      string,
      unknown
    >;
  const [mine, seams] = [await roleChanged(patched!), await roleChanged(recomputed!)];
  expect(mine).toMatchObject({ id: patched, email: "stale.patched@acme.test", from: "Admin", to: "Viewer" });
  expect({ ...mine, id: null, email: null }).toEqual({ ...seams, id: null, email: null });
});
