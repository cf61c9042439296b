// The hot SCIM Group statements in raw SQL: the read of a group's row (locked or not), and a member add/remove
// (Entra's and Okta's 100-member batches) as one statement whatever the batch size: the
// existence check of the added users, the DELETE, the INSERT ... ON CONFLICT DO NOTHING, the
// version bump, the audit event and the outbox event (the event catalogue's eventsCte) as
// data-modifying CTEs.
import { Prisma, type Group } from "../../generated/prisma/client";
import type { Reader, SqlTx } from "../../db/client";
import type { ScimCtx } from "../context";
import { isUuid } from "../../shared/ids";
import { eventsCte, groupObjectSql } from "../../events";
import { foldSql } from "../../shared/fold-sql";

const GROUP_COLUMNS = Prisma.sql`g.id::text AS id, g.org_id::text AS "orgId", g.display_name AS "displayName",
  g.display_name_lower AS "displayNameLower", g.external_id AS "externalId", g.source::text AS source,
  g.version, g.created_at AS "createdAt", g.updated_at AS "updatedAt"`;

/**
 * The group's row, or null, with the group FOR UPDATE and its organization FOR SHARE (the role
 * seam's shared lock, see lockOrgForRoles) in the same statement, both held for the rest of the
 * transaction.
 */
export async function lockGroupRow(tx: SqlTx, orgId: string, id: string): Promise<Group | null> {
  const [row] = await tx.$queryRaw<Group[]>`
    SELECT ${GROUP_COLUMNS} FROM groups g JOIN organizations o ON o.id = g.org_id
    WHERE g.id = ${id}::uuid AND g.org_id = ${orgId}::uuid FOR UPDATE OF g FOR SHARE OF o`;
  return row ?? null;
}

/** The group's row, or null, without locking it (on the driver: a read of every GET). */
export async function readGroupRow(read: Reader, orgId: string, id: string): Promise<Group | null> {
  const [row] = await read<Group>(
    Prisma.sql`SELECT ${GROUP_COLUMNS} FROM groups g WHERE g.id = ${id}::uuid AND g.org_id = ${orgId}::uuid`,
  );
  return row ?? null;
}

/**
 * Why the LATERAL lookups (and no org-wide index on memberships): right after a bulk import the
 * statistics still describe a small organization, and this statement, prepared and run with a
 * generic plan, then read every user and every membership of the organization to find 100 of
 * them; one index lookup per id does not depend on the statistics (EXPLAIN figures in
 * docs/decisions.md).
 *
 * Adds and removes members of a locked group (`add` and `remove` disjoint) and writes its
 * `group.updated` audit and outbox events. Answers the added ids that are not users of the
 * organization (the caller must fail the transaction when there are any), and whether any role
 * mapping rule names the group: when none does, its memberships cannot change a role (rules
 * match users through the groups they name), so the caller may skip the recompute. Why here
 * and not with the lock: this statement's snapshot is taken after the organization lock is
 * held, so a rules change that committed while we waited for it is seen.
 */
export async function changeMembers(
  tx: SqlTx,
  ctx: ScimCtx,
  group: Group,
  add: string[],
  remove: string[],
): Promise<{ unknown: string[]; updated: Group; mapped: boolean }> {
  const unknown = add.filter((id) => !isUuid(id));
  if (unknown.length > 0) return { unknown, updated: group, mapped: true };
  const now = new Date();
  const data = { membersAdded: add, membersRemoved: remove };
  const audit = { via: "scim", displayName: group.displayName, ...data };
  const removing = remove.filter(isUuid);
  const changes = { membersAdded: add, membersRemoved: removing };
  const [row] = await tx.$queryRaw<{ unknown: string[]; mapped: boolean }[]>`WITH
    requested AS (SELECT DISTINCT unnest(${add}::uuid[]) AS user_id),
    valid AS (
      SELECT u.id FROM requested r
      -- Local accounts the identity provider has not linked are not SCIM's (docs/scim.md).
      CROSS JOIN LATERAL (SELECT id FROM users WHERE id = r.user_id AND org_id = ${ctx.orgId}::uuid
        AND provisioned_by <> 'invite' OFFSET 0) u
    ),
    removed AS (
      DELETE FROM group_memberships
      WHERE org_id = ${ctx.orgId}::uuid AND group_id = ${group.id}::uuid AND user_id = ANY(${removing}::uuid[])
      RETURNING 1
    ),
    added AS (
      INSERT INTO group_memberships (group_id, user_id, org_id)
      SELECT ${group.id}::uuid, id, ${ctx.orgId}::uuid FROM valid
      ON CONFLICT DO NOTHING
      RETURNING 1
    ),
    bumped AS (
      UPDATE groups SET version = version + 1, updated_at = ${now}
      WHERE id = ${group.id}::uuid AND org_id = ${ctx.orgId}::uuid
    )
    ${eventsCte(ctx, "events", [
      {
        action: "group.updated",
        from: Prisma.sql`groups g WHERE g.id = ${group.id}::uuid AND g.org_id = ${ctx.orgId}::uuid`,
        targetId: Prisma.sql`g.id`,
        data: Prisma.sql`${JSON.stringify(audit)}::jsonb`,
        // This statement's snapshot predates its own DELETE and INSERT: count them in.
        payload: Prisma.sql`${groupObjectSql(
          "g",
          Prisma.sql`(SELECT count(*)::int FROM group_memberships em WHERE em.group_id = g.id AND em.org_id = g.org_id)
            - (SELECT count(*)::int FROM removed) + (SELECT count(*)::int FROM added)`,
        )} || ${JSON.stringify(changes)}::jsonb`,
      },
    ])}
    SELECT (SELECT coalesce(array_agg(r.user_id::text), '{}') FROM requested r
        WHERE NOT EXISTS (SELECT 1 FROM valid v WHERE v.id = r.user_id)) AS unknown,
      EXISTS (SELECT 1 FROM role_mapping_rules r WHERE r.org_id = ${ctx.orgId}::uuid
        AND r.group_lower IN (${group.displayNameLower}, ${foldSql(Prisma.sql`${group.externalId}::text`)})) AS mapped`;
  // Usually none: answering the unknown ids, not the valid ones, keeps the reply one short row.
  const missing = new Set(row?.unknown ?? []);
  return {
    unknown: add.filter((id) => missing.has(id.toLowerCase())),
    updated: { ...group, version: group.version + 1, updatedAt: now },
    mapped: row?.mapped ?? true,
  };
}
