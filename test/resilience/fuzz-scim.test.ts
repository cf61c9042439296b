// Issue 17 point 6, SCIM: property-based fuzzing of bodies (Users and Groups, POST and PUT),
// filters (grammar-shaped and free text, in the query and in POST /.search), PATCH operations,
// list query parameters, ids in paths and headers. Every answer: no 5xx, the SCIM error schema
// on refusal, the database unchanged by a refusal; and the server keeps serving.
import fc from "fast-check";
import request from "supertest";
import { createTestApp, type TestApp } from "../support/app";
import {
  checkCase,
  fuzzOptions,
  idLike,
  jsonValue,
  objectAround,
  printCaseCount,
  text,
} from "../support/fuzz";
import {
  ENTERPRISE,
  GROUP,
  PATCH_OP,
  SCIM_JSON,
  USER,
  newUser,
  scimClient,
  type ScimClient,
} from "../scim/scim-client";

let t: TestApp;
let c: ScimClient;
let userId = "";
let groupId = "";

beforeAll(async () => {
  t = await createTestApp();
  c = await scimClient(t);
  userId = (await c.post("/Users", newUser("alice@acme.test")).expect(201)).body.id;
  groupId = (
    await c
      .post("/Groups", { schemas: [GROUP], displayName: "Crew", members: [{ value: userId }] })
      .expect(201)
  ).body.id;
});
afterAll(async () => {
  printCaseCount("fuzz-scim");
  // The server still answers a plain read after every case.
  await c.get(`/Users/${userId}`).expect(200);
  await t.close();
});

const send = (method: "get" | "post" | "put" | "patch" | "delete", path: string, body?: unknown) => () => {
  const agent = request(t.app);
  let r = agent[method](c.base + path).set("Authorization", `Bearer ${c.token}`);
  if (body !== undefined) r = r.set("Content-Type", SCIM_JSON).send(JSON.stringify(body));
  return r;
};
const scimCase = (what: string, method: Parameters<typeof send>[0], path: string, body?: unknown) =>
  checkCase(
    t.db,
    `${what}: ${method.toUpperCase()} ${path} ${JSON.stringify(body)?.slice(0, 300) ?? ""}`,
    "scim",
    send(method, path, body),
  );

// ---- Arbitraries of SCIM's shapes ----

const attrPath = fc.oneof(
  fc.constantFrom(
    "userName",
    "USERNAME",
    "id",
    "externalId",
    "active",
    "displayName",
    "name.givenName",
    "name.familyName",
    "emails",
    "emails.value",
    "emails.type",
    "emails.primary",
    "meta.lastModified",
    "meta.created",
    "members",
    "members.value",
    "title",
    "groups",
    "nickName",
    "phoneNumbers.value",
    `${USER}:userName`,
    `${ENTERPRISE}:employeeNumber`,
    `${ENTERPRISE}:manager.value`,
    "urn:x:y:z",
    "a.b.c.d",
  ),
  text(20),
);
const op = fc.oneof(
  fc.constantFrom("eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "EQ", "Co", "pr", "xx"),
  text(4),
);
const literal = fc.oneof(
  text(30).map((s) => JSON.stringify(s)),
  fc.constantFrom(
    "true",
    "false",
    "null",
    "1",
    "-1.5e10",
    "2026-01-01T00:00:00Z",
    '"2026-13-45"',
    '"unterminated',
    "'single'",
  ),
  fc.integer().map(String),
  text(10),
);
const filter: fc.Arbitrary<string> = fc.letrec<{ f: string }>((tie) => ({
  f: fc.oneof(
    { depthSize: "small" },
    fc.tuple(attrPath, op, literal).map(([a, o, v]) => (o === "pr" ? `${a} pr` : `${a} ${o} ${v}`)),
    fc.tuple(attrPath, tie("f")).map(([a, f]) => `${a}[${f}]`),
    fc
      .tuple(tie("f"), fc.constantFrom("and", "or", "AND", "Or", "&&", ""), tie("f"))
      .map(([l, j, r]) => `${l} ${j} ${r}`),
    tie("f").map((f) => `not (${f})`),
    tie("f").map((f) => `(${f}`),
    tie("f").map((f) => `(${f})`),
    text(60),
  ),
})).f;

const userBody = objectAround({
  schemas: fc.constantFrom([USER], [USER, ENTERPRISE], [], ["urn:bogus"], "x"),
  userName: text(),
  externalId: text(),
  active: fc.oneof(fc.boolean(), fc.constantFrom("true", "False", "yes", 1, 0)),
  name: objectAround({ givenName: text(), familyName: text(), formatted: text() }),
  emails: fc.array(
    objectAround({ value: text(), type: text(8), primary: fc.oneof(fc.boolean(), fc.constant("true")) }),
    { maxLength: 3 },
  ),
  [ENTERPRISE]: objectAround({ employeeNumber: text(), manager: objectAround({ value: idLike }) }),
  meta: jsonValue,
});

const groupBody = objectAround({
  schemas: fc.constantFrom([GROUP], [], ["urn:bogus"]),
  displayName: text(),
  externalId: text(),
  members: fc.array(fc.oneof(objectAround({ value: idLike, display: text() }), idLike), { maxLength: 3 }),
});

const patchOp = objectAround({
  op: fc.oneof(
    fc.constantFrom("add", "remove", "replace", "Add", "REPLACE", "Remove", "move", "", 7),
    text(8),
  ),
  path: fc.oneof(
    attrPath,
    filter.map((f) => `members[${f}]`),
    filter.map((f) => `emails[${f}].value`),
    text(30),
  ),
  value: fc.oneof(
    jsonValue,
    userBody,
    groupBody,
    fc.array(objectAround({ value: idLike }), { maxLength: 3 }),
  ),
});
const patchBody = objectAround({
  schemas: fc.constantFrom([PATCH_OP], [], ["urn:bogus"]),
  Operations: fc.oneof(fc.array(patchOp, { maxLength: 3 }), jsonValue),
});

const queryParams = fc.dictionary(
  fc.oneof(
    fc.constantFrom(
      "filter",
      "startIndex",
      "count",
      "attributes",
      "excludedAttributes",
      "sortBy",
      "sortOrder",
      "cursor",
    ),
    text(10),
  ),
  fc.oneof(
    text(40),
    fc.integer().map(String),
    fc.constantFrom("0", "-1", "1e20", "NaN", "Infinity", "0x10", " 5"),
  ),
  { maxKeys: 4 },
);
const qs = (params: Record<string, string>) => new URLSearchParams(params).toString();

// ---- The properties ----

test("when SCIM bodies of any shape are POSTed or PUT to /Users and /Groups, then never 5xx and every refusal is a SCIM error that changes nothing", async () => {
  await fc.assert(
    fc.asyncProperty(userBody, groupBody, async (user, group) => {
      await scimCase("user body", "post", "/Users", user);
      await scimCase("user body", "put", `/Users/${userId}`, {
        ...user,
        userName: (user as { userName?: unknown }).userName ?? "alice@acme.test",
      });
      await scimCase("group body", "post", "/Groups", group);
      await scimCase("group body", "put", `/Groups/${groupId}`, group);
    }),
    fuzzOptions(50),
  );
});

test("when any filter is sent in the query or to POST /.search, then never 5xx and every refusal is a SCIM error", async () => {
  await fc.assert(
    fc.asyncProperty(filter, fc.constantFrom("/Users", "/Groups"), async (f, path) => {
      await scimCase("filter", "get", `${path}?${qs({ filter: f })}`);
      await scimCase("search", "post", `${path}/.search`, {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        filter: f,
      });
    }),
    fuzzOptions(120),
  );
});

test("when PATCH operations of any shape reach a user and a group, then never 5xx and every refusal is a SCIM error that changes nothing", async () => {
  await fc.assert(
    fc.asyncProperty(patchBody, async (body) => {
      await scimCase("patch", "patch", `/Users/${userId}`, body);
      await scimCase("patch", "patch", `/Groups/${groupId}`, body);
    }),
    fuzzOptions(100),
  );
});

test("when list query parameters and ids in paths are anything, then never 5xx and every refusal is a SCIM error", async () => {
  await fc.assert(
    fc.asyncProperty(
      queryParams,
      idLike,
      fc.constantFrom("get", "put", "patch", "delete") as fc.Arbitrary<"get">,
      fc.constantFrom("Users", "Groups"),
      async (params, id, method, resource) => {
        await scimCase("query", "get", `/Users?${qs(params)}`);
        await scimCase("query", "get", `/Groups?${qs(params)}`);
        const body =
          method === "get" || method === "delete" ? undefined : { schemas: [PATCH_OP], Operations: [] };
        await scimCase("id", method, `/${resource}/${encodeURIComponent(id)}`, body);
      },
    ),
    fuzzOptions(60),
  );
});

const headerValue = fc
  .string({
    unit: fc.integer({ min: 0x20, max: 0xff }).map((n) => String.fromCharCode(n === 0x7f ? 0x20 : n)),
    maxLength: 60,
  })
  .map((s) => s.trim());

test("when headers are anything (authorization, content type, accept, If-Match, request id), then never 5xx and every refusal is a SCIM error", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        headerValue.map((v) => `Bearer ${v}`),
        headerValue,
        fc.constant(`Bearer ${"x".repeat(5000)}`),
      ),
      fc.oneof(
        headerValue,
        fc.constantFrom(
          "application/scim+json; charset=latin1",
          "application/json;;",
          "application/scim+json; charset=utf-16",
          "multipart/form-data; boundary=",
        ),
      ),
      fc.record({
        accept: headerValue,
        "if-match": headerValue,
        "x-request-id": headerValue,
        "if-none-match": headerValue,
      }),
      async (authorization, contentType, others) => {
        await checkCase(
          t.db,
          `headers ${JSON.stringify({ authorization, contentType, others })}`,
          "scim",
          () => request(t.app).get(`${c.base}/Users`).set("Authorization", authorization).set(others),
        );
        await checkCase(t.db, `headers ${JSON.stringify({ contentType, others })}`, "scim", () =>
          request(t.app)
            .patch(`${c.base}/Users/${userId}`)
            .set("Authorization", `Bearer ${c.token}`)
            .set(others)
            .set("Content-Type", contentType)
            .send(
              JSON.stringify({
                schemas: [PATCH_OP],
                Operations: [{ op: "replace", path: "displayName", value: "x" }],
              }),
            ),
        );
      },
    ),
    fuzzOptions(40),
  );
});
