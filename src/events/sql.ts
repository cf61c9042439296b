// The event objects and the audit and outbox rows as SQL, built from the catalogue: for emit()
// and for the set-based paths (SCIM create, member batches, role recomputes) that write their
// events as data-modifying CTEs of the statement making the change. No other SQL writes
// audit_events or outbox_events. test/events/sql-objects.test.ts holds these objects equal to
// the admin API's (toUserDto, the groups list).
import { Prisma } from "../generated/prisma/client";
import type { Ctx } from "../shared/context";
import { AUDIT_ACTIONS, type AuditAction, type EventsOf } from "./audit-actions";

type Sql = Prisma.Sql;

/** An instant as the admin API writes it (Date.toISOString: UTC, milliseconds). */
const isoSql = (column: Sql): Sql =>
  Prisma.sql`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The users columns userObjectSql reads, qualified by `alias`: a RETURNING list for it. */
export const userObjectColumns = (alias: string): Sql =>
  Prisma.raw(
    [
      "id",
      "org_id",
      "email",
      "first_name",
      "last_name",
      "avatar_url",
      "status",
      "role",
      "role_source",
      "provisioned_by",
      "last_sign_in_at",
      "created_at",
    ]
      .map((c) => `${alias}.${c}`)
      .join(", "),
  );

/**
 * The admin API user object (CONTRACT section 6) of the users row `alias` (the table, or the
 * RETURNING rows of an INSERT or UPDATE with every column), with its groups as this
 * statement's snapshot sees them, ordered as groupsOf orders them.
 */
export function userObjectSql(alias: string): Sql {
  const a = Prisma.raw(alias);
  return Prisma.sql`jsonb_build_object('id', ${a}.id::text, 'email', ${a}.email, 'firstName', ${a}.first_name,
    'lastName', ${a}.last_name, 'avatarUrl', ${a}.avatar_url, 'status', ${a}.status::text, 'role', ${a}.role::text,
    'roleSource', ${a}.role_source,
    'groups', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', eg.id::text, 'displayName', eg.display_name,
        'source', eg.source::text) ORDER BY lower(eg.display_name) COLLATE "C", eg.id), '[]'::jsonb)
      FROM group_memberships em JOIN groups eg ON eg.id = em.group_id
      WHERE em.user_id = ${a}.id AND em.org_id = ${a}.org_id),
    'provisionedBy', ${a}.provisioned_by::text, 'lastSignInAt', ${isoSql(Prisma.sql`${a}.last_sign_in_at`)},
    'createdAt', ${isoSql(Prisma.sql`${a}.created_at`)})`;
}

/**
 * The role a group's members get from the rules alone (roleOfGroup in roles/resolve.ts): the
 * highest-ranked rule naming its displayName or externalId, case-insensitively.
 */
const groupRoleSql = (g: Sql): Sql => Prisma.sql`(SELECT er.role::text FROM role_mapping_rules er
    WHERE er.org_id = ${g}.org_id AND er.group_lower IN (lower(${g}.display_name), lower(${g}.external_id))
    ORDER BY CASE er.role WHEN 'Admin' THEN 0 WHEN 'Support' THEN 1 ELSE 2 END LIMIT 1)`;

/**
 * The members of the group `g` (an expression of its id) as this statement's snapshot sees them:
 * the sum of the slots that triggers on group_memberships keep (migration group_member_counts),
 * exactly count(*) of its memberships, read from at most 64 rows however many members it has.
 */
export const memberCountSql = (groupId: Sql): Sql =>
  Prisma.sql`(SELECT coalesce(sum(gc.members), 0)::int FROM group_member_counts gc WHERE gc.group_id = ${groupId})`;

/**
 * The group object of the groups row `alias` (objects.ts). `memberCount` defaults to the
 * memberships this statement's snapshot sees; a statement that changes them passes its own.
 */
export function groupObjectSql(alias: string, memberCount?: Sql): Sql {
  const g = Prisma.raw(alias);
  const count = memberCount ?? memberCountSql(Prisma.sql`${g}.id`);
  return Prisma.sql`jsonb_build_object('id', ${g}.id::text, 'displayName', ${g}.display_name,
    'externalId', ${g}.external_id, 'source', ${g}.source::text, 'memberCount', ${count},
    'role', ${groupRoleSql(g)})`;
}

/** One action's rows in an eventsCte: an expression per column over the rows of `from`. */
export interface EventRows<A extends AuditAction = AuditAction> {
  action: A;
  /** The outbox type, among the action's (default: its first); none for audit-only actions. */
  event?: EventsOf<A>;
  /** A FROM list (with its WHERE), e.g. Prisma.sql`changed c JOIN updated u ON u.id = c.id`. */
  from: Sql;
  /** The target's id as text; it is also the outbox row's subject_id. */
  targetId: Sql;
  /** The audit row's data (jsonb), of the shape AUDIT_ACTIONS[action].data declares. */
  data: Sql;
  /** The outbox payload (jsonb): userObjectSql or groupObjectSql, with what the type adds. */
  payload?: Sql;
  /** The order of this action's rows among themselves (audit seq and outbox id follow it). */
  orderBy?: Sql;
}

/** The outbox type an action writes, checked against the catalogue. */
export function eventTypeOf(action: AuditAction, event?: string): string | null {
  const events: readonly string[] = AUDIT_ACTIONS[action].events;
  if (event !== undefined && !events.includes(event))
    throw new Error(`audit action ${action} does not write ${event} events`);
  return event ?? events[0] ?? null;
}

/**
 * Data-modifying CTEs (each starting with a comma, to follow a WITH list) that write the audit
 * rows and outbox rows of `parts`, in the order of the parts and then of each part's orderBy.
 * Why one INSERT per table for all parts: sibling CTEs run in no set order, and a consumer must
 * read, say, a user's user.created before its user.role_changed. `name` prefixes the CTEs
 * (`<name>`, `<name>_audited`, `<name>_queued`, each RETURNING 1 per row written).
 */
export function eventsCte(ctx: Ctx, name: string, parts: EventRows[]): Sql {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a CTE name: ${name}`);
  if (parts.length === 0) throw new Error("eventsCte needs at least one part");
  const selects = parts.map((p, i) => {
    const type = eventTypeOf(p.action, p.event);
    if (type !== null && p.payload === undefined)
      throw new Error(`${p.action} writes ${type}: give its payload`);
    const payload = type === null ? Prisma.sql`NULL::jsonb` : p.payload!;
    const order = p.orderBy ?? Prisma.sql`1`;
    return Prisma.sql`SELECT ${i}::int AS ord, row_number() OVER (ORDER BY ${order}) AS n,
      ${p.action}::text AS action, ${AUDIT_ACTIONS[p.action].target}::text AS target_type,
      ${type}::text AS type, (${p.targetId})::text AS target_id, (${p.data})::jsonb AS data, (${payload})::jsonb AS payload
      FROM ${p.from}`;
  });
  const n = Prisma.raw(name);
  return Prisma.sql`,
  ${n} AS (${Prisma.join(selects, " UNION ALL ")}),
  ${Prisma.raw(`${name}_audited`)} AS (
    INSERT INTO audit_events (id, org_id, actor_type, actor_id, actor_name, action, target_type, target_id, data, request_id)
    SELECT gen_random_uuid(), ${ctx.orgId}::uuid, ${ctx.actor.type}, ${ctx.actor.id ?? null}, ${ctx.actor.name ?? null},
      action, target_type, target_id, data, ${ctx.requestId ?? null}
    FROM ${n} ORDER BY ord, n
    RETURNING 1
  ),
  ${Prisma.raw(`${name}_queued`)} AS (
    INSERT INTO outbox_events (org_id, type, subject_id, payload)
    SELECT ${ctx.orgId}::uuid, type, target_id, payload FROM ${n} WHERE type IS NOT NULL ORDER BY ord, n
    RETURNING 1
  )`;
}
