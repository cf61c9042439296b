// Issue 13 items 9 and 13 on the admin API, sign-in and SSO pages: input that answered 500, was
// silently ignored or was answered with a misleading message. The admin API answers
// problem+json with `errors`, browser pages a readable HTML page.
import request from "supertest";
import type { Organization } from "../../src/generated/prisma/client";
import { createTestApp, type TestApp } from "../support/app";

let t: TestApp;
let org: Organization;
let key = "";
beforeAll(async () => {
  t = await createTestApp();
  org = await t.given.org({ plan: "enterprise" });
  key = await t.given.apiKey(org);
});
afterAll(() => t.close());

const api = (method: "get" | "put" | "post" | "patch" | "delete", path: string) =>
  request(t.app)[method](`/api/v1/orgs/${org.slug}${path}`).set("Authorization", `Bearer ${key}`);

const problem = (res: request.Response, status: number, field?: string) => {
  expect(res.status).toBe(status);
  expect(res.headers["content-type"]).toContain("application/problem+json");
  expect(res.body).toMatchObject({ status, code: expect.any(String) });
  if (field) expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
};

describe("an invalid percent-encoding in a path", () => {
  test("when /api/v1/orgs/{org}/users/%E0%A4%A is read or changed, then 400 problem+json, not 500", async () => {
    for (const method of ["get", "patch", "delete"] as const)
      problem(await api(method, "/users/%E0%A4%A"), 400);
    problem(await api("post", "/users/%E0%A4%A/deactivate"), 400);
    problem(
      await request(t.app).get("/api/v1/orgs/%E0%A4%A/settings").set("Authorization", `Bearer ${key}`),
      400,
    );
  });

  test("when /sso/{org} or an /auth page has one, then a readable HTML page with status 400", async () => {
    for (const path of ["/sso/%E0%A4%A/login", "/auth/invitations/%E0%A4%A"]) {
      const res = await request(t.app).get(path).expect(400);
      expect(res.headers["content-type"]).toContain("text/html");
      expect(res.text).toContain("percent-encoding");
      expect(res.text).toContain("Request id");
    }
  });
});

describe("NUL characters", () => {
  test("when the login's org or email holds a NUL, then 400 problem+json naming the body", async () => {
    for (const body of [
      { org: "ac\u0000me", email: "a@b.test", password: "x" },
      { org: org.slug, email: "a\u0000@b.test", password: "x" },
    ])
      problem(await request(t.app).post("/auth/login").send(body), 400, "(body)");
  });

  test("when a slug in the path holds a NUL, then 400, before the database sees it", async () => {
    problem(
      await request(t.app).get("/api/v1/orgs/ac%00me/settings").set("Authorization", `Bearer ${key}`),
      400,
      "path",
    );
    const page = await request(t.app).get("/sso/ac%00me/saml/metadata").expect(400);
    expect(page.headers["content-type"]).toContain("text/html");
  });

  test("when an admin API body string holds a NUL, then 400 and nothing changes", async () => {
    problem(await api("patch", "/settings").send({ name: "Acme\u0000" }), 400, "(body)");
    expect((await t.db.prisma.organization.findUniqueOrThrow({ where: { id: org.id } })).name).toBe(org.name);
  });
});

describe("cursors and repeated parameters", () => {
  test("when an audit cursor's number overflows, then 400 naming the cursor, not 500", async () => {
    for (const seq of ["99999999999999999999", "9223372036854775808"]) {
      const cursor = Buffer.from(JSON.stringify({ seq })).toString("base64url");
      problem(await api("get", `/audit-events?cursor=${cursor}`), 400, "cursor");
    }
    const largest = Buffer.from(JSON.stringify({ seq: "9223372036854775807" })).toString("base64url");
    expect((await api("get", `/audit-events?cursor=${largest}`)).status).toBe(200);
  });

  test("when a cursor decodes to text holding a NUL, then 400 naming the cursor", async () => {
    const cursor = Buffer.from(
      JSON.stringify({ n: "a\u0000", id: "00000000-0000-4000-8000-000000000000" }),
    ).toString("base64url");
    problem(await api("get", `/groups?cursor=${cursor}`), 400, "cursor");
  });

  test.each([
    ["/users?limit=1&limit=2"],
    ["/audit-events?cursor=a&cursor=b"],
    ["/users?status=active&status=invited"],
  ])(
    "when a single-valued parameter is repeated (%s), then 400 naming it, not one of them silently",
    async (path) => {
      const res = await api("get", path);
      problem(res, 400, path.split("?")[1]!.split("=")[0]);
      expect(res.body.errors[0].message).toMatch(/given more than once/);
    },
  );
});

describe("request bodies (issue 13 item 13)", () => {
  const mappings = JSON.stringify({ defaultRole: "Viewer", rules: [] });

  test("when a JSON body is sent without Content-Type: application/json, then 415 saying which type to send", async () => {
    for (const type of ["application/x-www-form-urlencoded", "text/plain"]) {
      const res = await api("put", "/role-mappings").set("Content-Type", type).send(mappings);
      problem(res, 415);
      expect(res.body.detail).toContain("Content-Type: application/json");
      expect(res.body.detail).not.toContain("Unrecognized key");
    }
    await api("put", "/role-mappings").set("Content-Type", "application/json").send(mappings).expect(200);
  });

  test("when a required field is missing, then its message says required, not what values it takes", async () => {
    const res = await api("put", "/role-mappings").send({ rules: [{ group: "ops" }] });
    problem(res, 400);
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        { field: "defaultRole", message: "required" },
        { field: "rules.0.role", message: "required" },
      ]),
    );
    const noRules = await api("put", "/role-mappings").send({ defaultRole: null });
    expect(noRules.body.errors).toEqual([{ field: "rules", message: "required" }]);
    const wrong = await api("put", "/role-mappings").send({ defaultRole: "Owner", rules: [] });
    expect(wrong.body.errors).toEqual([
      { field: "defaultRole", message: "must be Admin, Support, Viewer or null" },
    ]);
  });
});
