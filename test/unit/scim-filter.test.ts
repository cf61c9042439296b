// The SCIM filter and PATCH path grammar (RFC 7644 3.4.2.2, 3.5.2) as pure functions: the AST
// for each construct, precedence, and the exact error type for malformed input.
import { parseFilter, parsePatchPath } from "../../src/scim/filter/parse";
import { matches } from "../../src/scim/filter/evaluate";

const ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

describe("parseFilter", () => {
  test.each([
    ['userName eq "bjensen"', { kind: "cmp", path: { attr: "userName" }, op: "eq", value: "bjensen" }],
    [
      'name.familyName co "O\'Malley"',
      { kind: "cmp", path: { attr: "name", sub: "familyName" }, op: "co", value: "O'Malley" },
    ],
    ["title pr", { kind: "pr", path: { attr: "title" } }],
    ["active EQ True", { kind: "cmp", path: { attr: "active" }, op: "eq", value: true }],
    [
      'meta.lastModified gt "2011-05-13T04:42:34Z"',
      { kind: "cmp", path: { attr: "meta", sub: "lastModified" }, op: "gt", value: "2011-05-13T04:42:34Z" },
    ],
    ["x.y le 10", { kind: "cmp", path: { attr: "x", sub: "y" }, op: "le", value: 10 }],
    [
      'userName eq "a \\"quoted\\" name"',
      { kind: "cmp", path: { attr: "userName" }, op: "eq", value: 'a "quoted" name' },
    ],
    [
      `${ENT}:employeeNumber eq "5"`,
      { kind: "cmp", path: { urn: ENT.toLowerCase(), attr: "employeeNumber" }, op: "eq", value: "5" },
    ],
    [
      `${ENT}:manager.value eq "m"`,
      { kind: "cmp", path: { urn: ENT.toLowerCase(), attr: "manager", sub: "value" }, op: "eq", value: "m" },
    ],
  ])("when the filter is %s, then it parses to its comparison", (input, expected) => {
    expect(parseFilter(input)).toEqual(expected);
  });

  test("when and/or/not mix, then not binds tightest, then and, then or", () => {
    const f = parseFilter("a eq 1 or b eq 2 and not (c pr)");
    expect(f).toMatchObject({
      kind: "or",
      left: { kind: "cmp", path: { attr: "a" } },
      right: { kind: "and", left: { path: { attr: "b" } }, right: { kind: "not", filter: { kind: "pr" } } },
    });
  });

  test("when a value path is nested in a filter, then it parses with its inner filter", () => {
    expect(parseFilter('emails[type eq "work" and value co "@x"] and userName sw "a"')).toMatchObject({
      kind: "and",
      left: { kind: "valuePath", path: { attr: "emails" }, filter: { kind: "and" } },
    });
  });

  test.each([
    "userName eq",
    'userName zz "a"',
    "(a eq 1",
    "a eq 1 b",
    "",
    'a eq "unterminated',
    "not a eq 1",
  ])("when the filter is malformed (%j), then it throws invalidFilter", (input) => {
    expect(() => parseFilter(input)).toThrow(
      expect.objectContaining({ scimType: "invalidFilter", status: 400 }),
    );
  });
});

describe("parsePatchPath", () => {
  test.each([
    ["title", { path: { attr: "title" } }],
    ["name.givenName", { path: { attr: "name", sub: "givenName" } }],
    [
      'members[value eq "2819c223"]',
      { path: { attr: "members" }, filter: { kind: "cmp", op: "eq", value: "2819c223" } },
    ],
    ['emails[type eq "work"].value', { path: { attr: "emails", sub: "value" }, filter: { kind: "cmp" } }],
    [`${ENT}:manager`, { path: { urn: ENT.toLowerCase(), attr: "manager" } }],
  ])("when the path is %s, then it parses", (input, expected) => {
    expect(parsePatchPath(input)).toMatchObject(expected);
  });

  test.each(["emails[type eq", "name.given.name", "[x]"])(
    "when the path is %j, then it throws invalidPath",
    (input) => {
      expect(() => parsePatchPath(input)).toThrow(expect.objectContaining({ scimType: "invalidPath" }));
    },
  );
});

describe("matches (value filters on one element)", () => {
  test.each([
    ['type eq "WORK"', { type: "work" }, true],
    ['type eq "work" and primary eq true', { type: "work", primary: false }, false],
    ['type eq "home" or primary eq true', { type: "work", primary: true }, true],
    ['not (type eq "home")', { type: "work" }, true],
    ["display pr", { value: "x" }, false],
    ['value sw "AB"', { value: "abc" }, true],
  ] as const)("when %s is evaluated on %j, then %s", (filter, element, expected) => {
    expect(matches(parseFilter(filter), element)).toBe(expected);
  });
});
