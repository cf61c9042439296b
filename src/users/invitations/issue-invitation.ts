// Creates an invited user and the invitation link that lets them set a password. The link's
// token is shown once (in the mail and, outside production, in the API answer); only its
// sha256 is stored. Callers run this inside their transaction, after their guards.
import type { Db } from "../../db/client";
import type { Organization, Role } from "../../generated/prisma/client";
import type { Ctx } from "../../shared/context";
import { randomSecret, sha256 } from "../../shared/crypto";
import { AppError, isUniqueViolation } from "../../shared/errors";
import { emit } from "../../events";
import { fold } from "../../shared/fold";

export interface InviteInput {
  email: string;
  firstName?: string | null;
  lastName?: string | null;
  role: Role;
}

export interface IssuedInvitation {
  invitationId: string;
  userId: string;
  email: string;
  token: string;
  expiresAt: Date;
}

export const invitationUrl = (baseUrl: string, token: string): string =>
  `${baseUrl}/auth/invitations/${token}`;

export async function issueInvitation(
  tx: Db,
  ctx: Ctx,
  org: Pick<Organization, "id" | "invitationTtlHours">,
  input: InviteInput,
  now: Date,
  /** Groups (teams) the invitee joins: in the user object of the user.created event. */
  groupIds: string[] = [],
): Promise<IssuedInvitation> {
  const email = input.email.trim();
  let user;
  try {
    user = await tx.user.create({
      data: {
        orgId: org.id,
        email,
        emailLower: fold(email),
        userName: email,
        userNameLower: fold(email),
        firstName: input.firstName ?? null,
        lastName: input.lastName ?? null,
        status: "invited",
        role: input.role,
        assignedRole: input.role,
        manualRole: true,
        roleSource: { kind: "manual", rules: [] },
        provisionedBy: "invite",
      },
    });
  } catch (e) {
    if (isUniqueViolation(e))
      throw new AppError("conflict", `a user with email ${email} already exists in this organization`);
    throw e;
  }
  if (groupIds.length > 0)
    await tx.groupMembership.createMany({
      data: groupIds.map((groupId) => ({ groupId, userId: user.id, orgId: org.id })),
    });
  const link = await issueLink(tx, ctx, org, { id: user.id, email, role: input.role }, now);
  await emit(tx, ctx, { action: "user.invited", targetId: user.id, data: { email, role: input.role } });
  return {
    invitationId: link.invitationId,
    userId: user.id,
    email,
    token: link.token,
    expiresAt: link.expiresAt,
  };
}

/** A new link for an invited user: a fresh random token whose sha256 alone is stored. */
export async function issueLink(
  tx: Db,
  ctx: Ctx,
  org: Pick<Organization, "id" | "invitationTtlHours">,
  user: { id: string; email: string; role: Role },
  now: Date,
): Promise<{ invitationId: string; token: string; expiresAt: Date }> {
  const token = randomSecret(32);
  const expiresAt = new Date(now.getTime() + org.invitationTtlHours * 3600_000);
  const invitation = await tx.invitation.create({
    data: {
      orgId: org.id,
      userId: user.id,
      email: user.email,
      role: user.role,
      tokenHash: sha256(token),
      expiresAt,
      invitedBy: ctx.actor.name ?? null,
    },
  });
  return { invitationId: invitation.id, token, expiresAt };
}
