// Okta's provisioning client, scripted from Okta's "SCIM 2.0" guide and its SCIM spec tests:
// the set-up probes, lookup by `userName eq`, create, duplicate, PUT update, deactivation by a
// no-path replace, reactivation, and Group Push (create, add members, rename, remove one
// member with members[value eq "..."], delete). Requests carry application/scim+json.
// Each step starts from its own organization and the state it needs (written through SCIM as
// Okta would have left it), so any step runs alone and one failure does not cascade.
import { createTestApp, type TestApp } from "../support/app";
import { GROUP, PATCH_OP, USER, scimClient, type ScimClient } from "./scim-client";

let t: TestApp;
let okta: ScimClient;
beforeAll(async () => {
  t = await createTestApp();
});
beforeEach(async () => {
  okta = await scimClient(t, { plan: "enterprise" }, "Okta production");
});
afterAll(() => t.close());

const oktaUser = (userName: string, givenName = "Ann") => ({
  schemas: [USER],
  userName,
  name: { givenName, familyName: "Okta" },
  emails: [{ primary: true, value: userName, type: "work" }],
  displayName: `${givenName} Okta`,
  locale: "en-US",
  externalId: "00u1abcd2EFGH3ijk4x7",
  groups: [],
  password: "t1meMa$heen",
  active: true,
});

const userName = "ann.okta@acme.test";

/** Given: the user Okta created (answers its id). */
const givenOktaUser = async (name = userName, givenName = "Ann"): Promise<string> =>
  (await okta.post("/Users", oktaUser(name, givenName)).expect(201)).body.id;

/** Given: a pushed group with these members (answers its id). */
const givenGroup = async (displayName: string, memberIds: string[]): Promise<string> =>
  (
    await okta
      .post("/Groups", { schemas: [GROUP], displayName, members: memberIds.map((value) => ({ value })) })
      .expect(201)
  ).body.id;

const memberIds = async (groupId: string): Promise<string[]> =>
  (await okta.get(`/Groups/${groupId}`).expect(200)).body.members
    .map((m: { value: string }) => m.value)
    .sort();

const replaceActive = (userId: string, active: boolean) =>
  okta.patch(`/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: "replace", value: { active } }] });

describe("Okta SCIM 2.0 conversation", () => {
  test("when Okta tests the connection, then Users and Groups answer ListResponses", async () => {
    const users = await okta.get("/Users?startIndex=1&count=2").expect(200);
    expect(users.headers["content-type"]).toMatch(/^application\/scim\+json/);
    expect(users.body).toMatchObject({ totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] });
    const groups = await okta.get("/Groups?startIndex=1&count=100").expect(200);
    expect(groups.body.schemas).toEqual(["urn:ietf:params:scim:api:messages:2.0:ListResponse"]);
  });

  test("when Okta looks a new user up by userName, then it finds none", async () => {
    await givenOktaUser("someone.else@acme.test");
    const res = await okta
      .get(`/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}&startIndex=1&count=100`)
      .expect(200);
    expect(res.body.totalResults).toBe(0);
  });

  test("when Okta creates the user, then 201 with an id, the Location, and no password", async () => {
    const res = await okta.post("/Users", oktaUser(userName)).expect(201);
    const userId = res.body.id;
    expect(res.headers.location).toBe(`http://sso.test/scim/v2/${okta.org.slug}/Users/${userId}`);
    expect(res.body).toMatchObject({
      userName,
      active: true,
      name: { givenName: "Ann", familyName: "Okta" },
    });
    expect(res.body.password).toBeUndefined();
    const row = await t.db.prisma.user.findUniqueOrThrow({ where: { id: userId } });
    expect(row).toMatchObject({
      provisionedBy: "scim",
      status: "active",
      email: userName,
      passwordHash: null,
    });
    expect(JSON.stringify(row.scimData)).not.toContain("t1meMa$heen");
  });

  test("when Okta looks the user up again, in another letter case, then it finds exactly that user", async () => {
    const userId = await givenOktaUser();
    await givenOktaUser("bob.okta@acme.test", "Bob");
    const res = await okta
      .get(`/Users?filter=${encodeURIComponent(`userName eq "${userName.toUpperCase()}"`)}`)
      .expect(200);
    expect(res.body.totalResults).toBe(1);
    expect(res.body.Resources[0].id).toBe(userId);
  });

  test("when Okta creates the same userName again, then 409 uniqueness", async () => {
    await givenOktaUser();
    const res = await okta.post("/Users", oktaUser(userName.toUpperCase())).expect(409);
    expect(res.body).toMatchObject({ status: "409", scimType: "uniqueness" });
  });

  test("when Okta asks for an unknown id, then 404 in the SCIM error format", async () => {
    const res = await okta.get("/Users/010101010101010101010101").expect(404);
    expect(res.body.schemas).toEqual(["urn:ietf:params:scim:api:messages:2.0:Error"]);
  });

  test("when Okta PUTs the profile with a new name, then the user is updated", async () => {
    const userId = await givenOktaUser();
    const res = await okta
      .put(`/Users/${userId}`, { ...oktaUser(userName, "Annie"), id: userId })
      .expect(200);
    expect(res.body.name.givenName).toBe("Annie");
    expect(res.body.meta.version).toBe('W/"2"');
    const row = await t.db.prisma.user.findUniqueOrThrow({ where: { id: userId } });
    expect(row.firstName).toBe("Annie");
  });

  test("when Okta deactivates with a no-path replace, then the user is deactivated", async () => {
    const userId = await givenOktaUser();
    const res = await replaceActive(userId, false).expect(200);
    expect(res.body.active).toBe(false);
    const row = await t.db.prisma.user.findUniqueOrThrow({ where: { id: userId } });
    expect(row.status).toBe("deactivated");
  });

  test("when Okta reactivates the same way, then the user is active again", async () => {
    const userId = await givenOktaUser();
    await replaceActive(userId, false).expect(200);
    expect((await t.db.prisma.user.findUniqueOrThrow({ where: { id: userId } })).status).toBe("deactivated");
    await replaceActive(userId, true).expect(200);
    const row = await t.db.prisma.user.findUniqueOrThrow({ where: { id: userId } });
    expect(row.status).toBe("active");
  });

  test("when Okta pushes a group and adds members, then they are members", async () => {
    const userId = await givenOktaUser();
    const secondId = await givenOktaUser("bob.okta@acme.test", "Bob");
    const created = await okta.post("/Groups", { schemas: [GROUP], displayName: "Engineering", members: [] });
    expect(created.status).toBe(201);
    const groupId = created.body.id;
    await okta
      .patch(`/Groups/${groupId}`, {
        schemas: [PATCH_OP],
        Operations: [
          {
            op: "add",
            path: "members",
            value: [
              { value: userId, display: userName },
              { value: secondId, display: "bob.okta@acme.test" },
            ],
          },
        ],
      })
      .expect(204);
    expect(await memberIds(groupId)).toEqual([userId, secondId].sort());
  });

  test("when Okta renames the group with a no-path replace carrying the id, then only the name changes", async () => {
    const members = [await givenOktaUser(), await givenOktaUser("bob.okta@acme.test", "Bob")];
    const groupId = await givenGroup("Engineering", members);
    await okta
      .patch(`/Groups/${groupId}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: "replace", value: { id: groupId, displayName: "Engineering EU" } }],
      })
      .expect(204);
    const group = await okta.get(`/Groups/${groupId}`).expect(200);
    expect(group.body.displayName).toBe("Engineering EU");
    expect(await memberIds(groupId)).toEqual(members.sort());
  });

  test("when Okta removes one member by value filter, then only that member leaves", async () => {
    const userId = await givenOktaUser();
    const secondId = await givenOktaUser("bob.okta@acme.test", "Bob");
    const groupId = await givenGroup("Engineering EU", [userId, secondId]);
    await okta
      .patch(`/Groups/${groupId}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: "remove", path: `members[value eq "${secondId}"]` }],
      })
      .expect(204);
    expect(await memberIds(groupId)).toEqual([userId]);
  });

  test("when Okta deletes the group, then it is gone and its members stay", async () => {
    const userId = await givenOktaUser();
    const groupId = await givenGroup("Engineering EU", [userId]);
    await okta.del(`/Groups/${groupId}`).expect(204);
    await okta.get(`/Groups/${groupId}`).expect(404);
    await okta.get(`/Users/${userId}`).expect(200);
  });

  test("when Okta has run the whole conversation, then every change was audited under the token's name", async () => {
    const userId = await givenOktaUser();
    await okta.put(`/Users/${userId}`, { ...oktaUser(userName, "Annie"), id: userId }).expect(200);
    await replaceActive(userId, false).expect(200);
    await replaceActive(userId, true).expect(200);
    const groupId = await givenGroup("Engineering", []);
    await okta
      .patch(`/Groups/${groupId}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: "replace", value: { displayName: "EU" } }],
      })
      .expect(204);
    await okta.del(`/Groups/${groupId}`).expect(204);
    const events = await t.db.prisma.auditEvent.findMany({
      where: { orgId: okta.org.id, actorType: "scim_token" },
    });
    expect(new Set(events.map((e) => e.actorName))).toEqual(new Set(["Okta production"]));
    expect(events.map((e) => e.action)).toEqual(
      expect.arrayContaining([
        "user.created",
        "user.updated",
        "user.deactivated",
        "user.reactivated",
        "group.created",
        "group.updated",
        "group.deleted",
      ]),
    );
  });
});
