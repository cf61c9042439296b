// The SCIM filter and PATCH path grammar (RFC 7644 3.4.2.2, 3.5.2) as pure functions: the AST
// for each construct, precedence, and the exact error type for malformed input.
import {
  MAX_FILTER_DEPTH,
  MAX_FILTER_TERMS,
  parseFilter,
  parsePatchPath,
  type Filter,
} from "../../src/scim/filter/parse";
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

describe("parseFilter: value paths with a sub-attribute (issue 13 item 4)", () => {
  test('when Entra sends emails[type eq "work"].value eq "x@y", then it is one value path of both conditions', () => {
    expect(parseFilter('emails[type eq "work"].value eq "x@y"')).toEqual({
      kind: "valuePath",
      path: { attr: "emails" },
      filter: {
        kind: "and",
        left: { kind: "cmp", path: { attr: "type" }, op: "eq", value: "work" },
        right: { kind: "cmp", path: { attr: "value" }, op: "eq", value: "x@y" },
      },
    });
  });

  test("when the sub-attribute is tested for presence and the value path is combined, then it parses", () => {
    expect(parseFilter('members[value pr].display pr or userName eq "a"')).toMatchObject({
      kind: "or",
      left: { kind: "valuePath", filter: { kind: "and", right: { kind: "pr", path: { attr: "display" } } } },
    });
  });

  test.each([
    'emails[type eq "work"].value.x eq "a"',
    'emails[type eq "work"].',
    'emails[type eq "work"].value',
    'name.givenName[x eq "y"].value eq "z"',
  ])("when the sub-attribute is malformed (%j), then it throws invalidFilter", (input) => {
    expect(() => parseFilter(input)).toThrow(expect.objectContaining({ scimType: "invalidFilter" }));
  });
});

describe("parseFilter: liberal values (issue 13 item 7)", () => {
  test.each([
    ["userName sw O", "O"],
    ["meta.created gt 2015-10-10T14:38:21.8617979-07:00", "2015-10-10T14:38:21.8617979-07:00"],
    ["title eq Vice-President", "Vice-President"],
  ])("when the value is a bare word or date (%s), then it is the string %j", (input, value) => {
    expect(parseFilter(input)).toMatchObject({ kind: "cmp", value });
  });

  test("when the bare word is true, false, null or a number, then it keeps its JSON meaning", () => {
    expect(parseFilter("a eq TRUE")).toMatchObject({ value: true });
    expect(parseFilter("a eq null")).toMatchObject({ value: null });
    expect(parseFilter("a eq 1e3")).toMatchObject({ value: 1000 });
  });
});

describe("parseFilter: bounded depth and size (issue 13 item 9)", () => {
  const depthOf = (f: Filter): number =>
    f.kind === "and" || f.kind === "or"
      ? 1 + Math.max(depthOf(f.left), depthOf(f.right))
      : f.kind === "not" || f.kind === "valuePath"
        ? 1 + depthOf(f.filter)
        : 1;

  test.each([
    ["not (".repeat(1500) + "a pr" + ")".repeat(1500)],
    ["(".repeat(1500) + "a pr" + ")".repeat(1500)],
    ["a[".repeat(1500) + "b pr" + "]".repeat(1500)],
    ["not (".repeat(MAX_FILTER_DEPTH + 1) + "a pr" + ")".repeat(MAX_FILTER_DEPTH + 1)],
  ])("when a filter nests deeper than the limit, then it throws invalidFilter (%#)", (input) => {
    expect(() => parseFilter(input)).toThrow(
      expect.objectContaining({ scimType: "invalidFilter", message: expect.stringContaining("nested") }),
    );
  });

  test("when a filter nests exactly to the limit, then it parses", () => {
    const input = "not (".repeat(MAX_FILTER_DEPTH) + "a pr" + ")".repeat(MAX_FILTER_DEPTH);
    expect(depthOf(parseFilter(input))).toBe(MAX_FILTER_DEPTH + 1);
  });

  test("when more terms than the limit are joined, then it throws invalidFilter", () => {
    const input = Array.from({ length: MAX_FILTER_TERMS + 1 }, (_, i) => `a eq ${i}`).join(" or ");
    expect(() => parseFilter(input)).toThrow(
      expect.objectContaining({ scimType: "invalidFilter", message: expect.stringContaining("comparisons") }),
    );
  });

  test("when a long and/or chain parses, then its tree is balanced, not one level per term", () => {
    const input = Array.from({ length: MAX_FILTER_TERMS }, (_, i) => `a eq ${i}`).join(" and ");
    const f = parseFilter(input);
    expect(depthOf(f)).toBeLessThanOrEqual(Math.ceil(Math.log2(MAX_FILTER_TERMS)) + 1);
    const values: unknown[] = [];
    const walk = (x: Filter): void => {
      if (x.kind === "and" || x.kind === "or") {
        walk(x.left);
        walk(x.right);
      } else if (x.kind === "cmp") values.push(x.value);
    };
    walk(f);
    expect(values).toEqual(Array.from({ length: MAX_FILTER_TERMS }, (_, i) => i));
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
