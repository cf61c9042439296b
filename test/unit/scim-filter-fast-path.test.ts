// parseFilter reads `attr eq "string"` (the lookup every IdP sends before a create) without its
// tokenizer and parser: whatever that fast path reads must come out as the parser's tree, or as
// the parser's error. The parser's reading of the same filter is taken in parentheses, which the
// fast path never accepts: `(f)` is the tree of `f`, through the tokenizer and the parser.
import fc from "fast-check";
import { parseFilter } from "../../src/scim/filter/parse";
import { fuzzOptions } from "../support/fuzz";

/** The tree, or the error's class and scimType: what a caller sees of either path (the message
 * of a refusal names where the parser stopped, which the parentheses move). */
function outcome(input: string): unknown {
  try {
    return { tree: parseFilter(input) };
  } catch (e) {
    const err = e as Error & { scimType?: string };
    return { error: err.constructor.name, scimType: err.scimType };
  }
}

const sameAsParser = (filter: string) => expect(outcome(filter)).toStrictEqual(outcome(`(${filter})`));

describe('parseFilter\'s fast path for attr eq "string"', () => {
  test.each([
    'userName eq "bjensen@example.com"',
    'USERNAME EQ "BJensen@Example.com"',
    'userName Eq "a \\"quoted\\" name"',
    'userName eq "back\\\\slash"',
    'userName eq "\\u00dcml\\u00e4ut@x.test"',
    'userName eq "Ümläut@x.test"',
    'userName eq "\uFF21LICE@fold.test"',
    'userName eq "stra\u00DFe@x.test"',
    'userName eq "emoji 😀@x.test"',
    'userName eq "\\ud83d\\ude00"',
    'userName eq ""',
    '  \tuserName   eq\t"spaced"  ',
    'displayName eq "Ops"',
    'externalId eq "ext-1"',
    '$ref eq "x"',
    'a-b eq "x"',
    // The parser's own refusals and failures, equal on both paths.
    'userName eq "nul\\u0000"',
    'userName eq "bad \\x escape"',
    'userName eq "tab\tinside"',
    'unknownAttr eq "x"',
  ])("when the filter is %j, then it reads as the parser reads it", (filter) => {
    sameAsParser(filter);
  });

  test("when the fast path reads a userName, then the tree is the comparison with its unescaped value", () => {
    expect(parseFilter('userName eq "a \\"b\\" \\u00e9"')).toStrictEqual({
      kind: "cmp",
      path: { urn: undefined, attr: "userName" },
      op: "eq",
      value: 'a "b" é',
    });
  });

  test("when filters of the fast path's shape are generated, then each reads as the parser reads it", () => {
    const space = fc.constantFrom(" ", "  ", "\t", "\n", " \u00a0", "\u2003");
    const attr = fc.constantFrom(
      "userName",
      "USERNAME",
      "displayName",
      "externalId",
      "emails",
      "x1",
      "$a",
      "a-b",
    );
    const op = fc.constantFrom("eq", "EQ", "Eq", "eQ", "ne", "co");
    // Well-formed JSON strings of any text, and raw text between quotes with escapes, backslashes
    // and quotes the JSON grammar refuses or the tokenizer ends on.
    const raw = fc
      .array(
        fc.constantFrom(
          "a",
          "Z",
          "é",
          "ß",
          "😀",
          "\\",
          '\\"',
          "\\u00e9",
          "\\u0000",
          "\\x",
          "\\n",
          '"',
          " ",
          "\t",
        ),
        {
          maxLength: 8,
        },
      )
      .map((parts) => `"${parts.join("")}"`);
    const literal = fc.oneof(
      fc.string({ unit: "grapheme" }).map((s) => JSON.stringify(s)),
      raw,
    );
    const filter = fc
      .tuple(fc.option(space), attr, space, op, space, literal, fc.option(space))
      .map(([lead, a, s1, o, s2, lit, trail]) => `${lead ?? ""}${a}${s1}${o}${s2}${lit}${trail ?? ""}`);
    fc.assert(
      fc.property(filter, (f) => {
        sameAsParser(f);
      }),
      fuzzOptions(500),
    );
  });
});
