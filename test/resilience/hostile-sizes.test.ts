// Issue 17 point 6, targeted cases: 10 MB bodies, JSON nested 20,000 deep, 100 KB filters and
// Unicode look-alikes, on every surface. Each: no 5xx, the surface's error format, nothing
// changed, and the server still serves the next request.
import request from "supertest";
import { createTestApp, type TestApp } from "../support/app";
import { checkCase, expectWellFormed, type Surface } from "../support/fuzz";
import { GROUP, PATCH_OP, SCIM_JSON, USER, newUser, scimClient, type ScimClient } from "../scim/scim-client";

let t: TestApp;
let c: ScimClient;
let apiKey = "";
let userId = "";

beforeAll(async () => {
  t = await createTestApp();
  c = await scimClient(t);
  apiKey = await t.given.apiKey(c.org);
  userId = (await c.post("/Users", newUser("alice@acme.test")).expect(201)).body.id;
});
afterAll(() => t.close());

const TEN_MB = 10 * 1024 * 1024;
const DEPTH = 20_000;
const deepArray = "[".repeat(DEPTH) + "]".repeat(DEPTH);
const deepObject = '{"a":'.repeat(DEPTH) + "1" + "}".repeat(DEPTH);

/** A raw body to a path: SCIM with its token and type, /api with the API key, others as given. */
function raw(method: "post" | "put" | "patch", path: string, body: string, type: string) {
  let r = request(t.app)[method](path).set("Content-Type", type);
  if (path.startsWith("/scim")) r = r.set("Authorization", `Bearer ${c.token}`);
  if (path.startsWith("/api")) r = r.set("Authorization", `Bearer ${apiKey}`);
  return r.send(body);
}

const stillServing = async () => {
  await c.get(`/Users/${userId}`).expect(200);
};

const targets = (): [string, "post" | "put" | "patch", string, string, Surface][] => [
  ["SCIM create", "post", `${c.base}/Users`, SCIM_JSON, "scim"],
  ["SCIM patch", "patch", `${c.base}/Users/${userId}`, SCIM_JSON, "scim"],
  ["SCIM search", "post", `${c.base}/Users/.search`, SCIM_JSON, "scim"],
  ["API invitations", "post", `/api/v1/orgs/${c.org.slug}/invitations`, "application/json", "api"],
  ["API role mappings", "put", `/api/v1/orgs/${c.org.slug}/role-mappings`, "application/json", "api"],
  ["local sign-in", "post", "/auth/login", "application/json", "api"],
];

test("when a 10 MB body reaches any surface, then 413 in the surface's format and the server keeps serving", async () => {
  const big = JSON.stringify({ schemas: [USER], userName: "big@acme.test", x: "a".repeat(TEN_MB) });
  for (const [name, method, path, type, surface] of targets()) {
    const res = await checkCase(t.db, `${name} 10 MB`, surface, () => raw(method, path, big, type));
    expect({ name, status: res.status }).toEqual({ name, status: 413 });
  }
  const form = `SAMLResponse=${"A".repeat(TEN_MB)}`;
  const acs = await checkCase(t.db, "ACS 10 MB", "html", () =>
    raw("post", `/sso/${c.org.slug}/saml/acs`, form, "application/x-www-form-urlencoded"),
  );
  expect(acs.status).toBe(413);
  await stillServing();
});

test("when JSON nested 20,000 deep is sent as a whole body or inside one, then a refusal in the surface's format, and nothing that deep is stored", async () => {
  for (const [name, method, path, type, surface] of targets()) {
    for (const [shape, body] of [
      ["array", deepArray],
      ["object", deepObject],
      ["inside a field", `{"schemas":["${USER}"],"userName":"deep@acme.test","name":${deepObject}}`],
      [
        "as a PATCH value",
        `{"schemas":["${PATCH_OP}"],"Operations":[{"op":"add","path":"members","value":${deepArray}}]}`,
      ],
    ]) {
      const res = await checkCase(t.db, `${name} ${shape}`, surface, () =>
        raw(method, path, body as string, type),
      );
      // A whole body that deep is refused (an object to /.search is a search request whose
      // unknown fields are ignored); inside a field, an unknown sub-attribute may be
      // ignored (as any unknown attribute is), but never stored.
      if (shape === "array" || (shape === "object" && name !== "SCIM search"))
        expect({ name, shape, refused: res.status >= 400 }).toEqual({ name, shape, refused: true });
    }
  }
  const [largest] = await t.db.prisma.$queryRaw<{ n: number }[]>`
    SELECT coalesce(max(length(u::text)), 0)::int AS n FROM users u`;
  expect(largest!.n).toBeLessThan(10_000);
  const groupPatch = await checkCase(t.db, "group patch deep", "scim", () =>
    raw(
      "post",
      `${c.base}/Groups`,
      `{"schemas":["${GROUP}"],"displayName":"Deep","members":${deepArray}}`,
      SCIM_JSON,
    ),
  );
  expect(groupPatch.status).toBeGreaterThanOrEqual(400);
  await stillServing();
});

test("when POST /.search gets an array, a string or a number as its body, then 400 invalidSyntax, not an unfiltered page", async () => {
  for (const body of ["[]", '["userName eq \\"x\\""]', '"filter"', "5", "null"]) {
    const res = await checkCase(t.db, `search body ${body}`, "scim", () =>
      raw("post", `${c.base}/Users/.search`, body, SCIM_JSON),
    );
    expect({ body, status: res.status, scimType: res.body.scimType }).toEqual({
      body,
      status: 400,
      scimType: "invalidSyntax",
    });
  }
  await c.post("/Users/.search", {}).expect(200);
});

describe("100 KB filters", () => {
  const filters: [string, string][] = [
    ["one long value", `userName eq "${"a".repeat(100_000)}"`],
    ["or chain", Array.from({ length: 4000 }, (_, i) => `userName eq "u${i}@acme.test"`).join(" or ")],
    ["and chain", Array.from({ length: 4000 }, (_, i) => `userName ne "u${i}@acme.test"`).join(" and ")],
    ["nested parentheses", `${"(".repeat(50_000)}userName pr${")".repeat(50_000)}`],
    ["nested not", `${"not (".repeat(16_000)}userName pr${")".repeat(16_000)}`],
    ["nested value paths", `${"emails[".repeat(20_000)}value pr${"]".repeat(20_000)}`],
  ];

  test.each(filters)(
    "when a 100 KB filter (%s) is sent to POST /.search, then an answer or a SCIM error, never 5xx",
    async (name, filter) => {
      expect(filter.length).toBeGreaterThan(60_000);
      await checkCase(t.db, `search ${name}`, "scim", () =>
        raw("post", `${c.base}/Users/.search`, JSON.stringify({ filter }), SCIM_JSON),
      );
      await stillServing();
    },
  );

  test("when a 100 KB filter is sent in the URL, then Node refuses the oversized request line (431) and the server keeps serving", async () => {
    const res = await c.get(`/Users?filter=${encodeURIComponent(`userName eq "${"a".repeat(100_000)}"`)}`);
    expect(res.status).toBe(431);
    await stillServing();
  });
});

describe("Unicode look-alikes", () => {
  test("when a userName differs from an existing one only by full-width letters or invisible characters, then 409 uniqueness; a Cyrillic homoglyph is another name", async () => {
    for (const lookalike of [
      "ａｌｉｃｅ@acme.test",
      "ALICE@ACME.TEST",
      "al\u200bice@acme.test",
      "al\u00adice@acme.test",
    ]) {
      const res = await checkCase(t.db, lookalike, "scim", () =>
        raw("post", `${c.base}/Users`, JSON.stringify(newUser(lookalike)), SCIM_JSON),
      );
      expect({ lookalike, status: res.status, scimType: res.body.scimType }).toEqual({
        lookalike,
        status: 409,
        scimType: "uniqueness",
      });
    }
    const cyrillic = await c.post("/Users", newUser("\u0430lice@acme.test"));
    expect(cyrillic.status).toBe(201);
  });

  test("when an org slug, a filter value or a sign-in email is written with look-alikes, then never 5xx and each answer is in its surface's format", async () => {
    const found = await c
      .get(`/Users?filter=${encodeURIComponent('userName eq "ａｌｉｃｅ@acme.test"')}`)
      .expect(200);
    expect(found.body.totalResults).toBe(1);
    const slug = c.org.slug.replace(/[a-z]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0));
    const scim = await request(t.app)
      .get(`/scim/v2/${encodeURIComponent(slug)}/Users`)
      .set("Authorization", `Bearer ${c.token}`);
    expectWellFormed("look-alike slug", "scim", scim);
    expect(scim.status).toBe(401);
    const api = await request(t.app)
      .get(`/api/v1/orgs/${encodeURIComponent(slug)}/users`)
      .set("Authorization", `Bearer ${apiKey}`);
    expectWellFormed("look-alike slug", "api", api);
    expect(api.status).toBe(403);
    const login = await request(t.app)
      .post("/auth/login")
      .send({ org: slug, email: "ａｌｉｃｅ@acme.test", password: "correct horse battery staple" });
    expectWellFormed("look-alike sign-in", "api", login);
    expect(login.status).toBeGreaterThanOrEqual(400);
  });
});
