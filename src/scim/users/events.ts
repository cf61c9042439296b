// The audit event and outbox event of a SCIM change to a user, written in the change's
// transaction through the event catalogue (src/events): the outbox payload is the admin API
// user object, whatever the change. Audit data carries identifiers, never credentials.
import type { SqlTx } from "../../db/client";
import { emit } from "../../events";
import type { ScimCtx } from "../context";
import type { UserRow } from "./document";

export async function recordUserEvent(
  tx: SqlTx,
  ctx: ScimCtx,
  action: "user.created" | "user.updated" | "user.deactivated" | "user.reactivated" | "user.deleted",
  user: Pick<UserRow, "id" | "email">,
  data: {
    changed?: string[];
    sessionsRevoked?: number;
    invitationsRescinded?: number;
    groupsLeft?: number;
  } = {},
): Promise<void> {
  await emit(tx, ctx, { action, targetId: user.id, data: { via: "scim", email: user.email, ...data } });
}
