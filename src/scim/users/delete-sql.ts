// DELETE /Users/{id} as one statement, atomic on its own: the row (its emails, memberships and
// sessions go with it by their foreign keys), and its `user.deleted` audit and outbox events
// (the event catalogue's eventsCte), built from the row the DELETE returns, with the groups the
// statement's snapshot still sees it in.
// A deletion changes no other user's role, so it needs neither the role seam's lock nor a recompute.
import { Prisma } from "../../generated/prisma/client";
import type { SqlTx } from "../../db/client";
import type { ScimCtx } from "../context";
import { eventsCte, userObjectSql } from "../../events";

/** Deletes a user SCIM may see; answers whether there was one. */
export async function deleteUserWithEvents(tx: SqlTx, ctx: ScimCtx, id: string): Promise<boolean> {
  const [row] = await tx.$queryRaw<{ deleted: number }[]>`WITH
    gone AS (
      DELETE FROM users u WHERE u.id = ${id}::uuid AND u.org_id = ${ctx.orgId}::uuid AND u.provisioned_by <> 'invite'
      RETURNING u.*
    ),
    -- The statement's snapshot: the memberships as they were before the DELETE removed them.
    left_groups AS (
      SELECT count(*)::int AS n FROM group_memberships WHERE user_id = ${id}::uuid AND org_id = ${ctx.orgId}::uuid
    )
    ${eventsCte(ctx, "events", [
      {
        action: "user.deleted",
        from: Prisma.sql`gone g, left_groups l`,
        targetId: Prisma.sql`g.id::text`,
        data: Prisma.sql`jsonb_build_object('via', 'scim', 'email', g.email, 'groupsLeft', l.n)`,
        payload: userObjectSql("g"),
      },
    ])}
    SELECT count(*)::int AS deleted FROM gone`;
  return (row?.deleted ?? 0) > 0;
}
