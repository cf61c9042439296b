// A local account (invited here, or made with `user create-admin`) is not the identity
// provider's, and SCIM neither sees nor changes it, until the first SCIM create that names it by
// userName or email: that create links it (docs/scim.md). From then on the account is the
// identity provider's like any user it provisioned: SCIM writes its profile, status and userName,
// and its role comes from the role mapping. Its sign-in email never changes through SCIM while it
// holds a password (the password works only while SSO is off, as for everyone).
import type { Tx } from "../../db/client";
import type { SessionsService } from "../../sessions/sessions-service";
import { emit } from "../../events";
import { recomputeRoles } from "../../roles/recompute";
import { rescindPendingInvitations } from "../../users/invitations/rescind-pending";
import type { ScimCtx } from "../context";
import { statusFor, type UserFields, type UserRow } from "./document";
import { changedFields, holdsPassword, updateUser } from "./store";

/** The local account a SCIM create names, by userName first, then by email; null when none. */
export async function findLocalMatch(tx: Tx, orgId: string, f: UserFields): Promise<UserRow | null> {
  const found = await tx.user.findMany({
    where: {
      orgId,
      provisionedBy: "invite",
      OR: [{ userNameLower: f.userNameLower }, { emailLower: f.emailLower }],
    },
    include: { emails: true },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    take: 10,
  });
  return found.find((u) => u.userNameLower === f.userNameLower) ?? found[0] ?? null;
}

/** A password is proof of a local sign-in email: SCIM keeps the emails it sends, not that one. */
export const keepSignInEmail = (row: UserRow, f: UserFields): UserFields =>
  holdsPassword(row) ? { ...f, email: row.email, emailLower: row.emailLower } : f;

export async function linkLocalUser(
  tx: Tx,
  ctx: ScimCtx,
  sessions: Pick<SessionsService, "revokeAllForUser">,
  local: UserRow,
  sent: UserFields,
): Promise<UserRow> {
  await tx.$queryRaw`SELECT id FROM users WHERE id = ${local.id}::uuid AND org_id = ${ctx.orgId}::uuid FOR UPDATE`;
  const fields = keepSignInEmail(local, sent);
  const status = statusFor(fields.active, local.status);
  const changed = changedFields(local, fields, status);
  const after = await updateUser(tx, local, fields, status, { provisionedBy: "scim", manualRole: false });
  // Links sent to a local invitee stop working: the identity provider signs them in now.
  const rescinded = await rescindPendingInvitations(tx, ctx.orgId, local.id);
  const revoked =
    status === "deactivated" || status === "blocked"
      ? await sessions.revokeAllForUser(tx, ctx.orgId, local.id)
      : 0;
  const data = {
    via: "scim" as const,
    email: after.email,
    userName: after.userName,
    previouslyProvisionedBy: local.provisionedBy,
    changed,
    signInEmailKept: fields.email !== sent.email,
    invitationsRescinded: rescinded,
    sessionsRevoked: revoked,
  };
  await emit(tx, ctx, {
    action: "user.scim_linked",
    event: status === "deactivated" && local.status !== "deactivated" ? "user.deactivated" : "user.updated",
    targetId: local.id,
    data,
  });
  await recomputeRoles(tx, ctx, [local.id]);
  return after;
}
