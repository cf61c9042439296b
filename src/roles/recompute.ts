// The role seam: call inside your transaction after any change to memberships, ssoGroups,
// rules or SSO on/off. Writes role and roleSource only where they changed and, for users whose
// role changed, a `user.role_changed` audit event and outbox event in the same transaction.
import type { Database, SqlTx, Tx } from "../db/client";
import type { Role } from "../generated/prisma/enums";
import { lockOrg } from "../orgs/lock-org";
import type { Ctx } from "../shared/context";
import {
  bulkSettingsSql,
  computedCte,
  orgRecomputeSql,
  roleEventsCte,
  updateChangedCte,
} from "./recompute-sql";
import type { RoleSource } from "./resolve";
import { isUuid } from "../shared/ids";

export interface RoleChange {
  id: string;
  email: string;
  from: Role | null;
  to: Role | null;
  roleSource: RoleSource;
}

export interface RoleCounts {
  Admin: number;
  Support: number;
  Viewer: number;
  none: number;
}

export interface OrgRecomputeResult {
  changed: number;
  byRole: RoleCounts;
}

/**
 * Options for a `$transaction` that calls recomputeOrgRoles: a whole-org recompute of 100,000
 * users on the embedded database takes seconds, more than Prisma's default 5 s timeout.
 */
export const ORG_RECOMPUTE_TX = { timeout: 120_000, maxWait: 30_000 } as const;

/**
 * Why: PGlite runs PostgreSQL in single-user mode, with no checkpointer; WAL is only recycled by
 * explicit checkpoints, and a bulk statement that reaches max_wal_size stalls for minutes
 * (seen at 100,000 users on the third whole-org rewrite). Call it before and after the
 * transaction of a whole-org recompute (outside it): it keeps the WAL short. PostgreSQL has
 * its own checkpointer: nothing to do there.
 */
export async function checkpointIfEmbedded(db: Pick<Database, "prisma" | "kind">): Promise<void> {
  if (db.kind === "pglite") await db.prisma.$executeRawUnsafe("CHECKPOINT");
}

/**
 * Why the lock: a whole-org recompute (exclusive) and a membership change (shared) must
 * not each compute with the other's old state, or a user could keep a role neither would give.
 */
export const lockOrgForRoles = (tx: SqlTx, orgId: string, mode: "share" | "update"): Promise<void> =>
  lockOrg(tx, orgId, mode);

/**
 * Recomputes the role of these users of ctx.orgId in one statement (update and events
 * included). Returns every user whose role or roleSource changed (compare `from` and `to` for
 * role changes); unknown ids are ignored. `lockHeld`: the caller's transaction already holds the
 * organization row (lockOrgForRoles, or FOR SHARE in its own statement), saving a round trip.
 */
export async function recomputeRoles(
  tx: SqlTx,
  ctx: Ctx,
  userIds: string[],
  options: { lockHeld?: boolean } = {},
): Promise<RoleChange[]> {
  const ids = [...new Set(userIds)].filter(isUuid);
  if (ids.length === 0) return [];
  if (!options.lockHeld) await lockOrgForRoles(tx, ctx.orgId, "share");
  return tx.$queryRaw<RoleChange[]>`${computedCte(ctx.orgId, { kind: "stored" }, { kind: "users", ids })}
    ${updateChangedCte(ctx.orgId)}
    ${roleEventsCte(ctx)}
    SELECT id::text AS id, email, old_role AS "from", new_role AS "to", new_source AS "roleSource"
    FROM changed ORDER BY email, id`;
}

/**
 * Recomputes every user of the org in one statement: update, audit events and outbox events
 * are data-modifying CTEs (the catalogue's eventsCte), so a rule
 * change touching 50,000 users costs no per-user round trip and never holds them in memory.
 */
export async function recomputeOrgRoles(tx: Tx, ctx: Ctx): Promise<OrgRecomputeResult> {
  await lockOrgForRoles(tx, ctx.orgId, "update");
  const [settings] = await tx.$queryRaw<{ positions: number }[]>(bulkSettingsSql(ctx.orgId));
  const [row] = await tx.$queryRaw<(RoleCounts & { changed: number })[]>(
    orgRecomputeSql(ctx, settings!.positions),
  );
  const { changed, Admin, Support, Viewer, none } = row!;
  return { changed, byRole: { Admin, Support, Viewer, none } };
}
