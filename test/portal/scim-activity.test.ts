// GET /api/v1/orgs/{org}/scim-activity: when the IdP last called, what it changed over 24 hours
// (from the audit log) and the latest SCIM error answers (status, type, detail, request id,
// route template; never the token or a body), kept to the latest 100 per organization.
import request from "supertest";
import { createTestApp, type TestApp } from "../support/app";
import { KEEP_SCIM_ERRORS } from "../../src/scim/activity/record-error";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const scim = (slug: string, token: string) => ({
  post: (p: string, body: object) =>
    request(t.app)
      .post(`/scim/v2/${slug}${p}`)
      .set("Authorization", `Bearer ${token}`)
      .type("application/scim+json")
      .send(body),
  patch: (p: string, body: object) =>
    request(t.app)
      .patch(`/scim/v2/${slug}${p}`)
      .set("Authorization", `Bearer ${token}`)
      .type("application/scim+json")
      .send(body),
  get: (p: string) => request(t.app).get(`/scim/v2/${slug}${p}`).set("Authorization", `Bearer ${token}`),
});

const user = (userName: string) => ({
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
  userName,
  name: { givenName: "A", familyName: "B" },
  emails: [{ value: userName, primary: true }],
  active: true,
});
const deactivate = {
  schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
  Operations: [{ op: "replace", value: { active: false } }],
};

async function errorsOf(orgId: string, n: number) {
  // Error answers are filed after they are sent.
  for (let i = 0; i < 100; i++) {
    if ((await t.db.prisma.scimError.count({ where: { orgId } })) >= n) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("SCIM activity", () => {
  test("when the IdP creates, deactivates and gets a 409, then the activity shows the last call, the 24-hour counts and the error with its request id", async () => {
    const org = await t.given.org();
    const token = await t.given.scimToken(org);
    const key = await t.given.apiKey(org);
    const s = scim(org.slug, token);
    const a = await s.post("/Users", user("a@acme.test")).expect(201);
    await s.post("/Users", user("b@acme.test")).expect(201);
    await s.patch(`/Users/${a.body.id}`, deactivate).expect(200);
    const dup = await s.post("/Users", user("a@acme.test")).expect(409);
    await errorsOf(org.id, 1);

    const res = await request(t.app)
      .get(`/api/v1/orgs/${org.slug}/scim-activity`)
      .set("Authorization", `Bearer ${key}`)
      .expect(200);
    expect(res.body.counts).toEqual({ creates: 2, updates: 0, deactivations: 1, deletions: 0, errors: 1 });
    expect(Date.now() - Date.parse(res.body.lastCallAt)).toBeLessThan(60_000);
    expect(res.body.latestErrors).toEqual([
      {
        at: expect.any(String),
        status: 409,
        scimType: "uniqueness",
        detail: dup.body.detail,
        method: "POST",
        path: "/scim/v2/{org}/Users",
        requestId: dup.headers["x-request-id"],
      },
    ]);
    expect(JSON.stringify(res.body)).not.toContain(token);
  });

  test("when an error names a resource, then the path is the route template, and only the latest errors are kept", async () => {
    const org = await t.given.org();
    const token = await t.given.scimToken(org);
    const s = scim(org.slug, token);
    let lastRequestId = "";
    for (let i = 0; i < KEEP_SCIM_ERRORS + 3; i++) {
      const res = await s.get("/Users/00000000-0000-4000-8000-000000000000").expect(404);
      lastRequestId = String(res.headers["x-request-id"]);
    }
    await errorsOf(org.id, KEEP_SCIM_ERRORS);
    // Errors are filed after each answer, one write at a time: the final state is the last
    // request's row written and its prune done (no write comes after it).
    const settled = async () =>
      (await t.db.prisma.scimError.count({ where: { orgId: org.id, requestId: lastRequestId } })) === 1 &&
      (await t.db.prisma.scimError.count({ where: { orgId: org.id } })) === KEEP_SCIM_ERRORS;
    for (let i = 0; i < 500 && !(await settled()); i++) await new Promise((r) => setTimeout(r, 20));
    expect(await t.db.prisma.scimError.count({ where: { orgId: org.id } })).toBe(KEEP_SCIM_ERRORS);
    const latest = await t.db.prisma.scimError.findFirstOrThrow({ where: { orgId: org.id } });
    expect(latest).toMatchObject({ status: 404, method: "GET", path: "/scim/v2/{org}/Users/:id" });
  });

  test("when a request succeeds, then nothing is filed", async () => {
    const org = await t.given.org();
    const token = await t.given.scimToken(org);
    await scim(org.slug, token).get("/Users").expect(200);
    await new Promise((r) => setTimeout(r, 50));
    expect(await t.db.prisma.scimError.count({ where: { orgId: org.id } })).toBe(0);
  });
});
