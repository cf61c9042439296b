// The hot SCIM User statements in raw SQL, one round trip each: a users select that answers
// each user's SCIM resource as JSON text (resource-sql.ts), so a page costs neither a query per
// relation nor a parse and a serialisation per user in the server; and the create of a user
// with its email rows, its audit event and its outbox event as data-modifying CTEs (the event
// catalogue's eventsCte).
import { randomUUID } from "node:crypto";
import { Prisma } from "../../generated/prisma/client";
import type { UserStatus } from "../../generated/prisma/client";
import type { Reader, SqlTx } from "../../db/client";
import type { ScimCtx } from "../context";
import type { UserFields, UserRow } from "./document";
import { eventsCte, userObjectColumns, userObjectSql } from "../../events";
import { baseUrlJoin, userResourceSql } from "./resource-sql";
import { MAX_PAGE_SIZE } from "../list-query";
import { fixedStatement } from "../../db/fixed-statement";
import { INITIAL_ROLE_SOURCE, orgDefaultRoleCte } from "../../roles/initial-role";
import { roleChangedEvent } from "../../roles/recompute-sql";
import { seatsUnlimitedSql } from "../../orgs/plans";

/**
 * Why the page size is written into the text (it is one of few values: clients page by a fixed
 * count): with LIMIT as a parameter, the plan PostgreSQL caches for a prepared statement assumes
 * a thousand rows, a hash join over every user of the organization, so it keeps planning each
 * execution anew instead (docs/decisions.md); with the literal, the cached plan is the
 * nested loop over the page.
 */
function limitLiteral(limit: number): Prisma.Sql {
  if (!Number.isInteger(limit) || limit < 0 || limit > MAX_PAGE_SIZE)
    throw new Error(`not a page size: ${limit}`);
  return Prisma.raw(String(limit));
}

/**
 * Users SCIM may see (alias u): every user but the local accounts (provisioned_by 'invite', not
 * linked by a SCIM create; docs/scim.md). Written as the exclusion of their ids, which the
 * partial index users_org_local_idx lists, so that a page still reads only the (org_id,
 * created_at, id) index for the rows an OFFSET skips.
 */
const scimVisible = (orgId: string) =>
  Prisma.sql`u.id NOT IN (SELECT l.id FROM users l WHERE l.org_id = ${orgId}::uuid AND l.provisioned_by = 'invite')`;

/** One user's SCIM resource as JSON text (resource-sql.ts), with the version for its ETag. */
export async function selectUserResource(
  read: Reader,
  ctx: Pick<ScimCtx, "orgId" | "baseUrl">,
  id: string,
  withGroups: boolean,
): Promise<{ resource: string; version: number } | null> {
  const statement = withGroups ? USER_BY_ID.withGroups : USER_BY_ID.withoutGroups;
  const [row] = await read<{ resource: string; version: number }>(statement(ctx.baseUrl, id, ctx.orgId));
  return row ?? null;
}

/** Both shapes of a statement (with and without groups), each with its text built once
 * (db/fixed-statement.ts): the resource's SQL is kilobytes. */
const byShape = <A extends unknown[]>(
  arity: A["length"],
  build: (withGroups: boolean, ...p: { [K in keyof A]: Prisma.Sql }) => Prisma.Sql,
) => ({
  withGroups: fixedStatement<A>(arity, (...p) => build(true, ...p)),
  withoutGroups: fixedStatement<A>(arity, (...p) => build(false, ...p)),
});

const USER_BY_ID = byShape<[baseUrl: string, id: string, orgId: string]>(
  3,
  (withGroups, baseUrl, id, orgId) => Prisma.sql`
    SELECT ${userResourceSql(withGroups)} AS resource, u.version
    FROM users u ${baseUrlJoin(baseUrl)} WHERE u.id = ${id}::uuid AND u.org_id = ${orgId}::uuid
      AND u.provisioned_by <> 'invite'`,
);

const USER_BY_NAME = byShape<[baseUrl: string, orgId: string, userNameLower: string]>(
  3,
  (withGroups, baseUrl, orgId, userNameLower) => Prisma.sql`
    SELECT ${userResourceSql(withGroups)} AS resource
    FROM users u ${baseUrlJoin(baseUrl)}
    WHERE u.org_id = ${orgId}::uuid AND u.user_name_lower = ${userNameLower} AND u.provisioned_by <> 'invite'`,
);

/**
 * The user SCIM may see with this userName key, as its resource: the `userName eq` lookup that
 * Okta and Entra send before every create. Why its own statement and not a page: userName is
 * unique in the organization, so the match is the whole answer (no count, no order, no page),
 * and its one condition is the unique index's, which the planner uses whatever the statistics
 * say, also right after a bulk import, before any ANALYZE.
 */
export async function selectUserByName(
  read: Reader,
  ctx: Pick<ScimCtx, "orgId" | "baseUrl">,
  userNameLower: string,
  withGroups: boolean,
): Promise<string | null> {
  const statement = withGroups ? USER_BY_NAME.withGroups : USER_BY_NAME.withoutGroups;
  const [row] = await read<{ resource: string }>(statement(ctx.baseUrl, ctx.orgId, userNameLower));
  return row?.resource ?? null;
}

/** How many users of the organization match `where` (a condition on alias u), as a subquery. */
export const countUsersSql = (orgId: string, where: Prisma.Sql) =>
  Prisma.sql`(SELECT count(*)::int FROM users u WHERE u.org_id = ${orgId}::uuid AND ${scimVisible(orgId)} AND ${where})`;

/**
 * How many users SCIM sees in the organization, as a subquery: the sum of its slots in
 * org_user_counts, which triggers keep (migration org_user_counts), less its local accounts
 * (a few entries of users_org_local_idx). The same number as countUsersSql(orgId, TRUE) without
 * reading an index entry per user on every page (docs/decisions.md).
 */
export const orgUsersSql = (orgId: string) =>
  Prisma.sql`((SELECT coalesce(sum(c.users), 0)::int FROM org_user_counts c WHERE c.org_id = ${orgId}::uuid)
    - (SELECT count(*)::int FROM users l WHERE l.org_id = ${orgId}::uuid AND l.provisioned_by = 'invite'))`;

/** A page of SCIM User resources: their JSON objects joined by commas, in list order. */
export interface UserPage {
  resources: string;
  count: number;
  /** The COUNT of every match, when asked for. */
  total: number | null;
}

/**
 * The users of ctx.orgId matching `where` (a condition on alias u), in the stable list order,
 * from `offset` and at most `limit` of them (all of them without), with (withGroups) their
 * groups, and `total` (a scalar subquery: countUsersSql or orgUsersSql) evaluated once. Why one
 * aggregated row: the server then decodes one string instead of a row per user. Why the inner
 * page: PostgreSQL computes the select list of the rows an OFFSET skips too; the
 * resources must be built for the page only. And why ids only in it: the rows an OFFSET skips
 * are then read from the (org_id, created_at, id) index alone, not fetched from the table
 * (5,100 heap fetches for a page at offset 5,000).
 */
export async function selectUserPage(
  read: Reader,
  ctx: Pick<ScimCtx, "orgId" | "baseUrl">,
  where: Prisma.Sql,
  page: { offset: number; limit?: number; withGroups: boolean; total?: Prisma.Sql },
): Promise<UserPage> {
  const total = page.total ?? Prisma.sql`NULL::int`;
  const limit = page.limit === undefined ? Prisma.empty : Prisma.sql`LIMIT ${limitLiteral(page.limit)}`;
  const [row] = await read<{ resources: string | null; count: number; total: number | null }>(Prisma.sql`
    SELECT string_agg(r.resource, ',' ORDER BY r.created_at, r.id) AS resources, count(*)::int AS count,
      ${total} AS total
    FROM (
      SELECT p.created_at, p.id, ${userResourceSql(page.withGroups)} AS resource
      FROM (
        SELECT u.id, u.created_at FROM users u
        WHERE u.org_id = ${ctx.orgId}::uuid AND ${scimVisible(ctx.orgId)} AND ${where}
        ORDER BY u.created_at, u.id OFFSET ${page.offset} ${limit}
      ) p JOIN users u ON u.id = p.id ${baseUrlJoin(ctx.baseUrl)}
    ) r`);
  return { resources: row?.resources ?? "", count: row?.count ?? 0, total: row?.total ?? null };
}

/**
 * Inserts a SCIM user with its initial role (roles/initial-role.ts), its email rows, its
 * `user.created` audit and outbox events and, when the organization has a default role, the
 * `user.role_changed` events the role seam would write: one statement, atomic on its own, so
 * a create without a seat limit needs no transaction around it. With `onlyIfSeatsUnlimited`
 * it writes nothing (and answers null) when the organization, as read under the statement's
 * lock, has a seat limit: the caller then counts seats in a transaction. It writes nothing
 * either when a local account has the userName or the email: the caller links it (link-local.ts).
 */
export async function insertUserWithEvents(
  db: SqlTx,
  ctx: ScimCtx,
  f: UserFields,
  status: UserStatus,
  onlyIfSeatsUnlimited = false,
): Promise<UserRow | null> {
  const id = randomUUID();
  const now = new Date();
  const row: UserRow = {
    id,
    orgId: ctx.orgId,
    email: f.email,
    emailLower: f.emailLower,
    userName: f.userName,
    userNameLower: f.userNameLower,
    externalId: f.externalId,
    firstName: f.firstName,
    lastName: f.lastName,
    displayName: f.displayName,
    status,
    scimData: f.scimData as Prisma.JsonObject,
    managerId: f.managerId,
    version: 1,
    createdAt: now,
    updatedAt: now,
    provisionedBy: "scim",
    emails: f.emails.map(({ value, type, primary, position }) => ({ value, type, primary, position })),
  };
  const audit = { via: "scim", email: f.email };
  const source = JSON.stringify(INITIAL_ROLE_SOURCE);
  const [written] = await db.$queryRaw<{ n: number }[]>`WITH
    ${orgDefaultRoleCte(ctx.orgId, onlyIfSeatsUnlimited ? seatsUnlimitedSql : undefined)},
    u AS (
      INSERT INTO users (id, org_id, email, email_lower, user_name, user_name_lower, external_id,
        first_name, last_name, display_name, status, provisioned_by, scim_data, manager_id,
        role, role_source, created_at, updated_at)
      SELECT ${id}::uuid, ${ctx.orgId}::uuid, ${f.email}, ${f.emailLower}, ${f.userName}, ${f.userNameLower},
        ${f.externalId}, ${f.firstName}, ${f.lastName}, ${f.displayName}, ${status}::"UserStatus",
        'scim'::"ProvisionedBy", ${JSON.stringify(f.scimData)}::jsonb, ${f.managerId},
        org_role.default_role, ${source}::jsonb, ${now}, ${now}
      FROM org_role
      WHERE NOT EXISTS (SELECT 1 FROM users l WHERE l.org_id = ${ctx.orgId}::uuid AND l.provisioned_by = 'invite'
        AND (l.user_name_lower = ${f.userNameLower} OR l.email_lower = ${f.emailLower}))
      RETURNING ${userObjectColumns("users")}
    ),
    e AS (
      INSERT INTO user_emails (id, org_id, user_id, value, value_lower, type, "primary", position)
      SELECT gen_random_uuid(), ${ctx.orgId}::uuid, u.id, x.value, x."valueLower", x.type, x."primary", x.position
      FROM u, json_to_recordset(${JSON.stringify(f.emails)}::json)
        AS x(value text, "valueLower" text, type text, "primary" boolean, position int)
    )
    ${eventsCte(ctx, "events", [
      {
        action: "user.created",
        from: Prisma.sql`u`,
        targetId: Prisma.sql`u.id`,
        data: Prisma.sql`${JSON.stringify(audit)}::jsonb`,
        payload: userObjectSql("u"),
      },
      // A created user's first role: from nothing to the default role, for the default's reason.
      roleChangedEvent(
        Prisma.sql`u CROSS JOIN LATERAL (SELECT NULL::text AS old_role, u.role::text AS new_role,
          ${source}::jsonb AS new_source) c WHERE u.role IS NOT NULL`,
      ),
    ])}
    SELECT count(*)::int AS n FROM events_queued`;
  // Every written user has a user.created outbox row: none means nothing was written.
  return (written?.n ?? 0) > 0 ? row : null;
}
