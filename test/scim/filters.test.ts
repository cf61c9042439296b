// One row per filter operator and attribute kind (RFC 7644 3.4.2.2), run through HTTP against
// the database: which users (and groups) each filter selects. userName and emails compare
// case-insensitively; value paths, sub-attributes, extension attributes, and/or/not precedence.
import { createTestApp, type TestApp } from "../support/app";
import { ENTERPRISE, GROUP, USER, newUser, scimClient, type ScimClient } from "./scim-client";

let t: TestApp;
let c: ScimClient;
const ids: Record<string, string> = {};
let groupId = "";

beforeAll(async () => {
  t = await createTestApp();
  c = await scimClient(t);
  const people = [
    {
      key: "alice",
      userName: "Alice@Acme.test",
      name: { givenName: "Alice", familyName: "Anders" },
      displayName: "Alice A",
      externalId: "ext-1",
      title: "Engineer",
      emails: [
        { value: "alice@acme.test", type: "work", primary: true },
        { value: "alice@home.org", type: "home" },
      ],
      [ENTERPRISE]: { department: "R&D", employeeNumber: "100" },
    },
    {
      key: "bob",
      userName: "bob@acme.test",
      name: { givenName: "Bob", familyName: "Brown" },
      externalId: "ext-2",
      title: "Manager",
      active: false,
      emails: [{ value: "bob@acme.test", type: "work" }],
      [ENTERPRISE]: { department: "Sales" },
    },
    {
      key: "carol",
      userName: "carol@other.org",
      name: { givenName: "Carol", familyName: "Clark" },
      emails: [
        { value: "carol@other.org", type: "work", primary: true },
        { value: "carol@acme.test", type: "home" },
      ],
    },
  ];
  for (const { key, ...body } of people) {
    ids[key] = (
      await c.post("/Users", { schemas: [USER, ENTERPRISE], active: true, ...body }).expect(201)
    ).body.id;
  }
  groupId = (
    await c
      .post("/Groups", {
        schemas: [GROUP],
        displayName: "Ops",
        externalId: "grp-ext",
        members: [{ value: ids.bob }],
      })
      .expect(201)
  ).body.id;
  await c.post("/Groups", { schemas: [GROUP], displayName: "Empty crew" }).expect(201);
});
afterAll(() => t.close());

const names = (body: { Resources: { id: string }[] }) =>
  body.Resources.map((r) => Object.entries(ids).find(([, id]) => id === r.id)?.[0]).sort();

const userRows: [string, string[]][] = [
  ['userName eq "alice@acme.test"', ["alice"]],
  ['userName eq "ALICE@ACME.TEST"', ["alice"]],
  ['userName ne "alice@acme.test"', ["bob", "carol"]],
  ['userName co "ACME"', ["alice", "bob"]],
  ['userName sw "B"', ["bob"]],
  ['userName ew ".ORG"', ["carol"]],
  ['userName gt "bob@acme.test"', ["carol"]],
  ['userName ge "bob@acme.test"', ["bob", "carol"]],
  ['userName lt "bob@acme.test"', ["alice"]],
  ['userName le "bob@acme.test"', ["alice", "bob"]],
  ["externalId pr", ["alice", "bob"]],
  ['externalId eq "ext-2"', ["bob"]],
  ['externalId eq "EXT-2"', []],
  ['externalId ne "ext-2"', ["alice", "carol"]],
  ["not (externalId pr)", ["carol"]],
  ["title pr", ["alice", "bob"]],
  ["not (title pr)", ["carol"]],
  ['title eq "Engineer"', ["alice"]],
  ['title co "nag"', ["bob"]],
  ['title ne "Engineer"', ["bob", "carol"]],
  ['emails.value eq "ALICE@HOME.ORG"', ["alice"]],
  ['emails co "acme.test"', ["alice", "bob", "carol"]],
  ['emails[type eq "home" and value ew "acme.test"]', ["carol"]],
  ['emails[type eq "work" and primary eq true]', ["alice", "carol"]],
  ['emails.type eq "home"', ["alice", "carol"]],
  ['name.familyName eq "brown"', ["bob"]],
  ['name.givenName sw "ca"', ["carol"]],
  ['displayName eq "alice a"', ["alice"]],
  ["active eq true", ["alice", "carol"]],
  ["active eq false", ["bob"]],
  ["active ne true", ["bob"]],
  [`${ENTERPRISE}:department eq "Sales"`, ["bob"]],
  [`${ENTERPRISE}:employeeNumber pr`, ["alice"]],
  ['meta.created gt "2000-01-01T00:00:00Z"', ["alice", "bob", "carol"]],
  ['meta.lastModified lt "2000-01-01T00:00:00Z"', []],
  ['userName eq "alice@acme.test" or userName eq "bob@acme.test"', ["alice", "bob"]],
  ['active eq true and emails co "acme"', ["alice", "carol"]],
  ['userName sw "a" or userName sw "b" and active eq true', ["alice"]],
  ['(userName sw "a" or userName sw "b") and active eq false', ["bob"]],
  ['not (userName sw "a" or userName sw "b")', ["carol"]],
];

// Issue 13 item 4: Entra's uniqueness lookup, a value path followed by a sub-attribute.
const valuePathSubRows: [string, string[]][] = [
  ['emails[type eq "work"].value eq "alice@acme.test"', ["alice"]],
  ['emails[type eq "work"].value eq "alice@home.org"', []],
  ['emails[type eq "home"].value ew "ACME.TEST"', ["carol"]],
  ['emails[type eq "home"].value pr', ["alice", "carol"]],
  ['emails[primary eq true].value sw "carol"', ["carol"]],
  ['not (emails[type eq "work"].value co "acme")', ["carol"]],
];

// Issue 13 item 7: a bare word or date is a string; dates compare as instants.
const liberalRows: [string, string[]][] = [
  ["userName sw B", ["bob"]],
  ["name.familyName eq brown", ["bob"]],
  ["meta.created gt 2015-10-10T14:38:21.8617979-07:00", ["alice", "bob", "carol"]],
  ["meta.created le 2015-10-10T14:38:21.8617979-07:00", []],
  ['meta.lastModified ge "2015-10-10T21:38:21.8617979Z"', ["alice", "bob", "carol"]],
  ["meta.created eq 2015-10-10T14:38:21.8617979-07:00", []],
  ["meta.created ne 2015-10-10T14:38:21.8617979-07:00", ["alice", "bob", "carol"]],
];

describe("GET /Users?filter=", () => {
  test.each(userRows)("when the filter is %s, then it selects %j", async (filter, expected) => {
    const res = await c.get(`/Users?filter=${encodeURIComponent(filter)}`).expect(200);
    expect(names(res.body)).toEqual(expected);
    expect(res.body.totalResults).toBe(expected.length);
  });

  test.each(valuePathSubRows)(
    'when a value path has a sub-attribute (Entra\'s emails[type eq "work"].value eq), %s selects %j',
    async (filter, expected) => {
      const res = await c.get(`/Users?filter=${encodeURIComponent(filter)}`).expect(200);
      expect(names(res.body)).toEqual(expected);
    },
  );

  test.each(liberalRows)(
    "when the comparison value is a bare word or date (%s), then it is a string and selects %j",
    async (filter, expected) => {
      const res = await c.get(`/Users?filter=${encodeURIComponent(filter)}`).expect(200);
      expect(names(res.body)).toEqual(expected);
    },
  );

  test("when the filter names an id or a group, then it selects by those ids", async () => {
    const byId = await c.get(`/Users?filter=${encodeURIComponent(`id eq "${ids.bob}"`)}`).expect(200);
    expect(names(byId.body)).toEqual(["bob"]);
    const byGroup = await c
      .get(`/Users?filter=${encodeURIComponent(`groups.value eq "${groupId}"`)}`)
      .expect(200);
    expect(names(byGroup.body)).toEqual(["bob"]);
    const byName = await c.get(`/Users?filter=${encodeURIComponent('groups.display eq "ops"')}`).expect(200);
    expect(names(byName.body)).toEqual(["bob"]);
  });

  test.each([
    ['userName xx "a"'],
    ['favouriteColour eq "teal"'],
    ["userName eq"],
    ['userName eq "a" and'],
    ['(userName eq "a"'],
    ["active gt true"],
    ['emails[type eq "work"].value.x eq "a"'],
    ['emails[type eq "work"].'],
    ["meta.created gt yesterday"],
  ])("when the filter is malformed (%s), then 400 invalidFilter", async (filter) => {
    const res = await c.get(`/Users?filter=${encodeURIComponent(filter)}`).expect(400);
    expect(res.body).toMatchObject({ status: "400", scimType: "invalidFilter" });
  });
});

describe("GET /Groups?filter=", () => {
  test.each([
    ['displayName eq "ops"', ["Ops"]],
    ['displayName co "CREW"', ["Empty crew"]],
    ['externalId eq "grp-ext"', ["Ops"]],
    ["members pr", ["Ops"]],
    ["not (members pr)", ["Empty crew"]],
  ])("when the filter is %s, then it selects %j", async (filter, expected) => {
    const res = await c
      .get(`/Groups?excludedAttributes=members&filter=${encodeURIComponent(filter)}`)
      .expect(200);
    expect(res.body.Resources.map((g: { displayName: string }) => g.displayName).sort()).toEqual(expected);
  });

  test("when the filter is on a member's id, with or without a value path, then it finds the group", async () => {
    for (const filter of [
      `members.value eq "${ids.bob}"`,
      `members[value eq "${ids.bob}"]`,
      `members[value pr].value eq "${ids.bob}"`,
    ]) {
      const res = await c.get(`/Groups?filter=${encodeURIComponent(filter)}`).expect(200);
      expect(res.body.Resources.map((g: { id: string }) => g.id)).toEqual([groupId]);
    }
  });

  // Regression: a member value that is no user id answered 500 (found by fuzz-scim).
  test("when the filter names a member value that is no user id, then it selects nothing", async () => {
    for (const filter of ['members.value eq "2026-13-45"', 'members eq "abc"', `not (members eq "x")`]) {
      const res = await c.get(`/Groups?filter=${encodeURIComponent(filter)}`).expect(200);
      const names = res.body.Resources.map((g: { displayName: string }) => g.displayName);
      expect(names).toEqual(filter.startsWith("not") ? expect.arrayContaining(["Ops", "Empty crew"]) : []);
    }
  });
});

describe("LIKE wildcards in co, sw and ew", () => {
  let w: ScimClient;
  const made: Record<string, string> = {};
  beforeAll(async () => {
    w = await scimClient(t);
    for (const userName of [
      "plain@acme.test",
      "100%sure@acme.test",
      "a_b@acme.test",
      "back\\slash@acme.test",
    ]) {
      made[(await w.post("/Users", newUser(userName, { title: userName })).expect(201)).body.id] = userName;
    }
  });
  const select = async (filter: string) =>
    (
      (await w.get(`/Users?filter=${encodeURIComponent(filter)}`).expect(200)).body.Resources as {
        id: string;
      }[]
    )
      .map((r) => made[r.id])
      .sort();

  test.each([
    ['userName co "%"', ["100%sure@acme.test"]],
    ['userName co "_"', ["a_b@acme.test"]],
    ['userName sw "a_"', ["a_b@acme.test"]],
    ['userName ew "%"', []],
    ['userName co "\\\\"', ["back\\slash@acme.test"]],
    ['userName sw "%"', []],
    ['title co "%"', ["100%sure@acme.test"]],
    ['title sw "_"', []],
    ['emails.value co "%s"', ["100%sure@acme.test"]],
    ['name.givenName co "_"', []],
  ])(
    "when co, sw or ew's value holds %%, _ or \\ (%s), then they match themselves: %j",
    async (filter, expected) => {
      expect(await select(filter)).toEqual(expected);
    },
  );
});

describe("filters too deep or too long (issue 13 item 9)", () => {
  test.each([
    ["not (".repeat(1500) + 'userName eq "a"' + ")".repeat(1500)],
    ["(".repeat(1500) + 'userName eq "a"' + ")".repeat(1500)],
    [Array.from({ length: 250 }, (_, i) => `userName eq "u${i}"`).join(" or ")],
    [Array.from({ length: 250 }, (_, i) => `title ne "t${i}"`).join(" and ")],
  ])(
    "when a filter nests 1,500 deep or joins 250 terms, then 400 invalidFilter, not 500 (%#)",
    async (filter) => {
      for (const path of ["/Users", "/Groups"]) {
        const res = await c.get(`${path}?filter=${encodeURIComponent(filter)}`).expect(400);
        expect(res.body).toMatchObject({ status: "400", scimType: "invalidFilter" });
      }
    },
  );

  test("when 150 terms are joined by or and by and, then the database answers them (no recursion limit)", async () => {
    const or = [
      ...Array.from({ length: 149 }, (_, i) => `userName eq "u${i}"`),
      'userName eq "bob@acme.test"',
    ];
    const res = await c.get(`/Users?filter=${encodeURIComponent(or.join(" or "))}`).expect(200);
    expect(names(res.body)).toEqual(["bob"]);
    const and = Array.from({ length: 150 }, (_, i) => `title ne "t${i}"`).join(" and ");
    const all = await c.get(`/Users?filter=${encodeURIComponent(and)}`).expect(200);
    expect(names(all.body)).toEqual(["alice", "bob", "carol"]);
    const groups = Array.from({ length: 150 }, (_, i) => `displayName eq "g${i}"`).join(" or ");
    const g = await c
      .get(`/Groups?filter=${encodeURIComponent(`${groups} or displayName eq "ops"`)}`)
      .expect(200);
    expect(g.body.Resources.map((r: { displayName: string }) => r.displayName)).toEqual(["Ops"]);
  });
});
