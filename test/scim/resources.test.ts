// The resource surface: discovery endpoints, pagination in a stable order with COUNT totals,
// attributes / excludedAttributes, group uniqueness and PUT, 404s and malformed bodies, all
// as application/scim+json with SCIM error bodies.
import request from "supertest";
import { createTestApp, type TestApp } from "../support/app";
import { backendsWaitingOnLock, testDbKind } from "../support/db";
import { ENTERPRISE, GROUP, USER, newUser, scimClient, type ScimClient } from "./scim-client";

let t: TestApp;
let c: ScimClient;
const users: string[] = [];
beforeAll(async () => {
  t = await createTestApp();
  c = await scimClient(t);
  for (let i = 0; i < 5; i++) {
    users.push(
      (await c.post("/Users", newUser(`page${i}@acme.test`, { title: `T${i}` })).expect(201)).body.id,
    );
  }
});
afterAll(() => t.close());

describe("discovery", () => {
  test("when ServiceProviderConfig is read, then it advertises patch, filter with its page size, and ETags", async () => {
    const res = await c.get("/ServiceProviderConfig").expect(200);
    expect(res.headers["content-type"]).toMatch(/^application\/scim\+json/);
    expect(res.body).toMatchObject({
      patch: { supported: true },
      filter: { supported: true, maxResults: 1000 },
      etag: { supported: true },
      bulk: { supported: false },
      authenticationSchemes: [expect.objectContaining({ type: "oauthbearertoken" })],
    });
  });

  test("when ResourceTypes and Schemas are read, then User (with the enterprise extension) and Group are described", async () => {
    const types = await c.get("/ResourceTypes").expect(200);
    expect(types.body.Resources.map((r: { id: string }) => r.id)).toEqual(["User", "Group"]);
    expect(types.body.Resources[0].schemaExtensions).toEqual([{ schema: ENTERPRISE, required: false }]);
    await c.get("/ResourceTypes/Group").expect(200);
    const schemas = await c.get("/Schemas").expect(200);
    expect(schemas.body.Resources.map((s: { id: string }) => s.id)).toEqual([USER, ENTERPRISE, GROUP]);
    const user = await c.get(`/Schemas/${USER}`).expect(200);
    expect(user.body.attributes.find((a: { name: string }) => a.name === "userName")).toMatchObject({
      caseExact: false,
      uniqueness: "server",
    });
    await c.get("/Schemas/urn:nope").expect(404);
  });
});

describe("pagination", () => {
  test("when pages are read with startIndex and count, then the order is stable and totalResults counts all", async () => {
    const p1 = await c.get("/Users?startIndex=1&count=2").expect(200);
    const p2 = await c.get("/Users?startIndex=3&count=2").expect(200);
    const p3 = await c.get("/Users?startIndex=5&count=2").expect(200);
    expect([p1, p2, p3].map((p) => p.body.totalResults)).toEqual([5, 5, 5]);
    expect([p1, p2, p3].map((p) => p.body.itemsPerPage)).toEqual([2, 2, 1]);
    expect([p1, p2, p3].flatMap((p) => p.body.Resources.map((r: { id: string }) => r.id))).toEqual(users);
    expect(p2.body.startIndex).toBe(3);
  });

  test("when count is 0, then only the total comes back; when startIndex is below 1, then it is 1", async () => {
    const none = await c.get("/Users?count=0").expect(200);
    expect(none.body).toMatchObject({ totalResults: 5, itemsPerPage: 0, Resources: [] });
    const low = await c.get("/Users?startIndex=0&count=1").expect(200);
    expect(low.body.Resources[0].id).toBe(users[0]);
  });

  test("when a query is POSTed to /Users/.search, then it answers like the GET", async () => {
    const res = await c
      .post("/Users/.search", {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        filter: 'userName sw "PAGE"',
        attributes: ["userName"],
        startIndex: 2,
        count: 2,
      })
      .expect(200);
    expect(res.body).toMatchObject({ totalResults: 5, startIndex: 2, itemsPerPage: 2 });
    expect(res.body.Resources.map((r: { id: string }) => r.id)).toEqual(users.slice(1, 3));
    expect(Object.keys(res.body.Resources[0]).sort()).toEqual(["id", "schemas", "userName"]);
  });

  test("when count is not a number, then 400 invalidValue", async () => {
    const res = await c.get("/Users?count=many").expect(400);
    expect(res.body.scimType).toBe("invalidValue");
  });
});

describe("attributes and excludedAttributes", () => {
  test("when attributes names some, then only those (and id, schemas) are returned", async () => {
    const res = await c.get(`/Users/${users[0]}?attributes=userName,name.givenName`).expect(200);
    expect(Object.keys(res.body).sort()).toEqual(["id", "name", "schemas", "userName"]);
    expect(res.body.name).toEqual({ givenName: "Given" });
  });

  test("when excludedAttributes names some, then those are left out of every list item", async () => {
    const res = await c.get("/Users?excludedAttributes=emails,name.familyName,groups").expect(200);
    for (const u of res.body.Resources) {
      expect(u.emails).toBeUndefined();
      expect(u.groups).toBeUndefined();
      expect(u.name).toEqual({ givenName: "Given" });
      expect(u.userName).toBeDefined();
    }
  });

  test("when a group is read with excludedAttributes=members, then it has no members key; without, it lists them", async () => {
    const g = await c.post("/Groups", {
      schemas: [GROUP],
      displayName: "Big",
      members: users.map((value) => ({ value })),
    });
    expect(g.status).toBe(201);
    const lean = await c.get(`/Groups/${g.body.id}?excludedAttributes=members`).expect(200);
    expect(lean.body).not.toHaveProperty("members");
    expect(lean.body.meta.version).toBe('W/"1"');
    const full = await c.get(`/Groups/${g.body.id}`).expect(200);
    expect(full.body.members).toHaveLength(5);
  });

  // Observed through the database, not by spying on the client: with group_memberships locked
  // by another transaction, a read that touches it waits (PostgreSQL shows it waiting on the
  // lock), a read that does not answers. PGlite has one connection, where a lock blocks nobody.
  const onPostgres = testDbKind() === "postgres" ? test : test.skip;
  onPostgres(
    "when group_memberships is locked, then groups read with excludedAttributes=members still answer, and a read with members waits",
    async () => {
      const holder = await t.db.raw();
      await holder.exec("BEGIN; LOCK TABLE group_memberships IN ACCESS EXCLUSIVE MODE");
      /** The status, or "waits on the lock" once PostgreSQL shows the request's statement waiting. */
      const outcome = async (answer: Promise<number>): Promise<number | "waits on the lock"> => {
        for (;;) {
          const done = await Promise.race([answer, new Promise<null>((r) => setImmediate(() => r(null)))]);
          if (done !== null) return done;
          if ((await backendsWaitingOnLock(holder)) > 0) return "waits on the lock";
        }
      };
      const status = (req: request.Test) => req.then((r) => r.status);
      let withMembers: Promise<number> | undefined;
      try {
        expect(await outcome(status(c.get("/Groups?excludedAttributes=members")))).toBe(200);
        const byName = `/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "Big"')}`;
        expect(await outcome(status(c.get(byName)))).toBe(200);
        withMembers = status(c.get("/Groups"));
        expect(await outcome(withMembers)).toBe("waits on the lock");
      } finally {
        await holder.exec("COMMIT");
        await holder.release();
      }
      expect(await withMembers).toBe(200);
    },
  );
});

describe("groups", () => {
  test("when a second group has the same displayName in another letter case, then 409 uniqueness", async () => {
    await c.post("/Groups", { schemas: [GROUP], displayName: "Finance" }).expect(201);
    const res = await c.post("/Groups", { schemas: [GROUP], displayName: "FINANCE" }).expect(409);
    expect(res.body.scimType).toBe("uniqueness");
    const other = (await c.post("/Groups", { schemas: [GROUP], displayName: "Legal" }).expect(201)).body.id;
    const rename = await c.put(`/Groups/${other}`, { schemas: [GROUP], displayName: "finance" }).expect(409);
    expect(rename.body.scimType).toBe("uniqueness");
  });

  test("when a group is PUT, then name and members are replaced", async () => {
    const id = (
      await c
        .post("/Groups", { schemas: [GROUP], displayName: "Swap", members: [{ value: users[0] }] })
        .expect(201)
    ).body.id;
    const res = await c
      .put(`/Groups/${id}`, {
        schemas: [GROUP],
        displayName: "Swapped",
        members: [{ value: users[1] }, { value: users[2] }],
      })
      .expect(200);
    expect(res.body.displayName).toBe("Swapped");
    expect(res.body.members.map((m: { value: string }) => m.value).sort()).toEqual(
      [users[1], users[2]].sort(),
    );
  });

  test("when a group is created without a displayName, then 400 invalidValue", async () => {
    const res = await c.post("/Groups", { schemas: [GROUP], members: [] }).expect(400);
    expect(res.body.scimType).toBe("invalidValue");
  });
});

describe("errors", () => {
  test("when an unknown id or path is asked for, then 404 SCIM errors", async () => {
    for (const path of [
      "/Users/3b7c1c9e-5a43-4d0a-9a51-0d2b7a1f0c11",
      "/Groups/3b7c1c9e-5a43-4d0a-9a51-0d2b7a1f0c11",
      "/Groups/nope",
      "/Nope",
    ]) {
      const res = await c.get(path).expect(404);
      expect(res.body).toMatchObject({
        schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
        status: "404",
      });
    }
  });

  test("when the body is not JSON, then 400 invalidSyntax in the SCIM format", async () => {
    const res = await request(t.app)
      .post(`${c.base}/Users`)
      .set("Authorization", `Bearer ${c.token}`)
      .set("Content-Type", "application/scim+json")
      .send("{not json");
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ scimType: "invalidSyntax", status: "400" });
  });

  test("when a PUT replaces a user, then attributes left out are cleared and the userName must stay unique", async () => {
    const id = users[4]!;
    const res = await c
      .put(`/Users/${id}`, newUser("page4@acme.test", { name: { givenName: "Only" } }))
      .expect(200);
    expect(res.body.title).toBeUndefined();
    expect(res.body.name).toEqual({ givenName: "Only" });
    const clash = await c.put(`/Users/${id}`, newUser("PAGE0@acme.test")).expect(409);
    expect(clash.body.scimType).toBe("uniqueness");
  });
});
