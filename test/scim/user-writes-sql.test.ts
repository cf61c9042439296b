// The one-statement SCIM user writes (save-sql.ts, delete-sql.ts) against the rules they stand
// in for: a change that changes nothing writes nothing; the DELETE's events carry the user as
// it was, with the groups it left; a PUT or PATCH leaves the role as recomputeRoles computes it
// (it writes none of the role's inputs); and every event row these writes leave is one the event
// catalogue accepts.
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

test("when PATCHes and PUTs deactivate, reactivate, rename and re-email a user of a mapped group, then its role stays what recomputeRoles computes, with no user.role_changed: they write none of the role's inputs", async () => {
  const body = newUser("mapped.member@acme.test");
  const id = (await c.post("/Users", body).expect(201)).body.id as string;
  const group = `Mapped for ${id}`;
  await c.post("/Groups", { schemas: [GROUP], displayName: group, members: [{ value: id }] }).expect(201);
  await t.services.roles.putMappings(
    { orgId: c.org.id, actor: { type: "cli" } },
    { defaultRole: "Viewer", rules: [{ group, role: "Support" }] },
    { force: true },
  );
  const roleOf = async () => {
    const u = await t.db.prisma.user.findUniqueOrThrow({ where: { id } });
    return { role: u.role, roleSource: u.roleSource, status: u.status };
  };
  expect(await roleOf()).toMatchObject({ role: "Support", roleSource: { kind: "mapping" } });
  const roleEvents = async () =>
    (await eventsOf(id)).audit.filter((a) => a.action === "user.role_changed").length;
  const before = { role: await roleOf(), events: await roleEvents() };
  const changes: [string, () => Promise<unknown>][] = [
    [
      "Entra deactivation",
      () => c.patch(`/Users/${id}`, patchBody({ op: "Replace", path: "active", value: "False" })).expect(200),
    ],
    [
      "Okta reactivation",
      () => c.patch(`/Users/${id}`, patchBody({ op: "replace", value: { active: true } })).expect(200),
    ],
    [
      "rename",
      () =>
        c
          .patch(`/Users/${id}`, patchBody({ op: "replace", path: "displayName", value: "Renamed" }))
          .expect(200),
    ],
    [
      "PUT with new emails",
      () =>
        c.put(`/Users/${id}`, { ...body, emails: [{ value: "other@acme.test", primary: true }] }).expect(200),
    ],
    ["PUT deactivation", () => c.put(`/Users/${id}`, { ...body, active: false }).expect(200)],
  ];
  for (const [what, change] of changes) {
    await change();
    const recomputed = await t.db.prisma.$transaction((tx) =>
      recomputeRoles(tx, { orgId: c.org.id, actor: { type: "cli" } }, [id]),
    );
    expect({ what, recomputed }).toEqual({ what, recomputed: [] });
    expect({ what, role: (await roleOf()).role }).toEqual({ what, role: before.role.role });
  }
  expect((await roleOf()).status).toBe("deactivated");
  expect(await roleEvents()).toBe(before.events);
});
