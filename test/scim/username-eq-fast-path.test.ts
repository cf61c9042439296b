// The `userName eq "..."` lookup reads its filter on parseFilter's fast path (filter/parse.ts);
// the same filter in parentheses goes through the tokenizer and the parser. Through HTTP, both
// must answer alike, byte for byte: the same user or none, for userNames with quotes, backslashes,
// Unicode and any case, written with JSON escapes or without, with attributes,
// excludedAttributes, startIndex and count, and never another organization's user.
import { createTestApp, type TestApp } from "../support/app";
import { GROUP, newUser, scimClient, type ScimClient } from "./scim-client";

let t: TestApp;
let c: ScimClient;
let other: ScimClient;
const ids = new Map<string, string>();

const USER_NAMES = [
  'Quote"d@x.test',
  "back\\slash@x.test",
  "Ümläut@x.test",
  "stra\u00DFe@x.test",
  "\uFF21LICE@x.test",
  "emoji😀@x.test",
  "MiXeD.Case@X.test",
];

beforeAll(async () => {
  t = await createTestApp();
  c = await scimClient(t);
  other = await scimClient(t);
  for (const userName of USER_NAMES) {
    ids.set(userName, (await c.post("/Users", newUser(userName)).expect(201)).body.id);
    // The same userName in another organization: never part of this organization's answers.
    await other.post("/Users", newUser(userName)).expect(201);
  }
  await c.post("/Groups", { schemas: [GROUP], displayName: 'Ops "Blue" Ü' }).expect(201);
});
afterAll(() => t.close());

/** `s` as a JSON string literal with every non-ASCII character escaped (\uXXXX). */
const escaped = (s: string) =>
  JSON.stringify(s).replace(
    /[\u0080-\uffff]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );

const spellings = (userName: string) =>
  [userName, userName.toUpperCase(), userName.toLowerCase()].flatMap((u) => [JSON.stringify(u), escaped(u)]);

const QUERIES = ["", "&attributes=userName", "&excludedAttributes=emails,name", "&startIndex=2", "&count=0"];

/** The answer to a filter on its fast path and in parentheses (the parser's path). */
async function bothPaths(resource: "Users" | "Groups", filter: string, query = "") {
  const get = (f: string) => c.get(`/${resource}?filter=${encodeURIComponent(f)}${query}`);
  const [fast, parsed] = [await get(filter), await get(`(${filter})`)];
  expect({ status: fast.status, type: fast.get("content-type"), body: fast.text }).toEqual({
    status: parsed.status,
    type: parsed.get("content-type"),
    body: parsed.text,
  });
  return fast;
}

describe("userName eq on the filter's fast path", () => {
  test.each(USER_NAMES)(
    "when the userName is %j, then every spelling finds the user, as the parser's path does",
    async (userName) => {
      for (const literal of spellings(userName)) {
        for (const query of QUERIES) {
          const res = await bothPaths("Users", `userName eq ${literal}`, query);
          expect(res.body.totalResults).toBe(1);
          if (query === "")
            expect(res.body.Resources.map((r: { id: string }) => r.id)).toEqual([ids.get(userName)]);
        }
      }
    },
  );

  test("when the userName is no user's, or the operator's and attribute's case differ, then both paths answer alike", async () => {
    expect((await bothPaths("Users", 'userName eq "nobody@x.test"')).body.totalResults).toBe(0);
    expect((await bothPaths("Users", 'USERNAME EQ "ümläut@X.TEST"')).body.totalResults).toBe(1);
    expect((await bothPaths("Users", '  userName\teq  "quote\\"d@x.test"  ')).body.totalResults).toBe(1);
  });

  test("when the string is not valid JSON or holds NUL, then both paths refuse it as invalidFilter (400)", async () => {
    for (const filter of [
      'userName eq "bad \\x escape"',
      'userName eq "nul\\u0000"',
      'userName eq "tab\tin"',
    ]) {
      const res = await bothPaths("Users", filter);
      expect(res.status).toBe(400);
      expect(res.body.scimType).toBe("invalidFilter");
    }
  });

  test("when groups are looked up by displayName eq, then both paths answer alike", async () => {
    expect((await bothPaths("Groups", 'displayName eq "ops \\"blue\\" ü"')).body.totalResults).toBe(1);
    expect((await bothPaths("Groups", 'displayName eq "Ops"')).body.totalResults).toBe(0);
  });
});
