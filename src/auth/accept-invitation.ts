// The invitation link: GET shows whether it still works, POST .../accept {password} sets the
// password, activates the user and signs them in. A link that matches no live invitation
// answers 410 saying why when we know (expired, replaced by a resend, already used); a
// rescinded invitation is gone with its user, so its link is simply "no longer valid".
import type { Invitation, Organization, User } from "../generated/prisma/client";
import type { Ctx } from "../shared/context";
import { sha256 } from "../shared/crypto";
import { AppError } from "../shared/errors";
import { emit } from "../events";
import { assertSsoOff } from "../users/guards";
import { hashPassword, newPasswordSchema } from "./passwords";
import type { AuthDeps, SignedIn } from "./deps";
import { z } from "zod";

export const acceptBody = z.object({ password: newPasswordSchema });

type LiveInvitation = Invitation & { user: User; org: Organization };

function gone(reason: string, message: string): AppError {
  return new AppError("gone", message, { extra: { reason } });
}

/** Why: an invitation only ever activates an invitee. A user deactivated or blocked meanwhile
 * (by an admin or by SCIM) must not become active, with the invited role, by using the link. */
const notInvited = (status: string): AppError =>
  gone(
    "invitation_user_not_invited",
    `This invitation no longer works: the account is ${status}. Ask your administrator.`,
  );

/** The live invitation of a link, or a 410 naming why it no longer works. */
export async function liveInvitation(deps: AuthDeps, token: string): Promise<LiveInvitation> {
  const inv =
    token.length >= 20 && token.length <= 100
      ? await deps.db.prisma.invitation.findUnique({
          where: { tokenHash: sha256(token) },
          include: { user: true, org: true },
        })
      : null;
  if (!inv)
    throw gone(
      "invitation_invalid",
      "This invitation link is no longer valid: it was cancelled, or it is not a link we sent. Ask your administrator for a new invitation.",
    );
  if (inv.acceptedAt)
    throw gone(
      "invitation_used",
      "This invitation was already accepted. Sign in with your email and password.",
    );
  if (inv.user.status !== "invited") throw notInvited(inv.user.status);
  if (inv.replacedAt || inv.rescindedAt)
    throw gone(
      "invitation_replaced",
      "A newer invitation was sent to you: use the link in the most recent mail. This one no longer works.",
    );
  if (inv.expiresAt <= deps.clock())
    throw gone(
      "invitation_expired",
      `This invitation expired on ${inv.expiresAt.toISOString().slice(0, 16).replace("T", " ")} UTC. Ask your administrator to send it again.`,
    );
  return inv;
}

export async function acceptInvitation(
  deps: AuthDeps,
  token: string,
  { password }: z.output<typeof acceptBody>,
  requestId?: string,
): Promise<SignedIn> {
  const inv = await liveInvitation(deps, token);
  await assertSsoOff(deps.db.prisma, inv.orgId);
  const passwordHash = await hashPassword(password);
  const now = deps.clock();
  const ctx: Ctx = { orgId: inv.orgId, actor: { type: "user", id: inv.userId, name: inv.email }, requestId };
  const stage = inv.org.requireMfa ? "mfa_enroll" : "full";
  return deps.db.prisma.$transaction(async (tx) => {
    await assertSsoOff(tx, inv.orgId);
    // The link works once, even under two concurrent submissions.
    const { count } = await tx.invitation.updateMany({
      where: { id: inv.id, acceptedAt: null, replacedAt: null, rescindedAt: null, expiresAt: { gt: now } },
      data: { acceptedAt: now },
    });
    if (count !== 1) throw gone("invitation_used", "This invitation was already accepted.");
    // The status as of now, under the row lock: a deactivation since the link was read wins.
    const [current] = await tx.$queryRaw<{ status: string }[]>`
      SELECT status::text FROM users WHERE id = ${inv.userId}::uuid AND org_id = ${inv.orgId}::uuid FOR UPDATE`;
    if (current?.status !== "invited") throw notInvited(current?.status ?? "deleted");
    const user = await tx.user.update({
      where: { id: inv.userId },
      data: {
        passwordHash,
        status: "active",
        version: { increment: 1 },
        ...(stage === "full" ? { lastSignInAt: now } : {}),
      },
    });
    await emit(tx, ctx, {
      action: "invitation.accepted",
      targetId: user.id,
      data: { email: user.email, invitationId: inv.id },
    });
    const session = await deps.sessions.create(tx, {
      orgId: inv.orgId,
      userId: user.id,
      method: "invitation",
      stage,
    });
    return { cookieValue: session.cookieValue, expiresAt: session.expiresAt, stage, userId: user.id };
  });
}
