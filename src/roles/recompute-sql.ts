// The set-based form of resolveRole (resolve.ts): CTEs that compute, for every targeted user
// of one organization, the old and new role and roleSource in a single statement. Used by the
// recompute seam (some users or the whole org) and by the preview (candidate rules, no writes).
import { Prisma } from "../generated/prisma/client";
import type { Ctx } from "../shared/context";
import { eventsCte, userObjectColumns, userObjectSql, type EventRows } from "../events/sql";
import type { MappingRule } from "./resolve";
import { ROLE_RANK } from "./permissions";
import { foldColumn } from "../shared/fold-sql";

/** ROLE_RANK as SQL over a rule's `role` (role names are our own enum: no input reaches it). */
const RANK_OF_ROLE = Prisma.raw(
  `CASE role ${Object.entries(ROLE_RANK)
    .map(([role, rank]) => `WHEN '${role}' THEN ${rank}`)
    .join(" ")} END`,
);

export type Sql = Prisma.Sql;

/**
 * Where the rules and default role come from: the stored ones, or a candidate set (preview).
 * `positions` of stored rules: how many rule positions there are (max position + 1), read by
 * the caller while it holds the organization lock that every rules change takes; unknown
 * means the most there can be. It sizes the bit set of `sig` (see sigShape). `assumeSsoOn` of a
 * candidate: computed as if the organization's connection were enabled (see ssoOnSource).
 */
export type RuleSet =
  | { kind: "stored"; positions?: number }
  | { kind: "candidate"; rules: MappingRule[]; defaultRole: string | null; assumeSsoOn?: boolean };

/**
 * Which users: all of the org, a list of ids (comma-joined into one parameter, any length), or
 * a chunk of the org's users in id order: the first `limit` after `after` (the embedded sweep).
 */
export type Target =
  { kind: "org" } | { kind: "users"; ids: string[] } | { kind: "range"; after: string | null; limit: number };

function rulesSource(orgId: string, set: RuleSet): Sql {
  if (set.kind === "stored") {
    return Prisma.sql`SELECT position, "group", role::text AS role
      FROM role_mapping_rules WHERE org_id = ${orgId}::uuid`;
  }
  if (set.rules.length === 0)
    return Prisma.sql`SELECT NULL::int AS position, NULL::text AS "group", NULL::text AS role WHERE false`;
  const rows = set.rules.map((r, i) => Prisma.sql`(${i}::int, ${r.group}::text, ${r.role}::text)`);
  return Prisma.sql`SELECT * FROM (VALUES ${Prisma.join(rows)}) AS v(position, "group", role)`;
}

function defaultRoleSource(orgId: string, set: RuleSet): Sql {
  return set.kind === "stored"
    ? Prisma.sql`(SELECT default_role::text FROM organizations WHERE id = ${orgId}::uuid)`
    : Prisma.sql`${set.defaultRole}::text`;
}

/**
 * Whether SSO is on. Assumed on: on as soon as the organization has a connection, as enabling it
 * would make it (and as the preview's write inside a rolled-back transaction made it before: an
 * expression instead lets the embedded preview run in chunks without holding a transaction).
 */
function ssoOnSource(orgId: string, set: RuleSet): Sql {
  return set.kind === "candidate" && set.assumeSsoOn
    ? Prisma.sql`EXISTS (SELECT 1 FROM sso_connections WHERE org_id = ${orgId}::uuid)`
    : Prisma.sql`coalesce((SELECT enabled FROM sso_connections WHERE org_id = ${orgId}::uuid), false)`;
}

/** A list of ids as one text parameter, cheaper to send and to parse than an array of uuids. */
export const idList = (ids: string[]): Sql =>
  Prisma.sql`string_to_array(${ids.join(",")}::text, ',')::uuid[]`;

/**
 * The FROM of `target`. Why a list of users starts from the ids: right after a bulk import the
 * statistics still describe a small organization, and a plan that starts from the org_id index
 * then reads every user of the organization for each of a few users (docs/benchmarks.md, the
 * third SCIM round); starting from the ids makes it primary-key lookups whatever the stats.
 */
function targetFrom(orgId: string, target: Target): Sql {
  if (target.kind === "org") return Prisma.sql`FROM users WHERE org_id = ${orgId}::uuid`;
  if (target.kind === "range") {
    const after = target.after === null ? Prisma.empty : Prisma.sql`AND id > ${target.after}::uuid`;
    return Prisma.sql`FROM users WHERE org_id = ${orgId}::uuid ${after}
      ORDER BY id LIMIT ${Prisma.raw(String(Math.trunc(target.limit)))}`;
  }
  return Prisma.sql`FROM unnest(${idList(target.ids)}) AS wanted(id) JOIN users USING (id) WHERE org_id = ${orgId}::uuid`;
}

/**
 * The FROM of the membership half of `matches`. For a list of users or a chunk, through `target`
 * (users of this organization) and `rule_groups` (its groups), so still scoped to the
 * organization, and read by user_id for the same reason as targetFrom (a plan through the org_id
 * index reads the organization's every membership once per targeted user). A list: OFFSET 0
 * keeps the LATERAL subquery from being flattened into a join the planner could reorder, so it
 * stays one user_id index scan per targeted user. A chunk (1,000 users of the embedded sweep and
 * previews): one index scan over all its ids, and rule_groups hashed once; the LATERAL form
 * joined rule_groups inside the loop, once per user (22 against 13 ms a chunk on PGlite at
 * 100,000 users, docs/benchmarks.md).
 */
function membershipsFrom(orgId: string, target: Target): Sql {
  if (target.kind === "org")
    return Prisma.sql`FROM group_memberships m JOIN rule_groups rg ON rg.group_id = m.group_id
      WHERE m.org_id = ${orgId}::uuid`;
  if (target.kind === "range")
    return Prisma.sql`FROM group_memberships m JOIN rule_groups rg ON rg.group_id = m.group_id
      WHERE m.user_id = ANY (ARRAY(SELECT id FROM target))`;
  return Prisma.sql`FROM target t
      CROSS JOIN LATERAL (SELECT group_id, user_id FROM group_memberships WHERE user_id = t.id OFFSET 0) m
      JOIN rule_groups rg ON rg.group_id = m.group_id`;
}

/** Rule positions a user matched, as a bit set in up to 8 bigint words (rules are at most 500). */
const SIG_MAX_WORDS = 8;

/**
 * The bit set's columns, aggregates and per-rule word for `words` words. Why not always 8: each
 * word is one more aggregate per matched (user, rule) row and one more column to group and join
 * on; an organization with at most 64 rules needs one (what that is worth: docs/decisions.md). A rule at
 * a position beyond the words would match nobody, hence `positions` is read under the lock.
 */
function sigShape(set: RuleSet) {
  const positions = set.kind === "candidate" ? set.rules.length : (set.positions ?? SIG_MAX_WORDS * 64);
  const words = Array.from(
    { length: Math.min(SIG_MAX_WORDS, Math.max(1, Math.ceil(positions / 64))) },
    (_, k) => k,
  );
  return {
    columns: Prisma.raw(words.map((k) => `w${k}`).join(", ")),
    aggregates: Prisma.raw(
      words
        .map(
          (k) =>
            `bit_or(CASE WHEN position / 64 = ${k} THEN 1::bigint << (position % 64) ELSE 0 END) AS w${k}`,
        )
        .join(", "),
    ),
    wordOfRule: Prisma.raw(
      `CASE r.position / 64 ${words.map((k) => `WHEN ${k} THEN s.w${k}`).join(" ")} END`,
    ),
  };
}

/**
 * `WITH ... computed AS (...), changed AS (...)`: one row per targeted user with id, email,
 * status, old_role, old_source, new_role (text or null) and new_source (jsonb); `changed` keeps
 * the rows whose role or roleSource differ. Callers append their own CTEs and SELECT.
 * Matching is the identity fold (shared/fold-sql.ts) on both sides; a sign-in value matches a rule directly, or through a
 * group the rule names (by displayName or externalId) when the value is that group's other name.
 * Why UNION ALL in `matches` and MATERIALIZED `og`: bit_or is idempotent, so duplicate matches
 * need no de-duplication pass over every match; and each group name is folded once, not once
 * per (rule, group) pair of the rule_groups join. The `cardinality` test: most users carry no
 * sign-in values, and skipping them spares an unnest call each.
 */
export function computedCte(orgId: string, set: RuleSet, target: Target): Sql {
  const sig = sigShape(set);
  return Prisma.sql`WITH
  r AS (
    SELECT position, "group", ${foldColumn('"group"')} AS name, role,
      ${RANK_OF_ROLE} AS rank
    FROM (${rulesSource(orgId, set)}) AS rules_source
  ),
  settings AS (
    SELECT ${defaultRoleSource(orgId, set)} AS default_role,
      ${ssoOnSource(orgId, set)} AS sso_on
  ),
  og AS MATERIALIZED (
    SELECT id, ${foldColumn("display_name")} AS dn, ${foldColumn("external_id")} AS ext
    FROM groups WHERE org_id = ${orgId}::uuid
  ),
  rule_groups AS (
    SELECT r.position, og.id AS group_id, og.dn, og.ext FROM r JOIN og ON r.name = og.dn OR r.name = og.ext
  ),
  rule_names AS (
    SELECT position, name FROM r
    UNION SELECT position, dn FROM rule_groups
    UNION SELECT position, ext FROM rule_groups WHERE ext IS NOT NULL
  ),
  target AS (
    SELECT id, email, status::text AS status, role::text AS old_role, role_source AS old_source,
      (provisioned_by = 'invite' AND manual_role) AS manual_capable,
      assigned_role::text AS assigned_role, sso_groups, sso_groups_overage
    ${targetFrom(orgId, target)}
  ),
  matches AS (
    SELECT m.user_id, rg.position
    ${membershipsFrom(orgId, target)}
    UNION ALL
    SELECT t.id, rn.position
    FROM target t CROSS JOIN LATERAL unnest(t.sso_groups) AS v(value)
    JOIN rule_names rn ON rn.name = ${foldColumn("v.value")}
    WHERE NOT t.sso_groups_overage AND cardinality(t.sso_groups) > 0
  ),
  sig AS (
    SELECT user_id, ${sig.aggregates}
    FROM matches GROUP BY user_id
  ),
  sig_rules AS (
    SELECT s.*, r.position, r."group", r.role, r.rank,
      max(r.rank) OVER (PARTITION BY ${sig.columns}) AS best
    FROM (SELECT DISTINCT ${sig.columns} FROM sig) s
    JOIN r ON (${sig.wordOfRule} >> (r.position % 64)) & 1 = 1
  ),
  sig_won AS (
    SELECT ${sig.columns}, min(role) AS role,
      jsonb_build_object('kind', 'mapping',
        'rules', jsonb_agg(jsonb_build_object('group', "group", 'role', role) ORDER BY position)) AS source
    FROM sig_rules WHERE rank = best GROUP BY ${sig.columns}
  ),
  won AS (
    SELECT sig.user_id, sig_won.role, sig_won.source FROM sig JOIN sig_won USING (${sig.columns})
  ),
  computed AS (
    SELECT t.id, t.email, t.status, t.old_role, t.old_source,
      CASE WHEN t.manual_capable AND NOT s.sso_on THEN t.assigned_role
        ELSE coalesce(w.role, s.default_role) END AS new_role,
      CASE WHEN t.manual_capable AND NOT s.sso_on THEN '{"kind":"manual","rules":[]}'::jsonb
        WHEN t.sso_groups_overage THEN coalesce(w.source, '{"kind":"default","rules":[]}'::jsonb) || '{"overage":true}'::jsonb
        ELSE coalesce(w.source, '{"kind":"default","rules":[]}'::jsonb)
      END AS new_source
    FROM target t CROSS JOIN settings s LEFT JOIN won w ON w.user_id = t.id
  ),
  changed AS (
    SELECT * FROM computed
    WHERE new_role IS DISTINCT FROM old_role OR new_source IS DISTINCT FROM old_source
  )`;
}

/** The UPDATE of the changed rows, as one more CTE after computedCte. */
export function updateChangedCte(orgId: string): Sql {
  return Prisma.sql`,
  updated AS (
    UPDATE users u SET role = c.new_role::"Role", role_source = c.new_source, updated_at = now()
    FROM changed c WHERE u.id = c.id AND u.org_id = ${orgId}::uuid
    RETURNING ${userObjectColumns("u")}
  )`;
}

/** The counts the API answers: users whose role changed, by new role. */
export const countsSelect = Prisma.sql`
  SELECT count(*)::int AS changed,
    count(*) FILTER (WHERE new_role = 'Admin')::int AS "Admin",
    count(*) FILTER (WHERE new_role = 'Support')::int AS "Support",
    count(*) FILTER (WHERE new_role = 'Viewer')::int AS "Viewer",
    count(*) FILTER (WHERE new_role IS NULL)::int AS "none"
  FROM changed WHERE new_role IS DISTINCT FROM old_role`;

/**
 * The `user.role_changed` event of each row of `from`, the one shape every writer of that event
 * uses: `u` is the user row as updated, `c` holds its old_role, new_role and new_source. The
 * audit data says from, to and why; the outbox payload is the user object with previousRole.
 */
export const roleChangedEvent = (from: Sql, orderBy?: Sql): EventRows<"user.role_changed"> => ({
  action: "user.role_changed",
  from,
  targetId: Prisma.sql`u.id::text`,
  data: Prisma.sql`jsonb_build_object('id', u.id::text, 'email', u.email, 'from', c.old_role,
    'to', c.new_role, 'roleSource', c.new_source)`,
  payload: Prisma.sql`${userObjectSql("u")} || jsonb_build_object('previousRole', c.old_role)`,
  ...(orderBy ? { orderBy } : {}),
});

/**
 * The `user.role_changed` audit and outbox events of the rows of `changed` whose role changed,
 * as data-modifying CTEs after updateChangedCte (from the catalogue's eventsCte), in email
 * order so that the audit log reads predictably.
 */
export function roleEventsCte(ctx: Ctx): Sql {
  return eventsCte(ctx, "role_events", [
    roleChangedEvent(
      Prisma.sql`changed c JOIN updated u ON u.id = c.id WHERE c.new_role IS DISTINCT FROM c.old_role`,
      Prisma.sql`c.email, c.id`,
    ),
  ]);
}

/** The whole-org recompute as one statement: update and events as data-modifying CTEs; answers the counts. */
export function orgRecomputeSql(ctx: Ctx, positions?: number): Sql {
  return Prisma.sql`${computedCte(ctx.orgId, { kind: "stored", positions }, { kind: "org" })}
    ${updateChangedCte(ctx.orgId)}
    ${roleEventsCte(ctx)}
  ${countsSelect}`;
}

/**
 * Session settings for one whole-org statement, scoped to its transaction: enough memory for
 * the sorts of 100,000 rows to stay off disk, and no JIT compilation (it costs more than it
 * saves on a statement that runs once). Answers, in the same round trip, how many rule
 * positions the organization stores (RuleSet `positions`): call it holding the org lock.
 */
export const bulkSettingsSql = (orgId: string): Sql =>
  Prisma.sql`SELECT set_config('work_mem', '64MB', true) AS work_mem, set_config('jit', 'off', true) AS jit,
    (SELECT coalesce(max(position) + 1, 0) FROM role_mapping_rules WHERE org_id = ${orgId}::uuid)::int AS positions`;
