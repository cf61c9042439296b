// A SCIM PUT or PATCH that changes a user, written by one statement, atomic on its own: the row
// and its emails (update-sql.ts), on deactivation its sessions and invitations, and its audit and
// outbox events (the event catalogue's eventsCte), only if the row still has the version the
// caller read (ifUnchanged), under the organization row FOR SHARE (the lock the seat and
// last-Admin checks take exclusively). No role recompute: a SCIM user change writes none of the
// role's inputs (roles/resolve.ts: groups, sign-in values, how the user was provisioned, the
// rules), so the role the role seam last wrote still holds (docs/decisions.md).
import { Prisma } from "../../generated/prisma/client";
import type { SqlTx } from "../../db/client";
import type { ScimCtx } from "../context";
import { eventsCte, userObjectSql } from "../../events";
import { rowAfter, userChangeCtes, type UserChange } from "./update-sql";
import type { StoredUser } from "./store";

export type UserChangeAction = "user.updated" | "user.deactivated" | "user.reactivated";

/** Writes the change and its events; answers the row as written, or null when its version moved. */
export async function saveUserChange(
  tx: SqlTx,
  ctx: ScimCtx,
  c: UserChange,
  action: UserChangeAction,
  changed: string[],
): Promise<StoredUser | null> {
  const after = rowAfter(c);
  const [row] = await tx.$queryRaw<{ n: number }[]>`WITH
  ${userChangeCtes(ctx.orgId, { ...c, ifUnchanged: true })}
  ${userEventsCtes(ctx, after, action, changed, action === "user.deactivated")}
  SELECT count(*)::int AS n FROM user_updated`;
  return (row?.n ?? 0) > 0 ? after : null;
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
  ]);
}
