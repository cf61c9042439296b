// The audit event and outbox event of a SCIM change to a group (the same columns recordAudit and
// enqueueEvent write), as data-modifying CTEs of the statement that makes the change. Payloads
// carry identifiers and names, never credentials. Downstream, every group change is a
// `group.updated` event whose payload names the action.
import { Prisma, type Group } from "../../generated/prisma/client";
import type { ScimCtx } from "../context";

export type GroupAction = "group.created" | "group.updated" | "group.deleted";

/** `audited AS (...), queued AS (...)`, to follow other CTEs of a WITH. */
export function groupEventsCtes(
  ctx: ScimCtx,
  action: GroupAction,
  g: Pick<Group, "id" | "displayName" | "externalId">,
  data: Record<string, unknown>,
): Prisma.Sql {
  const audit = { via: "scim", displayName: g.displayName, ...data };
  const payload = {
    action,
    group: { id: g.id, displayName: g.displayName, externalId: g.externalId },
    ...data,
  };
  return Prisma.sql`audited AS (
      INSERT INTO audit_events (id, org_id, actor_type, actor_id, actor_name, action, target_type,
        target_id, data, request_id)
      VALUES (gen_random_uuid(), ${ctx.orgId}::uuid, ${ctx.actor.type}, ${ctx.actor.id ?? null},
        ${ctx.actor.name ?? null}, ${action}, 'group', ${g.id}, ${JSON.stringify(audit)}::jsonb,
        ${ctx.requestId ?? null})
    ),
    queued AS (
      INSERT INTO outbox_events (org_id, type, subject_id, payload)
      VALUES (${ctx.orgId}::uuid, 'group.updated', ${g.id}, ${JSON.stringify(payload)}::jsonb)
    )`;
}
