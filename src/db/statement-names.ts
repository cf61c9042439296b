// Names for PostgreSQL prepared statements, so that each pooled connection parses and plans a
// query once instead of on every execution (@prisma/adapter-pg passes the name to pg, which
// keeps the prepared statement per connection). Why it pays: our hot statements (SCIM auth,
// lookups, pages) spend more of their PostgreSQL time planning than executing (figures in
// docs/decisions.md); a prepared statement may also switch to a generic
// plan after five runs, which PostgreSQL only does when it costs no more than the custom ones.
// Why bounded: a SCIM filter shapes the SQL text, so distinct texts are chosen by clients;
// every name is a statement kept open on every connection, so past MAX_NAMED texts queries
// run unnamed (parsed each time, as without this).
import { createHash } from "node:crypto";

const MAX_NAMED = 1000;

export function createStatementNamer(max = MAX_NAMED): (query: { sql: string }) => string | undefined {
  const names = new Map<string, string>();
  return ({ sql }) => {
    const known = names.get(sql);
    if (known !== undefined) return known;
    if (names.size >= max) return undefined;
    const name = `sb_${createHash("sha256").update(sql).digest("base64url").slice(0, 32)}`;
    names.set(sql, name);
    return name;
  };
}
