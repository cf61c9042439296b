// Issue 13 item 9 on SCIM: input that answered 500 (or was silently ignored) now answers 400 in
// SCIM's error format: huge startIndex/count, an invalid percent-encoding in an id, a NUL in a
// filter value or a body, a repeated query parameter; and issue 13 item 13: a body that is not
// JSON says which content type to send.
import request from "supertest";
import { createTestApp, type TestApp } from "../support/app";
import { GROUP, SCIM_JSON, newUser, scimClient, type ScimClient } from "./scim-client";

let t: TestApp;
let c: ScimClient;
beforeAll(async () => {
  t = await createTestApp();
  c = await scimClient(t);
  await c.post("/Users", newUser("first@acme.test")).expect(201);
  await c.post("/Groups", { schemas: [GROUP], displayName: "Crew" }).expect(201);
});
afterAll(() => t.close());

const scimError = (res: request.Response, scimType: string) => {
  expect(res.headers["content-type"]).toContain(SCIM_JSON);
  expect(res.body).toMatchObject({ status: String(res.status), scimType });
};

describe("startIndex and count of 99999999999999999999 or 1e20", () => {
  test.each([["/Users"], ["/Groups"]])(
    "when count is huge on %s, then it is clamped to the page size, not a 500",
    async (path) => {
      for (const count of ["99999999999999999999", "1e20"]) {
        const res = await c.get(`${path}?count=${count}`).expect(200);
        expect(res.body).toMatchObject({ totalResults: 1, itemsPerPage: 1, startIndex: 1 });
      }
    },
  );

  test.each([["/Users"], ["/Groups"]])(
    "when startIndex is huge on %s, then 400 invalidValue; at the largest allowed, an empty page",
    async (path) => {
      for (const startIndex of ["99999999999999999999", "1e20", "2147483648"]) {
        scimError(await c.get(`${path}?startIndex=${startIndex}`).expect(400), "invalidValue");
        scimError(await c.get(`${path}?startIndex=${startIndex}&filter=id pr`).expect(400), "invalidValue");
      }
      const last = await c.get(`${path}?startIndex=2147483647`).expect(200);
      expect(last.body).toMatchObject({ totalResults: 1, itemsPerPage: 0, Resources: [] });
      const filtered = await c.get(`${path}?startIndex=2147483647&filter=${encodeURIComponent("id pr")}`);
      expect(filtered.status).toBe(200);
      expect(filtered.body).toMatchObject({ totalResults: 1, itemsPerPage: 0, Resources: [] });
    },
  );
});

test.each([["/Users"], ["/Groups"]])(
  "when the id in %s/{id} has an invalid percent-encoding, then 400 in SCIM's format, not 500",
  async (path) => {
    for (const method of ["get", "put", "patch", "delete"] as const) {
      const agent = request(t.app);
      const res = await agent[method](`${c.base}${path}/%E0%A4%A`).set("Authorization", `Bearer ${c.token}`);
      expect(res.status).toBe(400);
      scimError(res, "invalidValue");
    }
  },
);

describe("NUL characters", () => {
  test("when a filter value holds a NUL (raw or escaped), then 400, before the database sees it", async () => {
    scimError(
      await c.get(`/Users?filter=${encodeURIComponent('userName eq "a\\u0000b"')}`).expect(400),
      "invalidFilter",
    );
    scimError(
      await c.get(`/Users?filter=${encodeURIComponent('title co "\\u0000"')}`).expect(400),
      "invalidFilter",
    );
    scimError(await c.get(`/Users?filter=userName%20eq%20%22a%00%22`).expect(400), "invalidValue");
  });

  test("when a body string holds a NUL, then 400 invalidValue and nothing is written", async () => {
    const before = await t.db.prisma.user.count({ where: { orgId: c.org.id } });
    scimError(await c.post("/Users", newUser("nul\u0000@acme.test")).expect(400), "invalidValue");
    scimError(
      await c.post("/Users", newUser("ok@acme.test", { title: "a\u0000" })).expect(400),
      "invalidValue",
    );
    scimError(
      await c.post("/Groups", { schemas: [GROUP], displayName: "\u0000" }).expect(400),
      "invalidValue",
    );
    expect(await t.db.prisma.user.count({ where: { orgId: c.org.id } })).toBe(before);
  });

  test("when a body holds a backslash followed by u0000 as text, then it is no NUL and is stored", async () => {
    const res = await c.post("/Users", newUser("text@acme.test", { title: "C:\\u0000" })).expect(201);
    expect(res.body.title).toBe("C:\\u0000");
  });
});

describe("a repeated single-valued query parameter", () => {
  test.each([
    ["/Users?filter=userName%20eq%20%22first%40acme.test%22&filter=userName%20eq%20%22x%22"],
    ["/Users?count=1&count=2"],
    ["/Groups?startIndex=1&startIndex=2"],
    ["/Users?attributes=userName&attributes=emails"],
  ])("when %s, then 400 invalidValue naming it, not one of them silently", async (path) => {
    const res = await c.get(path).expect(400);
    scimError(res, "invalidValue");
    expect(res.body.detail).toMatch(/given more than once/);
  });
});

describe("a body that is not JSON", () => {
  test("when a SCIM body is sent as a form or as text, then 415 naming application/scim+json", async () => {
    const body = JSON.stringify(newUser("form@acme.test"));
    for (const type of ["application/x-www-form-urlencoded", "text/plain"]) {
      const res = await request(t.app)
        .post(`${c.base}/Users`)
        .set("Authorization", `Bearer ${c.token}`)
        .set("Content-Type", type)
        .send(body)
        .expect(415);
      scimError(res, "invalidSyntax");
      expect(res.body.detail).toContain("application/scim+json");
    }
  });
});

test("when a POST .search body's filter is not a string, then 400 invalidFilter, not an unfiltered page", async () => {
  for (const filter of [['userName eq "x"'], 5, { userName: "x" }]) {
    const res = await c.post("/Users/.search", {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
      filter,
    });
    expect(res.status).toBe(400);
    scimError(res, "invalidFilter");
  }
});
