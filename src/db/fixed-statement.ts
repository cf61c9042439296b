// A statement whose text never varies, only its values, with its text built once. Why: a
// Prisma.Sql joins its parts into a new string on every read of `text`, and naming that string
// for the connection's prepared statement (statement-names.ts) hashes and compares all of it, as
// pg does when it checks the name against the text it prepared: kilobytes per execution for the
// statements that build SCIM resources. One string object, read every time, is hashed once.
import { Prisma } from "../generated/prisma/client";

/** Where the n-th argument goes in a statement's template. */
class Param {
  constructor(readonly n: number) {}
}

/** A Prisma.Sql whose text is given, not joined again on every read. */
class FixedSql extends Prisma.Sql {
  constructor(
    private readonly fixedText: string,
    strings: readonly string[],
    values: unknown[],
  ) {
    super(strings, values as ConstructorParameters<typeof Prisma.Sql>[1]);
  }

  override get text(): string {
    return this.fixedText;
  }
}

/**
 * `build` called once with placeholders for its arguments; the statement it returns is then
 * made again for each call's arguments, with the same text. `build` must take every value that
 * varies as an argument (any other value it embeds is kept as it was at that first call).
 */
export function fixedStatement<A extends unknown[]>(
  arity: A["length"],
  build: (...params: { [K in keyof A]: Prisma.Sql }) => Prisma.Sql,
): (...args: A) => Prisma.Sql {
  const params = Array.from({ length: arity }, (_, n) => Prisma.sql`${new Param(n)}`);
  const template = build(...(params as { [K in keyof A]: Prisma.Sql }));
  const text = template.text;
  const { strings, values } = template;
  return (...args) => {
    // A statement as an argument would be spliced into the text, which is fixed.
    if (args.some((a) => a instanceof Prisma.Sql)) throw new Error("a fixed statement takes values only");
    return new FixedSql(
      text,
      strings,
      values.map((v) => (v instanceof Param ? args[v.n] : v)),
    );
  };
}
