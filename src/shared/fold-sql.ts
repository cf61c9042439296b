// fold() (shared/fold.ts) as SQL over an expression, for statements that match identities the
// database holds as given (sign-in group values, group externalIds, rule groups). Printable
// ASCII, the common case, as fold() does it: lower() under the "C" collation, which lowers A-Z
// alone whatever the database's own collation (a Turkish one would lower I to dotless ı);
// anything else through sso_bridge_fold, fold()'s SQL twin (migration identity_fold).
import { Prisma } from "../generated/prisma/client";

export const foldSql = (expr: Prisma.Sql): Prisma.Sql =>
  Prisma.sql`(CASE WHEN (${expr} COLLATE "C") ~ '^[ -~]*$' THEN lower(${expr} COLLATE "C") ELSE sso_bridge_fold(${expr}) END)`;

/** foldSql over a column or alias named in our own SQL (never input). */
export const foldColumn = (column: string): Prisma.Sql => foldSql(Prisma.raw(column));
