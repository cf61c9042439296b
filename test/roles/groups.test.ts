// GET /api/v1/orgs/{org}/groups through HTTP: source, member count, mapped role, pagination.
import request from "supertest";
import { createTestApp, type TestApp } from "../support/app";
import { rolesFixtures } from "./fixtures";

let t: TestApp;
let f: ReturnType<typeof rolesFixtures>;
beforeAll(async () => {
  t = await createTestApp();
  f = rolesFixtures(t);
});
afterAll(() => t.close());

describe("GET /groups", () => {
  test("when groups have members and rules, then each shows its source, member count and mapped role", async () => {
    const org = await t.given.org();
    const key = await t.given.apiKey(org);
    const objectId = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
    const admins = await f.group(org, "Portal Admins", objectId);
    const desk = await f.group(org, "Helpdesk", null, "manual");
    await f.group(org, "Okta Everyone", "00g1abcd", "sso");
    const [a, b] = [await f.scimUser(org), await f.scimUser(org)];
    await f.join(a, admins.id);
    await f.join(b, admins.id);
    await f.join(b, desk.id);
    // Signed in with the object id only: counted once for Portal Admins, through its externalId.
    await f.scimUser(org, { provisionedBy: "sso", ssoGroups: [objectId.toUpperCase(), "okta everyone"] });
    // Overage: the sign-in values are unknown and do not count.
    await f.scimUser(org, { provisionedBy: "sso", ssoGroups: ["Helpdesk"], ssoGroupsOverage: true });
    await request(t.app)
      .put(`/api/v1/orgs/${org.slug}/role-mappings`)
      .set("Authorization", `Bearer ${key}`)
      .send({
        defaultRole: "Viewer",
        rules: [
          { group: objectId, role: "Admin" },
          { group: "helpdesk", role: "Support" },
          { group: "Portal Admins", role: "Viewer" },
        ],
      })
      .expect(200);

    const res = await request(t.app)
      .get(`/api/v1/orgs/${org.slug}/groups`)
      .set("Authorization", `Bearer ${key}`)
      .expect(200);

    expect(res.body).toEqual({
      data: [
        {
          id: desk.id,
          displayName: "Helpdesk",
          externalId: null,
          source: "manual",
          memberCount: 1,
          role: "Support",
        },
        {
          id: expect.any(String),
          displayName: "Okta Everyone",
          externalId: "00g1abcd",
          source: "sso",
          memberCount: 1,
          role: null,
        },
        {
          id: admins.id,
          displayName: "Portal Admins",
          externalId: objectId,
          source: "scim",
          memberCount: 3,
          role: "Admin",
        },
      ],
      nextCursor: null,
    });
  });

  test("when there are more groups than the limit, then the cursor walks them all in name order once", async () => {
    const org = await t.given.org();
    const key = await t.given.apiKey(org);
    const names = ["delta", "Alpha", "charlie", "Bravo", "echo"];
    for (const n of names) await f.group(org, n);
    const seen: string[] = [];
    let cursor: string | null = "";
    let pages = 0;
    while (cursor !== null) {
      const res: request.Response = await request(t.app)
        .get(`/api/v1/orgs/${org.slug}/groups`)
        .query({ limit: 2, ...(cursor ? { cursor } : {}) })
        .set("Authorization", `Bearer ${key}`)
        .expect(200);
      seen.push(...res.body.data.map((g: { displayName: string }) => g.displayName));
      cursor = res.body.nextCursor;
      pages += 1;
    }
    expect(seen).toEqual(["Alpha", "Bravo", "charlie", "delta", "echo"]);
    expect(pages).toBe(3);
  });

  test("when the cursor was not issued by the API, then 400 names it", async () => {
    const org = await t.given.org();
    const key = await t.given.apiKey(org);
    const res = await request(t.app)
      .get(`/api/v1/orgs/${org.slug}/groups?cursor=bm9wZQ`)
      .set("Authorization", `Bearer ${key}`)
      .expect(400);
    expect(res.body.errors).toEqual([{ field: "cursor", message: expect.any(String) }]);
  });

  test("when a Viewer asks, then 403; groups of another org are never listed", async () => {
    const org = await t.given.org();
    const other = await t.given.org();
    await f.group(other, "Foreign");
    const viewer = await t.given.member(org, "Viewer");
    const admin = await t.given.member(org, "Admin");

    await request(t.app).get(`/api/v1/orgs/${org.slug}/groups`).set("Cookie", viewer.cookie).expect(403);
    const res = await request(t.app)
      .get(`/api/v1/orgs/${org.slug}/groups`)
      .set("Cookie", admin.cookie)
      .expect(200);

    expect(res.body.data).toEqual([]);
  });
});
