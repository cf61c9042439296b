// One row per PATCH shape Okta, Entra or RFC 7644 3.5.2 send to /Users, each on a fresh user,
// through HTTP: the expected resource after the PATCH, or the expected SCIM error.
import { createTestApp, type TestApp } from "../support/app";
import { ENTERPRISE, newUser, patchBody, scimClient, type ScimClient } from "./scim-client";

let t: TestApp;
let c: ScimClient;
let n = 0;
beforeAll(async () => {
  t = await createTestApp();
  c = await scimClient(t);
});
afterAll(() => t.close());

type Row = [title: string, ops: unknown[], expected: Record<string, unknown>];

const fresh = async () => {
  n += 1;
  const res = await c
    .post(
      "/Users",
      newUser(`patch${n}@acme.test`, {
        title: "Engineer",
        [ENTERPRISE]: { department: "R&D", costCenter: "7" },
      }),
    )
    .expect(201);
  return res.body as { id: string; userName: string };
};

const ok: Row[] = [
  ["replace active, lower case op", [{ op: "replace", path: "active", value: false }], { active: false }],
  [
    "Replace active, capitalised op (Entra)",
    [{ op: "Replace", path: "active", value: false }],
    { active: false },
  ],
  ["REPLACE active, upper case op", [{ op: "REPLACE", path: "active", value: false }], { active: false }],
  [
    'active as the string "False" (Entra)',
    [{ op: "Replace", path: "active", value: "False" }],
    { active: false },
  ],
  ['active as the string "false"', [{ op: "replace", path: "active", value: "false" }], { active: false }],
  [
    "no-path replace with {active: false} (Okta)",
    [{ op: "replace", value: { active: false } }],
    { active: false },
  ],
  [
    "no-path replace with dotted keys",
    [{ op: "replace", value: { "name.givenName": "Gina", "name.familyName": "Fox" } }],
    { name: { givenName: "Gina", familyName: "Fox" } },
  ],
  [
    "no-path replace with an enterprise URN key",
    [{ op: "Replace", value: { [`${ENTERPRISE}:department`]: "Ops" } }],
    { [ENTERPRISE]: { department: "Ops", costCenter: "7" } },
  ],
  [
    "no-path replace with the enterprise object",
    [{ op: "replace", value: { [ENTERPRISE]: { costCenter: "42" } } }],
    { [ENTERPRISE]: { department: "R&D", costCenter: "42" } },
  ],
  [
    "no-path add with mixed-case attribute names",
    [{ op: "add", value: { DisplayName: "Gina F", NickName: "gf" } }],
    { displayName: "Gina F", nickName: "gf" },
  ],
  [
    "replace a sub-attribute path",
    [{ op: "replace", path: "name.givenName", value: "Gil" }],
    { name: { givenName: "Gil", familyName: "Family" } },
  ],
  [
    "replace a complex attribute merges its sub-attributes",
    [{ op: "replace", path: "name", value: { familyName: "Stone" } }],
    { name: { givenName: "Given", familyName: "Stone" } },
  ],
  [
    'replace emails[type eq "work"].value',
    [{ op: "replace", path: 'emails[type eq "work"].value', value: "new.work@acme.test" }],
    { emails: [{ value: "new.work@acme.test", type: "work", primary: true }] },
  ],
  [
    'add emails[type eq "home"].value when there is no home email creates it',
    [{ op: "add", path: 'emails[type eq "home"].value', value: "home@example.org" }],
    {
      emails: [
        expect.objectContaining({ type: "work" }),
        { type: "home", value: "home@example.org", primary: false },
      ],
    },
  ],
  [
    "add to emails appends",
    [{ op: "add", path: "emails", value: [{ value: "other@example.org", type: "other" }] }],
    {
      emails: [
        expect.objectContaining({ type: "work" }),
        { value: "other@example.org", type: "other", primary: false },
      ],
    },
  ],
  [
    'remove emails[type eq "work"] and add another one',
    [
      { op: "remove", path: 'emails[type eq "work"]' },
      { op: "add", path: "emails", value: [{ value: "solo@acme.test", type: "work", primary: "True" }] },
    ],
    { emails: [{ value: "solo@acme.test", type: "work", primary: true }] },
  ],
  [
    'replace phoneNumbers[type eq "mobile"].value creates the phone',
    [{ op: "Replace", path: 'phoneNumbers[type eq "mobile"].value', value: "+1 555 0100" }],
    { phoneNumbers: [{ type: "mobile", value: "+1 555 0100" }] },
  ],
  [
    "add a simple attribute",
    [{ op: "add", path: "preferredLanguage", value: "de-CH" }],
    { preferredLanguage: "de-CH" },
  ],
  ["remove a simple attribute", [{ op: "remove", path: "title" }], { title: undefined }],
  [
    "replace userName",
    [{ op: "replace", path: "userName", value: "renamed@acme.test" }],
    { userName: "renamed@acme.test" },
  ],
  ["replace externalId", [{ op: "replace", path: "externalId", value: "ext-77" }], { externalId: "ext-77" }],
  [
    "an unknown attribute is ignored",
    [{ op: "replace", path: "favouriteColour", value: "teal" }],
    { favouriteColour: undefined, active: true },
  ],
  [
    "a password is ignored",
    [{ op: "replace", path: "password", value: "hunter2!" }],
    { password: undefined },
  ],
  [
    "several ops apply in order",
    [
      { op: "replace", path: "title", value: "Lead" },
      { op: "replace", path: "title", value: "Principal" },
      { op: "Replace", path: "active", value: "False" },
      { op: "Replace", path: "active", value: "True" },
    ],
    { title: "Principal", active: true },
  ],
];

describe("PATCH /Users shapes", () => {
  test.each(ok)("when a PATCH does: %s, then the user shows it", async (_title, ops, expected) => {
    const user = await fresh();
    const res = await c.patch(`/Users/${user.id}`, patchBody(...ops)).expect(200);
    const again = await c.get(`/Users/${user.id}`).expect(200);
    for (const body of [res.body, again.body]) {
      for (const [key, value] of Object.entries(expected)) {
        if (value === undefined) expect(body).not.toHaveProperty([key]);
        else expect(body[key]).toEqual(value);
      }
    }
  });

  test("when a manager is set as a bare id (Entra), then it reads back as a reference; remove clears it", async () => {
    const user = await fresh();
    const boss = await fresh();
    const set = await c
      .patch(`/Users/${user.id}`, patchBody({ op: "Add", path: `${ENTERPRISE}:manager`, value: boss.id }))
      .expect(200);
    expect(set.body[ENTERPRISE].manager).toEqual({
      value: boss.id,
      $ref: `http://sso.test${c.base}/Users/${boss.id}`,
    });
    const replaced = await c
      .patch(
        `/Users/${user.id}`,
        patchBody({ op: "replace", path: `${ENTERPRISE}:manager.value`, value: user.id }),
      )
      .expect(200);
    expect(replaced.body[ENTERPRISE].manager.value).toBe(user.id);
    const removed = await c
      .patch(`/Users/${user.id}`, patchBody({ op: "Remove", path: `${ENTERPRISE}:manager` }))
      .expect(200);
    expect(removed.body[ENTERPRISE].manager).toBeUndefined();
    expect((await t.db.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).managerId).toBeNull();
  });

  const bad: [string, unknown, string][] = [
    ["remove without a path", patchBody({ op: "remove" }), "noTarget"],
    ["an unknown op", patchBody({ op: "move", path: "title", value: "x" }), "invalidSyntax"],
    ["no Operations", { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"] }, "invalidSyntax"],
    [
      "active as a non-boolean string",
      patchBody({ op: "replace", path: "active", value: "maybe" }),
      "invalidValue",
    ],
    [
      "userName as an object",
      patchBody({ op: "replace", path: "userName", value: { a: 1 } }),
      "invalidValue",
    ],
    ["removing the userName", patchBody({ op: "remove", path: "userName" }), "invalidValue"],
    ["a malformed path", patchBody({ op: "replace", path: "emails[type eq", value: "x" }), "invalidPath"],
    ["a no-path value that is not an object", patchBody({ op: "replace", value: "x" }), "invalidSyntax"],
  ];

  const badTable = bad.map(([title, body, scimType]) => [title, scimType, body] as const);
  test.each(badTable)(
    "when a PATCH sends %s, then 400 %s and nothing changes",
    async (_title, scimType, body) => {
      const user = await fresh();
      const res = await c.patch(`/Users/${user.id}`, body).expect(400);
      expect(res.body).toMatchObject({ status: "400", scimType });
      const row = await t.db.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
      expect(row.version).toBe(1);
    },
  );
});
