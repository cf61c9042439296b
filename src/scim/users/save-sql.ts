// A SCIM PUT or PATCH that changes a user, written by one statement inside the caller's
// transaction (which holds the organization FOR SHARE and the user FOR UPDATE: lockUser): the
// row and its emails (update-sql.ts), on deactivation its sessions and invitations, its audit
// and outbox events, and its role recomputed by the role seam's own CTEs (computedCte) into the
// same UPDATE, with `user.role_changed` events when the role changes. Why the recompute in the
// same statement: its snapshot is taken after the locks are held, as a separate recomputeRoles
// statement's would be, so it computes the same role; it saves a round trip of every change.
import { Prisma } from "../../generated/prisma/client";
import type { SqlTx } from "../../db/client";
import { computedCte, roleChangedPayloadSql } from "../../roles/recompute-sql";
import type { ScimCtx } from "../context";
import { userPayload } from "./events";
import { rowAfter, userChangeCtes, type UserChange } from "./update-sql";
import type { StoredUser } from "./store";

export type UserChangeAction = "user.updated" | "user.deactivated" | "user.reactivated";

/** Writes the change and its events; answers the row as written. */
export async function saveUserChange(
  tx: SqlTx,
  ctx: ScimCtx,
  c: UserChange,
  action: UserChangeAction,
  changed: string[],
): Promise<StoredUser> {
  const after = rowAfter(c);
  const id = c.row.id;
  await tx.$executeRaw`${computedCte(ctx.orgId, { kind: "stored" }, { kind: "users", ids: [id] })},
  ${userChangeCtes(ctx.orgId, { ...c, roleFromComputed: true })},
  ${userEventsCtes(ctx, after, action, changed, c.revokeSessions)}`;
  return after;
}

/**
 * The change's events (the same columns recordAudit and enqueueEvent write), then the
 * `user.role_changed` ones of the recompute, in that order in the audit log (sibling CTEs run
 * in no set order, hence one INSERT per table with ORDER BY). A deactivation's records carry
 * how many sessions and invitations it ended, counted from the CTEs that ended them.
 */
function userEventsCtes(
  ctx: ScimCtx,
  after: StoredUser,
  action: UserChangeAction,
  changed: string[],
  takenOut: boolean,
): Prisma.Sql {
  const audit = { via: "scim", email: after.email, changed };
  const payload = { user: userPayload(after), changed };
  // Reactivation is an update for the downstream application (no separate event type).
  const type = action === "user.reactivated" ? "user.updated" : action;
  const counts = takenOut
    ? Prisma.sql`|| jsonb_build_object('sessionsRevoked', (SELECT count(*) FROM sessions_revoked)::int)
      || CASE WHEN EXISTS (SELECT 1 FROM invitations_rescinded)
        THEN jsonb_build_object('invitationsRescinded', (SELECT count(*) FROM invitations_rescinded)::int)
        ELSE '{}'::jsonb END`
    : Prisma.empty;
  return Prisma.sql`events AS (
    SELECT 1 AS ord, ${action}::text AS action, ${type}::text AS type,
      ${JSON.stringify(audit)}::jsonb ${counts} AS data, ${JSON.stringify(payload)}::jsonb ${counts} AS payload
    UNION ALL
    SELECT 2, 'user.role_changed', 'user.role_changed', p, p
    FROM computed c, ${roleChangedPayloadSql({
      id: Prisma.sql`c.id::text`,
      email: Prisma.sql`${after.email}::text`,
      from: Prisma.sql`c.old_role`,
      to: Prisma.sql`c.new_role`,
      roleSource: Prisma.sql`c.new_source`,
    })} AS p
    WHERE c.new_role IS DISTINCT FROM c.old_role
  ),
  audited AS (
    INSERT INTO audit_events (id, org_id, actor_type, actor_id, actor_name, action, target_type,
      target_id, data, request_id)
    SELECT gen_random_uuid(), ${ctx.orgId}::uuid, ${ctx.actor.type}, ${ctx.actor.id ?? null},
      ${ctx.actor.name ?? null}, action, 'user', ${after.id}, data, ${ctx.requestId ?? null}
    FROM events ORDER BY ord
  )
  INSERT INTO outbox_events (org_id, type, subject_id, payload)
  SELECT ${ctx.orgId}::uuid, type, ${after.id}, payload FROM events ORDER BY ord`;
}
