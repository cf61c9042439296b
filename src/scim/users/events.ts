// The audit event and outbox event of a SCIM change to a user, written in the change's
// transaction. Payloads carry identifiers and profile fields, never credentials.
import type { Tx } from "../../db/client";
import { Prisma } from "../../generated/prisma/client";
import { recordAudit } from "../../audit/record";
import { enqueueEvent, type EventType } from "../../events/outbox";
import type { ScimCtx } from "../context";
import type { UserRow } from "./document";

export const userPayload = (u: UserRow) => ({
  id: u.id,
  email: u.email,
  userName: u.userName,
  externalId: u.externalId,
  firstName: u.firstName,
  lastName: u.lastName,
  status: u.status,
  provisionedBy: u.provisionedBy,
});

export async function recordUserEvent(
  tx: Tx,
  ctx: ScimCtx,
  action: "user.created" | "user.updated" | "user.deactivated" | "user.reactivated" | "user.deleted",
  user: UserRow,
  data: Record<string, unknown> = {},
): Promise<void> {
  await recordAudit(tx, ctx, {
    action,
    targetType: "user",
    targetId: user.id,
    data: { via: "scim", email: user.email, ...data },
  });
  // Reactivation is an update for the downstream application (no separate event type).
  const type: EventType = action === "user.reactivated" ? "user.updated" : action;
  await enqueueEvent(tx, ctx.orgId, {
    type,
    subjectId: user.id,
    payload: { user: userPayload(user), ...data },
  });
}

/**
 * userPayload of the users row aliased `alias`, as SQL: for a statement that writes the event of
 * a row it reads itself (the one-statement DELETE). test/scim/user-writes-sql.test.ts holds the
 * two equal.
 */
export const userPayloadSql = (alias: string) => {
  const a = Prisma.raw(alias);
  return Prisma.sql`jsonb_build_object('id', ${a}.id::text, 'email', ${a}.email, 'userName', ${a}.user_name,
    'externalId', ${a}.external_id, 'firstName', ${a}.first_name, 'lastName', ${a}.last_name,
    'status', ${a}.status::text, 'provisionedBy', ${a}.provisioned_by::text)`;
};
