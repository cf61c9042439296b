// What a SCIM change does beyond the resource: deactivation revokes sessions at once, DELETE
// removes, each change commits with its audit and outbox event (actor: the token), roles are
// recomputed from group mappings, ETags guard writes (412), the plan's seat limit applies,
// passwords and unknown attributes are never kept, and type errors answer 400 invalidValue.
import request from "supertest";
import { createTestApp, type TestApp } from "../support/app";
import { GROUP, newUser, patchBody, scimClient, type ScimClient } from "./scim-client";

let t: TestApp;
let c: ScimClient;
beforeAll(async () => {
  t = await createTestApp();
  c = await scimClient(t, { plan: "enterprise" }, "Entra prod");
});
afterAll(() => t.close());

const row = (id: string) => t.db.prisma.user.findUniqueOrThrow({ where: { id } });

describe("deprovisioning", () => {
  test("when active=false arrives, then the user is deactivated and every session is revoked in the same change", async () => {
    const id = (await c.post("/Users", newUser("leaver@acme.test")).expect(201)).body.id;
    const user = await row(id);
    await t.given.session(user);
    await t.given.session(user);
    await c.patch(`/Users/${id}`, patchBody({ op: "replace", path: "active", value: false })).expect(200);
    expect((await row(id)).status).toBe("deactivated");
    const sessions = await t.db.prisma.session.findMany({ where: { userId: id } });
    expect(sessions).toHaveLength(2);
    expect(sessions.every((s) => s.revokedAt !== null)).toBe(true);
    const event = await t.db.prisma.outboxEvent.findFirstOrThrow({
      where: { subjectId: id, type: "user.deactivated" },
    });
    expect(event.payload).toMatchObject({ id, status: "deactivated" });
    const audit = await t.db.prisma.auditEvent.findFirstOrThrow({
      where: { targetId: id, action: "user.deactivated" },
    });
    expect(audit.data).toMatchObject({ via: "scim", sessionsRevoked: 2 });
  });

  test("when active=true arrives for a deactivated user, then a session left from before the deactivation is revoked", async () => {
    const id = (await c.post("/Users", newUser("returner@acme.test")).expect(201)).body.id;
    await c.patch(`/Users/${id}`, patchBody({ op: "replace", path: "active", value: false })).expect(200);
    // What a sign-in that committed while the deactivation waited for the row leaves behind.
    const cookie = await t.given.session(await row(id), "saml");
    await request(t.app).get("/api/v1/me").set("Cookie", cookie).expect(401);
    await c.patch(`/Users/${id}`, patchBody({ op: "replace", path: "active", value: true })).expect(200);
    expect((await row(id)).status).toBe("active");
    expect(await t.db.prisma.session.count({ where: { userId: id, revokedAt: null } })).toBe(0);
    await request(t.app).get("/api/v1/me").set("Cookie", cookie).expect(401);
    expect(await t.db.prisma.auditEvent.count({ where: { targetId: id, action: "user.reactivated" } })).toBe(
      1,
    );
  });

  test("when DELETE arrives, then the user is gone, with its audit and outbox events", async () => {
    const id = (await c.post("/Users", newUser("gone@acme.test")).expect(201)).body.id;
    await c.del(`/Users/${id}`).expect(204);
    expect(await t.db.prisma.user.findUnique({ where: { id } })).toBeNull();
    await c.del(`/Users/${id}`).expect(404);
    const audit = await t.db.prisma.auditEvent.findFirstOrThrow({
      where: { targetId: id, action: "user.deleted" },
    });
    expect(audit).toMatchObject({ actorType: "scim_token", actorName: "Entra prod" });
    expect(await t.db.prisma.outboxEvent.count({ where: { subjectId: id, type: "user.deleted" } })).toBe(1);
  });

  test("when a change is refused, then neither the change nor its events are written", async () => {
    const id = (await c.post("/Users", newUser("stays@acme.test")).expect(201)).body.id;
    const before = await t.db.prisma.auditEvent.count({ where: { targetId: id } });
    await c.patch(`/Users/${id}`, patchBody({ op: "replace", path: "active", value: "nope" })).expect(400);
    expect(await t.db.prisma.auditEvent.count({ where: { targetId: id } })).toBe(before);
    expect((await row(id)).status).toBe("active");
  });
});

describe("roles through the mapping", () => {
  /** A new user, created as a member of a new group (one SCIM create each): their ids. */
  async function userInNewGroup(email: string, displayName: string) {
    const id: string = (await c.post("/Users", newUser(email)).expect(201)).body.id;
    const created = await c.post("/Groups", { schemas: [GROUP], displayName, members: [{ value: id }] });
    expect(created.status).toBe(201);
    return { id, group: created.body.id as string };
  }

  test("when a user joins and leaves a mapped group by SCIM, then the role follows", async () => {
    await t.given.rules(c.org, [{ group: "Helpdesk", role: "Support" }], 0);
    const id = (await c.post("/Users", newUser("agent@acme.test")).expect(201)).body.id;
    const group = (await c.post("/Groups", { schemas: [GROUP], displayName: "Helpdesk" }).expect(201)).body
      .id;
    await c
      .patch(`/Groups/${group}`, patchBody({ op: "Add", path: "members", value: [{ value: id }] }))
      .expect(204);
    expect((await row(id)).role).toBe("Support");
    await c
      .patch(`/Groups/${group}`, patchBody({ op: "remove", path: `members[value eq "${id}"]` }))
      .expect(204);
    expect((await row(id)).role).toBeNull();
    const changes = await t.db.prisma.outboxEvent.count({
      where: { subjectId: id, type: "user.role_changed" },
    });
    expect(changes).toBe(2);
  });

  test("when a rule names a group by its externalId in another case, then a member batch still changes the role", async () => {
    await t.given.rules(c.org, [{ group: "00G-OPS", role: "Support" }], 2);
    const id = (await c.post("/Users", newUser("ops@acme.test")).expect(201)).body.id;
    const group = (
      await c
        .post("/Groups", { schemas: [GROUP], displayName: "Operations", externalId: "00g-Ops" })
        .expect(201)
    ).body.id;
    await c
      .patch(`/Groups/${group}`, patchBody({ op: "add", path: "members", value: [{ value: id }] }))
      .expect(204);
    expect(await row(id)).toMatchObject({
      role: "Support",
      roleSource: { kind: "mapping", rules: [{ group: "00G-OPS", role: "Support" }] },
    });
  });

  test("when a mapped group is renamed away from its rule, then its members lose the role", async () => {
    await t.given.rules(c.org, [{ group: "Admins", role: "Admin" }], 1);
    const { id, group } = await userInNewGroup("root@acme.test", "Admins");
    expect((await row(id)).role).toBe("Admin");
    await c
      .patch(`/Groups/${group}`, patchBody({ op: "replace", value: { displayName: "Former admins" } }))
      .expect(204);
    expect((await row(id)).role).toBeNull();
  });

  test("when a mapped group is deleted, then its members lose the role", async () => {
    await t.given.rules(c.org, [{ group: "Operators", role: "Support" }], 3);
    const { id, group } = await userInNewGroup("operator@acme.test", "Operators");
    expect((await row(id)).role).toBe("Support");
    await c.del(`/Groups/${group}`).expect(204);
    expect((await row(id)).role).toBeNull();
    expect(await t.db.prisma.group.findUnique({ where: { id: group } })).toBeNull();
  });
});

describe("ETags", () => {
  test("when If-Match carries the current version, then the write succeeds; a stale one answers 412", async () => {
    const created = await c.post("/Users", newUser("etag@acme.test")).expect(201);
    const id = created.body.id;
    expect(created.headers.etag).toBe('W/"1"');
    const get = await c.get(`/Users/${id}`).expect(200);
    expect(get.headers.etag).toBe('W/"1"');
    const ok = await c
      .patch(`/Users/${id}`, patchBody({ op: "replace", path: "title", value: "One" }))
      .set("If-Match", 'W/"1"')
      .expect(200);
    expect(ok.body.meta.version).toBe('W/"2"');
    const stale = await c
      .patch(`/Users/${id}`, patchBody({ op: "replace", path: "title", value: "Two" }))
      .set("If-Match", 'W/"1"')
      .expect(412);
    expect(stale.body.schemas).toEqual(["urn:ietf:params:scim:api:messages:2.0:Error"]);
    await c.del(`/Users/${id}`).set("If-Match", 'W/"1"').expect(412);
    expect((await row(id)).scimData).toMatchObject({ title: "One" });
  });

  test("when a DELETE carries the current version in If-Match, then the user is gone, with its events", async () => {
    const id = (await c.post("/Users", newUser("etag-delete@acme.test")).expect(201)).body.id;
    await c.del(`/Users/${id}`).set("If-Match", 'W/"1"').expect(204);
    expect(await t.db.prisma.user.findUnique({ where: { id } })).toBeNull();
    expect(await t.db.prisma.outboxEvent.count({ where: { subjectId: id, type: "user.deleted" } })).toBe(1);
    expect(await t.db.prisma.auditEvent.count({ where: { targetId: id, action: "user.deleted" } })).toBe(1);
    await c.del(`/Users/${id}`).set("If-Match", 'W/"1"').expect(404);
  });

  test("when a GET names the current version in If-None-Match, then it answers 304; an old one gets the resource", async () => {
    const id = (await c.post("/Users", newUser("conditional@acme.test")).expect(201)).body.id;
    const unchanged = await c.get(`/Users/${id}`).set("If-None-Match", 'W/"1"').expect(304);
    expect(unchanged.headers.etag).toBe('W/"1"');
    expect(unchanged.text).toBe("");
    await c.patch(`/Users/${id}`, patchBody({ op: "replace", path: "title", value: "New" })).expect(200);
    const changed = await c.get(`/Users/${id}`).set("If-None-Match", 'W/"1"').expect(200);
    expect(changed.headers.etag).toBe('W/"2"');
    expect(changed.body.title).toBe("New");
    // Lists carry no ETag: a page is not a versioned resource.
    expect((await c.get("/Users?count=1").expect(200)).headers.etag).toBeUndefined();
  });

  test("when a PATCH changes nothing, then the version stays", async () => {
    const id = (await c.post("/Users", newUser("same@acme.test")).expect(201)).body.id;
    const res = await c
      .patch(`/Users/${id}`, patchBody({ op: "Replace", path: "active", value: "True" }))
      .expect(200);
    expect(res.body.meta.version).toBe('W/"1"');
  });
});

describe("what is kept", () => {
  test("when a create carries a password and unknown attributes, then neither is stored or returned", async () => {
    const res = await c
      .post(
        "/Users",
        newUser("secretive@acme.test", { password: "Sup3r$ecret!", shoeSize: 44, "urn:x:custom": { a: 1 } }),
      )
      .expect(201);
    expect(res.body.password).toBeUndefined();
    expect(res.body.shoeSize).toBeUndefined();
    const stored = JSON.stringify(await row(res.body.id));
    expect(stored).not.toContain("Sup3r$ecret!");
    expect(stored).not.toContain("shoeSize");
  });

  test("when the email is chosen, then primary wins, else work, else the first, else the userName", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [
        {
          userName: "p1",
          emails: [
            { value: "w@x.test", type: "work" },
            { value: "p@x.test", primary: true },
          ],
        },
        "p@x.test",
      ],
      [
        {
          userName: "p2",
          emails: [
            { value: "h@y.test", type: "home" },
            { value: "w@y.test", type: "work" },
          ],
        },
        "w@y.test",
      ],
      [{ userName: "p3", emails: [{ value: "f@z.test" }, { value: "s@z.test" }] }, "f@z.test"],
      [{ userName: "only@name.test" }, "only@name.test"],
    ];
    for (const [body, email] of cases) {
      const res = await c.post("/Users", { schemas: [], ...body }).expect(201);
      expect((await row(res.body.id)).email).toBe(email);
      expect(await t.db.prisma.userEmail.count({ where: { userId: res.body.id } })).toBe(
        Array.isArray(body.emails) ? body.emails.length : 0,
      );
    }
  });

  test.each([
    ["userName missing", { emails: [{ value: "a@b.test" }] }],
    ["userName an object", { userName: { x: 1 } }],
    ["active not a boolean", { userName: "t1@x.test", active: "yes" }],
    ["name a string", { userName: "t2@x.test", name: "Ann" }],
    ["an email that is not one", { userName: "t3", emails: [{ value: "not-an-email" }] }],
    ["no email at all", { userName: "plainname" }],
  ])("when a create has %s, then 400 invalidValue", async (_title, body) => {
    const res = await c.post("/Users", body).expect(400);
    expect(res.body).toMatchObject({ status: "400", scimType: "invalidValue" });
  });
});

describe("seat limit", () => {
  test("when the plan's seats are used up, then a SCIM create is refused naming the limit", async () => {
    const small = await scimClient(t, { plan: "free", seatLimit: 2 });
    await small.post("/Users", newUser("one@small.test")).expect(201);
    await small.post("/Users", newUser("two@small.test")).expect(201);
    const res = await small.post("/Users", newUser("three@small.test")).expect(409);
    expect(res.body.detail).toMatch(/allows 2 users/);
    expect(res.body.schemas).toEqual(["urn:ietf:params:scim:api:messages:2.0:Error"]);
    expect(await t.db.prisma.user.count({ where: { orgId: small.org.id } })).toBe(2);
  });

  test("when a seat limit is set by another process, then the very next SCIM create counts seats", async () => {
    const org = await scimClient(t, { plan: "enterprise" });
    await org.post("/Users", newUser("first@later-limited.test")).expect(201);
    // A direct UPDATE, as the CLI or another instance on the same PostgreSQL would write it:
    // no cached copy of the organization may let the next create skip the count.
    await t.db.prisma.$executeRaw`UPDATE organizations SET seat_limit = 1 WHERE id = ${org.org.id}::uuid`;
    const res = await org.post("/Users", newUser("second@later-limited.test")).expect(409);
    expect(res.body.detail).toMatch(/allows 1 users/);
    await t.db.prisma.$executeRaw`UPDATE organizations SET seat_limit = NULL WHERE id = ${org.org.id}::uuid`;
    await org.post("/Users", newUser("second@later-limited.test")).expect(201);
  });
});
