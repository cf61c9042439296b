// fixedStatement (db/fixed-statement.ts): the statement it makes for some values is the one its
// builder makes for them: its text, and its values in their places.
import { Prisma } from "../../src/generated/prisma/client";
import { fixedStatement } from "../../src/db/fixed-statement";

const build = (a: unknown, b: unknown) =>
  Prisma.sql`SELECT ${Prisma.raw("1")} FROM t WHERE x = ${a} AND ${Prisma.sql`y IN (${b}, ${a})`} AND z = ${"constant"}`;

describe("fixedStatement", () => {
  const fixed = fixedStatement<[number, string]>(2, (a, b) => build(a, b));

  test.each([
    [1, "one"],
    [2, "it's"],
    [0, ""],
  ])("when called with %j and %j, then it is the builder's statement for them", (a, b) => {
    const made = fixed(a, b);
    const expected = build(a, b);
    expect({ text: made.text, values: made.values, sql: made.sql }).toEqual({
      text: expected.text,
      values: expected.values,
      sql: expected.sql,
    });
  });

  test("when an argument is a statement, then it is refused (it would change the text)", () => {
    expect(() => fixed(1, Prisma.sql`x` as unknown as string)).toThrow("a fixed statement takes values only");
  });
});
