// Microsoft Entra ID's provisioning service, scripted from "Develop and plan provisioning for a
// SCIM endpoint" and the quirks of its SCIM validator: the connection test with a random
// filter value, create with the enterprise extension, `externalId eq` lookup, capitalised ops,
// booleans as "False"/"True" strings, an `Add` on emails[type eq "work"].value, the manager as
// a bare id, group lookup with excludedAttributes=members, member batches, and the pre-2020
// member removal shape. Requests carry application/json, as Entra's do.
// Each step starts from its own organization and the state it needs (written through SCIM as
// Entra would have left it), so any step runs alone and one failure does not cascade.
import { randomUUID } from "node:crypto";
import request from "supertest";
import { createTestApp, type TestApp } from "../support/app";
import { ENTERPRISE, GROUP, PATCH_OP, USER, scimClient, type ScimClient } from "./scim-client";

let t: TestApp;
let entra: ScimClient;
beforeAll(async () => {
  t = await createTestApp();
});
beforeEach(async () => {
  entra = await scimClient(t, { plan: "enterprise" }, "Entra ID");
});
afterAll(() => t.close());

const asJson = (method: "post" | "patch", path: string, body: unknown) => {
  const agent = request(t.app);
  const req = method === "post" ? agent.post(entra.base + path) : agent.patch(entra.base + path);
  return req
    .set("Authorization", `Bearer ${entra.token}`)
    .set("Content-Type", "application/json")
    .send(JSON.stringify(body));
};

const entraUser = (upn: string, objectId: string, extra: Record<string, unknown> = {}) => ({
  schemas: [USER, ENTERPRISE],
  externalId: objectId,
  userName: upn,
  active: true,
  emails: [{ primary: true, type: "work", value: upn }],
  meta: { resourceType: "User" },
  name: { formatted: "Ryan Leenay", familyName: "Leenay", givenName: "Ryan" },
  roles: [],
  [ENTERPRISE]: { employeeNumber: "701984", department: "Sales" },
  ...extra,
});

const upn = "Test_User_ab6490ee@contoso.test";

/** Given: a user Entra created (answers its id). */
const givenEntraUser = async (name: string, objectId: string = randomUUID()): Promise<string> =>
  (await asJson("post", "/Users", entraUser(name, objectId)).expect(201)).body.id;

/** Given: a group Entra created with these members (answers its id). */
const givenGroup = async (displayName: string, members: string[]): Promise<string> =>
  (
    await asJson("post", "/Groups", {
      schemas: [GROUP],
      externalId: randomUUID(),
      displayName,
      members: members.map((value) => ({ value })),
    }).expect(201)
  ).body.id;

const givenMembers = async (n: number): Promise<string[]> => {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(await givenEntraUser(`member${i}@contoso.test`));
  return ids;
};

describe("Microsoft Entra ID conversation", () => {
  test("when Entra tests the connection with a random filter value, then 200 with totalResults 0", async () => {
    await givenEntraUser(upn);
    for (const filter of [
      `userName eq "${randomUUID()}"`,
      `externalId eq "${randomUUID()}"`,
      `id eq "${randomUUID()}"`,
    ]) {
      const res = await entra.get(`/Users?filter=${encodeURIComponent(filter)}`).expect(200);
      expect(res.body).toMatchObject({ totalResults: 0, Resources: [] });
    }
    const groups = await entra.get(
      `/Groups?excludedAttributes=members&filter=${encodeURIComponent(`displayName eq "${randomUUID()}"`)}`,
    );
    expect(groups.status).toBe(200);
    expect(groups.body.totalResults).toBe(0);
  });

  test("when Entra creates a user with the enterprise extension, then both schemas come back", async () => {
    const objectId = randomUUID();
    const res = await asJson("post", "/Users", entraUser(upn, objectId)).expect(201);
    expect(res.body.schemas).toEqual([USER, ENTERPRISE]);
    expect(res.body[ENTERPRISE]).toMatchObject({ employeeNumber: "701984", department: "Sales" });
    expect(res.body.name.formatted).toBe("Ryan Leenay");
    expect(res.body.externalId).toBe(objectId);
  });

  test("when Entra looks the user up by externalId, then it finds the user", async () => {
    const objectId = randomUUID();
    const userId = await givenEntraUser(upn, objectId);
    await givenEntraUser("other@contoso.test");
    const res = await entra
      .get(`/Users?filter=${encodeURIComponent(`externalId eq "${objectId}"`)}`)
      .expect(200);
    expect(res.body.totalResults).toBe(1);
    expect(res.body.Resources[0].id).toBe(userId);
  });

  test("when Entra sends capitalised Replace and Add ops with a value-path email, then all apply", async () => {
    const userId = await givenEntraUser(upn);
    const managerId = await givenEntraUser("boss@contoso.test");
    const res = await asJson("patch", `/Users/${userId}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: "Replace", path: "name.familyName", value: "updatedFamilyName" },
        { op: "Add", path: 'emails[type eq "work"].value', value: "ryan.updated@contoso.test" },
        { op: "Add", path: `${ENTERPRISE}:manager`, value: managerId },
        { op: "Replace", path: `${ENTERPRISE}:department`, value: "Marketing" },
      ],
    }).expect(200);
    expect(res.body.name.familyName).toBe("updatedFamilyName");
    expect(res.body.emails).toEqual([{ value: "ryan.updated@contoso.test", type: "work", primary: true }]);
    expect(res.body[ENTERPRISE].manager.value).toBe(managerId);
    expect(res.body[ENTERPRISE].department).toBe("Marketing");
    const row = await t.db.prisma.user.findUniqueOrThrow({ where: { id: userId } });
    expect(row).toMatchObject({ email: "ryan.updated@contoso.test", managerId });
  });

  test('when Entra disables the user with "False", then the user is deactivated; "True" brings them back', async () => {
    const userId = await givenEntraUser(upn);
    const off = await asJson("patch", `/Users/${userId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "Replace", path: "active", value: "False" }],
    }).expect(200);
    expect(off.body.active).toBe(false);
    const on = await asJson("patch", `/Users/${userId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "Replace", path: "active", value: "True" }],
    }).expect(200);
    expect(on.body.active).toBe(true);
  });

  test("when Entra creates a group and adds members in batches, then all of them are members", async () => {
    const members = await givenMembers(6);
    const created = await asJson("post", "/Groups", {
      schemas: [GROUP],
      externalId: randomUUID(),
      displayName: "Sales EMEA",
      members: [],
      meta: { resourceType: "Group" },
    }).expect(201);
    const groupId = created.body.id;
    for (const batch of [members.slice(0, 3), members.slice(3)]) {
      await asJson("patch", `/Groups/${groupId}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: "Add", path: "members", value: batch.map((value) => ({ value })) }],
      }).expect(204);
    }
    const lookup = await entra
      .get(`/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "sales emea"')}`)
      .expect(200);
    expect(lookup.body.totalResults).toBe(1);
    expect(lookup.body.Resources[0].members).toBeUndefined();
    const full = await entra.get(`/Groups/${groupId}`).expect(200);
    expect(full.body.members).toHaveLength(6);
  });

  test("when Entra checks membership with id and members filters, then it answers per member", async () => {
    const [member, outsider] = await givenMembers(2);
    const groupId = await givenGroup("Sales EMEA", [member!]);
    const filter = (user: string) => encodeURIComponent(`id eq "${groupId}" and members[value eq "${user}"]`);
    const yes = await entra.get(`/Groups?excludedAttributes=members&filter=${filter(member!)}`).expect(200);
    expect(yes.body.totalResults).toBe(1);
    const no = await entra.get(`/Groups?excludedAttributes=members&filter=${filter(outsider!)}`).expect(200);
    expect(no.body.totalResults).toBe(0);
  });

  test("when Entra removes members with the pre-2020 shape, then only the listed members leave", async () => {
    const members = await givenMembers(6);
    const groupId = await givenGroup("Sales EMEA", members);
    await asJson("patch", `/Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "Remove", path: "members", value: [{ value: members[0] }, { value: members[1] }] }],
    }).expect(204);
    const full = await entra.get(`/Groups/${groupId}`).expect(200);
    expect(full.body.members.map((m: { value: string }) => m.value).sort()).toEqual(members.slice(2).sort());
  });

  test("when Entra renames the group with a capitalised Replace on displayName, then the name changes", async () => {
    const groupId = await givenGroup("Sales EMEA", await givenMembers(1));
    await asJson("patch", `/Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "Replace", path: "displayName", value: "Sales Europe" }],
    }).expect(204);
    expect(
      (await entra.get(`/Groups/${groupId}?excludedAttributes=members`).expect(200)).body.displayName,
    ).toBe("Sales Europe");
  });

  test("when Entra deletes the user, then it is gone and a later lookup finds nothing", async () => {
    const objectId = randomUUID();
    const userId = await givenEntraUser(upn, objectId);
    await entra.del(`/Users/${userId}`).expect(204);
    await entra.get(`/Users/${userId}`).expect(404);
    const res = await entra
      .get(`/Users?filter=${encodeURIComponent(`externalId eq "${objectId}"`)}`)
      .expect(200);
    expect(res.body.totalResults).toBe(0);
  });
});
