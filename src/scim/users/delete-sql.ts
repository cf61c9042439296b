// DELETE /Users/{id} as one statement, atomic on its own: the row (its emails, memberships and
// sessions go with it by their foreign keys), and its `user.deleted` audit and outbox events
// (the same columns recordAudit and enqueueEvent write), built from the row the DELETE returns.
// A deletion changes no other user's role, so it needs neither the role seam's lock nor a recompute.
import { Prisma } from "../../generated/prisma/client";
import type { SqlTx } from "../../db/client";
import type { ScimCtx } from "../context";
import { userPayloadSql } from "./events";

/** Deletes a user SCIM may see; answers whether there was one. */
export async function deleteUserWithEvents(tx: SqlTx, ctx: ScimCtx, id: string): Promise<boolean> {
  const [row] = await tx.$queryRaw<{ deleted: number }[]>`WITH
    gone AS (
      DELETE FROM users u WHERE u.id = ${id}::uuid AND u.org_id = ${ctx.orgId}::uuid AND u.provisioned_by <> 'invite'
      RETURNING u.id, u.email, u.user_name, u.external_id, u.first_name, u.last_name, u.status, u.provisioned_by
    ),
    -- The statement's snapshot: the memberships as they were before the DELETE removed them.
    left_groups AS (
      SELECT count(*)::int AS n FROM group_memberships WHERE user_id = ${id}::uuid AND org_id = ${ctx.orgId}::uuid
    ),
    ${deletedEventsCtes(ctx)}
    SELECT count(*)::int AS deleted FROM gone`;
  return (row?.deleted ?? 0) > 0;
}

function deletedEventsCtes(ctx: ScimCtx): Prisma.Sql {
  return Prisma.sql`events AS (
      SELECT g.id::text AS id, jsonb_build_object('via', 'scim', 'email', g.email, 'groupsLeft', l.n) AS data,
        jsonb_build_object('user', ${userPayloadSql("g")}, 'groupsLeft', l.n) AS payload
      FROM gone g, left_groups l
    ),
    audited AS (
      INSERT INTO audit_events (id, org_id, actor_type, actor_id, actor_name, action, target_type,
        target_id, data, request_id)
      SELECT gen_random_uuid(), ${ctx.orgId}::uuid, ${ctx.actor.type}, ${ctx.actor.id ?? null},
        ${ctx.actor.name ?? null}, 'user.deleted', 'user', id, data, ${ctx.requestId ?? null}
      FROM events
    ),
    queued AS (
      INSERT INTO outbox_events (org_id, type, subject_id, payload)
      SELECT ${ctx.orgId}::uuid, 'user.deleted', id, payload FROM events
    )`;
}
