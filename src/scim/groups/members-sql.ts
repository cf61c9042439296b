// The SCIM Group statements in raw SQL: the read of a group's row (locked or not), its member
// ids, the lock of the users whose roles a write recomputes, and every write of a group and its
// members as one statement whatever the batch size (the create, a member batch, a rename or a
// replacement of every member): the existence check of the added users, the group row, the
// DELETE, the INSERT ... ON CONFLICT DO NOTHING and the group's audit and outbox events
// (events-sql.ts) as data-modifying CTEs, and for a member batch the lock of its users too. It
// is the one path by which SCIM changes memberships.
import { Prisma, type Group } from "../../generated/prisma/client";
import { committing, type Reader, type SqlTx } from "../../db/client";
import type { ScimCtx } from "../context";
import { isUuid } from "../../shared/ids";
import { groupEventsCtes, type GroupAction, type GroupEventData } from "./events-sql";
import { memberCountSql } from "../../events";
import { foldSql } from "../../shared/fold-sql";
import { idList } from "../../roles/recompute-sql";
const GROUP_COLUMNS = Prisma.sql`g.id::text AS id, g.org_id::text AS "orgId", g.display_name AS "displayName",
  g.display_name_lower AS "displayNameLower", g.external_id AS "externalId", g.source::text AS source,
  g.version, g.created_at AS "createdAt", g.updated_at AS "updatedAt"`;

/** Whether a role mapping rule of the organization names the group, by its folded displayName or
 * externalId (rules match users through the groups they name, as `group`). */
const namedByRule = (orgId: string, displayNameLower: Prisma.Sql, externalId: Prisma.Sql) =>
  Prisma.sql`EXISTS (SELECT 1 FROM role_mapping_rules r WHERE r.org_id = ${orgId}::uuid
      AND r.group_lower IN (${displayNameLower}, ${foldSql(externalId)}))`;

/** A group's row as lockGroupRow reads it. */
export interface LockedGroup {
  group: Group;
  /**
   * Whether a rule named the group in the snapshot of the lock's statement, taken before that
   * statement waited for its locks: a hint only (a rules change that committed meanwhile is not
   * in it). A member batch chooses by it whether to commit with its write (writeGroup,
   * lastUnlessMapped), whose own check decides.
   */
  namedByRule: boolean;
}

/**
 * The group's row, or null, with the group FOR UPDATE and its organization FOR SHARE (the role
 * seam's shared lock, see lockOrgForRoles) in the same statement, both held for the rest of the
 * transaction.
 */
export async function lockGroupRow(tx: SqlTx, orgId: string, id: string): Promise<LockedGroup | null> {
  const [row] = await tx.$queryRaw<(Group & { namedByRule: boolean })[]>`
    SELECT ${GROUP_COLUMNS}, ${namedByRule(orgId, Prisma.sql`g.display_name_lower`, Prisma.sql`g.external_id`)} AS "namedByRule"
    FROM groups g JOIN organizations o ON o.id = g.org_id
    WHERE g.id = ${id}::uuid AND g.org_id = ${orgId}::uuid FOR UPDATE OF g FOR SHARE OF o`;
  if (!row) return null;
  const { namedByRule: named, ...group } = row;
  return { group, namedByRule: named };
}

/** The group's row, or null, without locking it (on the driver: a read of every GET). */
export async function readGroupRow(read: Reader, orgId: string, id: string): Promise<Group | null> {
  const [row] = await read<Group>(
    Prisma.sql`SELECT ${GROUP_COLUMNS} FROM groups g WHERE g.id = ${id}::uuid AND g.org_id = ${orgId}::uuid`,
  );
  return row ?? null;
}

/** The ids of the group's members (the caller holds the group locked). */
export async function memberIdsOf(tx: SqlTx, orgId: string, groupId: string): Promise<string[]> {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT user_id::text AS id FROM group_memberships
    WHERE group_id = ${groupId}::uuid AND org_id = ${orgId}::uuid`;
  return rows.map((r) => r.id);
}

/**
 * Locks, in id order, the users of the organization among `ids` whose roles the caller will
 * recompute, and answers whether a role mapping rule names the group (by its displayName or
 * externalId, as `group`), in one statement; `onlyIfMapped` locks them only when one does (when
 * none does, memberships of the group cannot change a role: rules match users through the
 * groups they name, and the caller skips the recompute).
 *
 * Why, and why here: member batches of different groups that share users each recompute those
 * users. Without this, each role UPDATE locked the users in its own order, so two of them could
 * each hold a row the other waited for (PostgreSQL 40P01, issue 18); and a recompute could run
 * beside another's uncommitted membership change and write a role computed without it. Locked
 * first and in one order, the second waits for the first to commit, and its later statements
 * (the write, the recompute) see the first's memberships. Before the membership write, because
 * a user's DELETE takes the user and then its memberships: the same order. FOR NO KEY UPDATE,
 * what the role UPDATE takes anyway, so inserts of memberships referencing these users (the key
 * share of the foreign key) are not blocked. The rule check needs the organization lock held
 * (lockGroup) before this statement's snapshot: a rules change that committed while we waited
 * for the lock is then seen. A member batch takes the same lock inside its write statement
 * (GroupWrite.lockIfMapped), saving this statement's round trip.
 */
export async function lockUsersForRoles(
  tx: SqlTx,
  orgId: string,
  group: Pick<Group, "displayNameLower" | "externalId">,
  ids: string[],
  options: { onlyIfMapped: boolean },
): Promise<{ mapped: boolean }> {
  // No user, no role to recompute (a member-less group's DELETE): no statement. Why it matters
  // beyond the round trip: with an empty list PostgreSQL kept custom-planning this statement.
  if (!ids.some(isUuid)) return { mapped: false };
  const [row] = await tx.$queryRaw<{ mapped: boolean }[]>`WITH
    ${roleLockCtes(orgId, group, ids, options.onlyIfMapped)}
    SELECT (SELECT mapped FROM rule) AS mapped, (SELECT count(*) FROM locked)::int AS locked`;
  return { mapped: row?.mapped ?? true };
}

/** `rule` (whether a rule names the group) and `locked` (lockUsersForRoles), to follow a WITH. */
function roleLockCtes(
  orgId: string,
  group: Pick<Group, "displayNameLower" | "externalId">,
  ids: string[],
  onlyIfMapped: boolean,
): Prisma.Sql {
  const wanted = [...new Set(ids.filter(isUuid))];
  const named = namedByRule(
    orgId,
    Prisma.sql`${group.displayNameLower}`,
    Prisma.sql`${group.externalId}::text`,
  );
  return Prisma.sql`rule AS (SELECT ${named} AS mapped),
    locked AS MATERIALIZED (
      SELECT u.id FROM users u WHERE u.id = ANY(${idList(wanted)}) AND u.org_id = ${orgId}::uuid
        AND (${!onlyIfMapped} OR (SELECT mapped FROM rule))
      ORDER BY u.id FOR NO KEY UPDATE OF u
    )`;
}

export interface GroupWrite {
  /** The group as it is after the write (its names, id and times); the version is bumped by one. */
  group: Group;
  /** Insert the row (a create) rather than update it. */
  create: boolean;
  /** Remove every member that `add` does not name (a PUT, or a replace of members). */
  reset: boolean;
  add: string[];
  remove: string[];
  action: GroupAction;
  /** The events' data besides the group (membersAdded, membersRemoved, changed). */
  data: GroupEventData;
  /**
   * A member batch: lock these users for their roles, when a rule names the group, in this
   * statement and before any membership is written (lockUsersForRoles, onlyIfMapped).
   */
  lockIfMapped?: string[];
  /**
   * With lockIfMapped, the transaction's last statement (COMMIT rides with it, `committing`): it
   * then writes nothing when a rule names the group (the caller runs the transaction again, with
   * the recompute) or when an added id is not a user of the organization (the caller fails the
   * request), so that what commits is the whole batch or nothing.
   */
  lastUnlessMapped?: boolean;
}

/**
 * Why the LATERAL lookups (and no org-wide index on memberships): right after a bulk import the
 * statistics still describe a small organization, and this statement, prepared and run with a
 * generic plan, then read every user and every membership of the organization to find 100 of
 * them; one index lookup per id does not depend on the statistics (EXPLAIN figures in
 * docs/decisions.md).
 *
 * Writes the group (insert, or update of its names with the version bumped), its members and
 * its events, with the group (and on an update, its organization FOR SHARE: lockGroup) and the
 * users whose roles will be recomputed (lockUsersForRoles) locked by the caller, or for a member
 * batch by this statement (lockIfMapped). Answers the added ids that are not users of the
 * organization (the caller must fail the transaction when there are any) and, with
 * lockIfMapped, whether a rule names the group (then the caller recomputes those users).
 */
export async function writeGroup(
  tx: SqlTx,
  ctx: ScimCtx,
  w: GroupWrite,
): Promise<{ unknown: string[]; mapped: boolean }> {
  const unknown = w.add.filter((id) => !isUuid(id));
  if (unknown.length > 0) return { unknown, mapped: true };
  const g = w.group;
  const groupRow = w.create
    ? Prisma.sql`INSERT INTO groups (id, org_id, display_name, display_name_lower, external_id, source,
        version, created_at, updated_at)
      VALUES (${g.id}::uuid, ${ctx.orgId}::uuid, ${g.displayName}, ${g.displayNameLower}, ${g.externalId},
        'scim', 1, ${g.createdAt}, ${g.updatedAt})`
    : Prisma.sql`UPDATE groups SET display_name = ${g.displayName}, display_name_lower = ${g.displayNameLower},
        external_id = ${g.externalId}, version = version + 1, updated_at = ${g.updatedAt}
      WHERE id = ${g.id}::uuid AND org_id = ${ctx.orgId}::uuid`;
  const gone = w.reset
    ? Prisma.sql`user_id <> ALL(${w.add}::uuid[])`
    : Prisma.sql`user_id = ANY(${w.remove.filter(isUuid)}::uuid[])`;
  // Only the parts this write can need, as userChangeCtes does: a created group has no members
  // to remove, a write that adds none needs no existence check, and one that removes none (a
  // member batch of adds only) no DELETE. Why it matters: with the empty parts in the text,
  // PostgreSQL kept planning the statement for each execution's values (custom plans, 0.4 ms of
  // its CPU per member-less create) instead of reusing its generic plan; and an empty DELETE
  // still fires the member count's statement trigger (0.05–0.14 ms per add batch).
  const adds = w.add.length > 0;
  const removes = !w.create && (w.reset || w.remove.some(isUuid));
  const locks = w.lockIfMapped !== undefined;
  if (locks && w.create) throw new Error("a created group has no members whose roles to lock");
  const last = w.lastUnlessMapped === true;
  if (last && !locks)
    throw new Error("only a member batch checks in its write whether a rule names the group");
  const parts: Prisma.Sql[] = [];
  // Why the lock in this statement (a member batch): it saves the round trip of a statement of
  // its own. What it keeps of that statement: the rule check's snapshot is taken after the
  // organization lock (lockGroup, an earlier statement), so a rules change that committed
  // meanwhile is seen; every write below waits for the lock (`afterLock`, a one-time filter:
  // PostgreSQL evaluates it before the write's first row), so the order stays organization,
  // group, users by id, memberships; when the group is mapped, only users this statement locked
  // count as existing (one deleted while we waited for it is then unknown, as a later statement
  // would have found); and the recompute, a later statement, sees the memberships of a batch it
  // waited for.
  if (locks) parts.push(roleLockCtes(ctx.orgId, g, w.lockIfMapped!, true));
  // `guard`: what every write below waits for and, on a last statement, is conditional on (one-time
  // filters, evaluated before a write's first row): none writes when the group turns out mapped
  // or an added id unknown, and the events (over group_row) follow the group's row.
  const afterLock = locks ? Prisma.sql`AND (SELECT count(*) FROM locked) >= 0` : Prisma.empty;
  const guard = last
    ? Prisma.sql`${afterLock} AND NOT (SELECT mapped FROM rule)${
        adds ? Prisma.sql` AND NOT EXISTS (SELECT 1 FROM unknown_ids)` : Prisma.empty
      }`
    : afterLock;
  const lockedIfMapped = locks
    ? Prisma.sql`AND (NOT (SELECT mapped FROM rule) OR id IN (SELECT id FROM locked))`
    : Prisma.empty;
  if (adds)
    parts.push(
      Prisma.sql`requested AS (SELECT DISTINCT unnest(${w.add}::uuid[]) AS user_id)`,
      Prisma.sql`valid AS (
      SELECT u.id FROM requested r
      -- Local accounts the identity provider has not linked are not SCIM's (docs/scim.md).
      CROSS JOIN LATERAL (SELECT id FROM users WHERE id = r.user_id AND org_id = ${ctx.orgId}::uuid
        AND provisioned_by <> 'invite' ${lockedIfMapped} OFFSET 0) u
    )`,
      Prisma.sql`unknown_ids AS (SELECT r.user_id FROM requested r WHERE NOT EXISTS (SELECT 1 FROM valid v WHERE v.id = r.user_id))`,
    );
  parts.push(Prisma.sql`group_row AS (${groupRow} ${guard} RETURNING *)`);
  if (removes)
    parts.push(Prisma.sql`removed AS (
      DELETE FROM group_memberships WHERE org_id = ${ctx.orgId}::uuid AND group_id = ${g.id}::uuid AND ${gone}
        ${guard}
      RETURNING 1
    )`);
  if (adds)
    parts.push(Prisma.sql`added AS (
      INSERT INTO group_memberships (group_id, user_id, org_id)
      SELECT ${g.id}::uuid, id, ${ctx.orgId}::uuid FROM valid WHERE true ${guard}
      ON CONFLICT DO NOTHING
      RETURNING 1
    )`);
  // The snapshot's members, less the removed, plus the added (each RETURNING 1 per row).
  const memberCount = Prisma.sql`(${w.create ? Prisma.sql`0` : memberCountSql(Prisma.sql`g.id`)} - ${
    removes ? Prisma.sql`(SELECT count(*) FROM removed)` : Prisma.sql`0`
  } + ${adds ? Prisma.sql`(SELECT count(*) FROM added)` : Prisma.sql`0`})::int`;
  const [row] = await (last ? committing(tx) : tx).$queryRaw<
    { unknown: string[]; mapped: boolean | null }[]
  >`WITH
    ${Prisma.join(parts, ",\n    ")}
    ${groupEventsCtes(ctx, w.action, Prisma.sql`group_row g`, g.displayName, w.data, memberCount)}
    SELECT ${
      adds
        ? Prisma.sql`(SELECT coalesce(array_agg(user_id::text), '{}') FROM unknown_ids)`
        : Prisma.sql`'{}'::text[]`
    } AS unknown, ${locks ? Prisma.sql`(SELECT mapped FROM rule)` : Prisma.sql`NULL::boolean`} AS mapped`;
  // Usually none: answering the unknown ids, not the valid ones, keeps the reply one short row.
  const missing = new Set(row?.unknown ?? []);
  return { unknown: w.add.filter((id) => missing.has(id.toLowerCase())), mapped: row?.mapped ?? true };
}

/** Deletes a locked group (its memberships go with it by their foreign keys) and writes its events. */
export async function deleteGroupWithEvents(
  tx: SqlTx,
  ctx: ScimCtx,
  group: Group,
  members: string[],
): Promise<void> {
  await tx.$executeRaw`WITH
    gone AS (DELETE FROM groups WHERE id = ${group.id}::uuid AND org_id = ${ctx.orgId}::uuid RETURNING *)
    ${groupEventsCtes(ctx, "group.deleted", Prisma.sql`gone g`, group.displayName, { membersRemoved: members })}
    SELECT 1`;
}
