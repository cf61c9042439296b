// The SCIM User resource of a users row as JSON text, built by PostgreSQL in the statement that
// reads the row: the reads of every sync (lookups, pages, GET by id) then pass the text through
// without parsing columns, building objects and serialising them again in the server process,
// which on two cores was the bottleneck of both (docs/decisions.md).
//
// It is the same document as presentUser (present.ts, used where a write already holds the row);
// test/scim/resource-sql.test.ts holds the two equal over users with every kind of attribute.
// Keys may come in another order: JSON objects have none.
//
// Why text and not json(b)_build_object: a key that is absent when its column is NULL costs
// nothing as text (`',"key":' || NULL` is NULL, and concat_ws skips it), while jsonb would
// build and merge a value per attribute (several times the text's cost; docs/decisions.md). The
// stored attributes (users.scim_data) are spliced in as the inner text of their JSON object.
import { Prisma } from "../../generated/prisma/client";
import { ENTERPRISE_SCHEMA, USER_SCHEMA } from "../schema/attributes";

// Our own constants, written into the statement's text: they never vary, so they need no parameter.
const literal = (s: string) => Prisma.raw(`'${s.replace(/'/g, "''")}'`);
const ENTERPRISE = literal(ENTERPRISE_SCHEMA);
const ONE_SCHEMA = literal(JSON.stringify([USER_SCHEMA]));
const TWO_SCHEMAS = literal(JSON.stringify([USER_SCHEMA, ENTERPRISE_SCHEMA]));
const ENTERPRISE_KEY = literal(`,${JSON.stringify(ENTERPRISE_SCHEMA)}:{`);
const ISO_8601 = literal(`YYYY-MM-DD"T"HH24:MI:SS.MS"Z"`);

/** The members of a jsonb object as JSON text without its braces, NULL when it has none or is
 * no object (documentOfUser reads anything else as {}). */
const membersOf = (v: Prisma.Sql) =>
  Prisma.sql`nullif(left(substr(CASE WHEN jsonb_typeof(${v}) = 'object' THEN (${v})::text END, 2), -1), '')`;

/** `"key":value` for a text column, NULL when the column is. */
const member = (key: string, column: Prisma.Sql) =>
  Prisma.sql`${literal(`${JSON.stringify(key)}:`)} || to_json(${column})::text`;

/** `,"key":{members}`, or nothing when there are no members (every one NULL). */
const object = (key: Prisma.Sql, ...members: Prisma.Sql[]) =>
  Prisma.sql`coalesce(${key} || nullif(concat_ws(',', ${Prisma.join(members)}), '') || '}', '')`;

/**
 * Where userResourceSql finds the organization's SCIM base URL (`b.base`): join it to the
 * statement's FROM, next to the users row `u`.
 */
export const baseUrlJoin = (baseUrl: string | Prisma.Sql): Prisma.Sql =>
  Prisma.sql`CROSS JOIN (SELECT ${baseUrl}::text AS base) b`;

/**
 * A scalar subquery on the users row aliased `u`: its SCIM resource as JSON text, with meta and
 * references under the base URL `b.base` (baseUrlJoin), and its groups when `withGroups`. Built
 * once per shape (it has no parameter of its own), not on every request.
 */
export const userResourceSql = (withGroups: boolean): Prisma.Sql =>
  withGroups ? WITH_GROUPS : WITHOUT_GROUPS;

function build(withGroups: boolean): Prisma.Sql {
  const groups = withGroups
    ? Prisma.sql`|| ',"groups":[' || coalesce((
        SELECT string_agg('{"value":"' || g.id::text || '","display":' || to_json(g.display_name)::text
          || ',"$ref":' || to_json(b.base || '/Groups/' || g.id)::text || ',"type":"direct"}', ','
          ORDER BY g.display_name_lower, g.id)
        FROM group_memberships m
        -- One primary-key lookup per membership whatever the statistics say (OFFSET 0 keeps
        -- the planner from turning it into a join that reads every group of the organization).
        CROSS JOIN LATERAL (SELECT id, display_name, display_name_lower FROM groups
          WHERE groups.id = m.group_id OFFSET 0) g
        WHERE m.user_id = u.id), '') || ']'`
    : Prisma.empty;
  const manager = Prisma.sql`CASE WHEN u.manager_id <> '' THEN '"manager":{"value":' || to_json(u.manager_id)::text
    || ',"$ref":' || to_json(b.base || '/Users/' || u.manager_id)::text || '}' END`;
  const data = Prisma.sql`u.scim_data`;
  return Prisma.sql`(
    SELECT '{"schemas":' || CASE WHEN x.enterprise = '' THEN ${ONE_SCHEMA} ELSE ${TWO_SCHEMAS} END
      || ',"id":"' || u.id::text || '",' || ${member("userName", Prisma.sql`u.user_name`)}
      || ',"active":' || CASE WHEN u.status = 'active' THEN 'true' ELSE 'false' END
      || coalesce(',' || ${member("externalId", Prisma.sql`u.external_id`)}, '')
      || coalesce(',' || ${member("displayName", Prisma.sql`u.display_name`)}, '')
      || ${object(
        literal(`,"name":{`),
        membersOf(Prisma.sql`${data}->'name'`),
        member("givenName", Prisma.sql`u.first_name`),
        member("familyName", Prisma.sql`u.last_name`),
      )}
      || coalesce(',"emails":[' || (
        SELECT string_agg('{"value":' || to_json(e.value)::text
          || CASE WHEN e.type <> '' THEN ',"type":' || to_json(e.type)::text ELSE '' END
          || ',"primary":' || CASE WHEN e."primary" THEN 'true' ELSE 'false' END || '}', ',' ORDER BY e.position)
        FROM user_emails e WHERE e.user_id = u.id) || ']', '')
      || x.enterprise
      || coalesce(',' || ${membersOf(Prisma.sql`x.rest`)}, '')
      ${groups}
      || ',"meta":{"resourceType":"User","created":"' || to_char(u.created_at AT TIME ZONE 'UTC', ${ISO_8601})
      || '","lastModified":"' || to_char(u.updated_at AT TIME ZONE 'UTC', ${ISO_8601})
      || '","location":' || to_json(b.base || '/Users/' || u.id)::text
      || ',"version":' || to_json('W/"' || u.version || '"')::text || '}}'
    FROM (SELECT ${object(ENTERPRISE_KEY, membersOf(Prisma.sql`${data}->${ENTERPRISE}`), manager)} AS enterprise,
      -- The other stored attributes (subtracting from a scalar would fail).
      CASE WHEN jsonb_typeof(${data}) = 'object' THEN ${data} - 'name' - ${ENTERPRISE} END AS rest) x
  )`;
}

const WITH_GROUPS = build(true);
const WITHOUT_GROUPS = build(false);
