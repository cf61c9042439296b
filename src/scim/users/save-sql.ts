// A SCIM PUT or PATCH that changes a user, written by one statement inside the caller's
// transaction (which holds the organization FOR SHARE and the user FOR UPDATE: lockUser): the
// row and its emails (update-sql.ts), on deactivation its sessions and invitations, its audit
// and outbox events (the event catalogue's eventsCte), and its role recomputed by the role seam's own CTEs (computedCte) into the
// same UPDATE, with `user.role_changed` events when the role changes. Why the recompute in the
// same statement: its snapshot is taken after the locks are held, as a separate recomputeRoles
// statement's would be, so it computes the same role; it saves a round trip of every change.
import { Prisma } from "../../generated/prisma/client";
import type { SqlTx } from "../../db/client";
import { computedCte, roleChangedEvent } from "../../roles/recompute-sql";
import type { ScimCtx } from "../context";
import { eventsCte, userObjectSql } from "../../events";
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
  ${userChangeCtes(ctx.orgId, { ...c, roleFromComputed: true })}
  ${userEventsCtes(ctx, after, action, changed, c.revokeSessions)}
  SELECT 1`;
  return after;
}

/**
 * The change's events through the event catalogue's builder, from the row as written
 * (user_updated), then the `user.role_changed` ones of the recompute, in that order. A
 * deactivation's audit record carries how many sessions and invitations it ended, counted from
 * the CTEs that ended them.
 */
function userEventsCtes(
  ctx: ScimCtx,
  after: StoredUser,
  action: UserChangeAction,
  changed: string[],
  takenOut: boolean,
): Prisma.Sql {
  const audit = { via: "scim", email: after.email, changed };
  const counts = takenOut
    ? Prisma.sql`|| jsonb_build_object('sessionsRevoked', (SELECT count(*) FROM sessions_revoked)::int)
      || CASE WHEN EXISTS (SELECT 1 FROM invitations_rescinded)
        THEN jsonb_build_object('invitationsRescinded', (SELECT count(*) FROM invitations_rescinded)::int)
        ELSE '{}'::jsonb END`
    : Prisma.empty;
  return eventsCte(ctx, "events", [
    {
      action,
      from: Prisma.sql`user_updated u`,
      targetId: Prisma.sql`u.id::text`,
      data: Prisma.sql`${JSON.stringify(audit)}::jsonb ${counts}`,
      payload: userObjectSql("u"),
    },
    roleChangedEvent(
      Prisma.sql`user_updated u JOIN computed c ON c.id = u.id WHERE c.new_role IS DISTINCT FROM c.old_role`,
    ),
  ]);
}
