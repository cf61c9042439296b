// The pending invitations of an organization: list, resend (a fresh link; the old one is
// marked replaced and answers 410 from then on) and rescind (the invited user is removed,
// which frees the seat; the link then matches nothing and answers 410 too).
import { z } from "zod";
import type { Tx } from "../../db/client";
import type { Invitation } from "../../generated/prisma/client";
import type { Ctx } from "../../shared/context";
import { AppError } from "../../shared/errors";
import { emit } from "../../events";
import { decodeCursor, page, pageQuery } from "../../shared/pagination";
import { assertSsoOff, lockOrg } from "../guards";
import { invitationUrl, issueLink } from "./issue-invitation";
import { invitationMail } from "./invitation-mail";
import { afterCommit, type InvitationDeps } from "./deps";

const pending = { acceptedAt: null, rescindedAt: null, replacedAt: null } as const;

const cursorSchema = z.object({ createdAt: z.iso.datetime(), id: z.uuid() });

export const listInvitationsQuery = pageQuery.extend({ status: z.enum(["pending", "expired"]).optional() });

function toInvitationDto(
  inv: Invitation & { user: { firstName: string | null; lastName: string | null } },
  now: Date,
) {
  return {
    id: inv.id,
    userId: inv.userId,
    email: inv.email,
    firstName: inv.user.firstName,
    lastName: inv.user.lastName,
    role: inv.role,
    status: inv.expiresAt <= now ? ("expired" as const) : ("pending" as const),
    expiresAt: inv.expiresAt.toISOString(),
    invitedBy: inv.invitedBy,
    createdAt: inv.createdAt.toISOString(),
  };
}

export async function listInvitations(
  deps: InvitationDeps,
  orgId: string,
  q: z.output<typeof listInvitationsQuery>,
) {
  const after = decodeCursor(q.cursor, cursorSchema);
  const now = deps.clock();
  const rows = await deps.db.prisma.invitation.findMany({
    where: {
      orgId,
      ...pending,
      ...(q.status === "pending" ? { expiresAt: { gt: now } } : {}),
      ...(q.status === "expired" ? { expiresAt: { lte: now } } : {}),
      ...(after
        ? {
            OR: [
              { createdAt: { gt: new Date(after.createdAt) } },
              { createdAt: new Date(after.createdAt), id: { gt: after.id } },
            ],
          }
        : {}),
    },
    include: { user: { select: { firstName: true, lastName: true } } },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    take: q.limit + 1,
  });
  const result = page(rows, q.limit, (r) => ({ createdAt: r.createdAt.toISOString(), id: r.id }));
  return { data: result.data.map((r) => toInvitationDto(r, now)), nextCursor: result.nextCursor };
}

async function pendingInvitation(tx: Tx, ctx: Ctx, id: string) {
  const inv = await tx.invitation.findFirst({
    where: { id, orgId: ctx.orgId },
    include: { user: true },
  });
  if (!inv) throw new AppError("not_found", "no such invitation in this organization");
  if (!(inv.acceptedAt === null && inv.rescindedAt === null && inv.replacedAt === null))
    throw new AppError("conflict", "this invitation is no longer pending (accepted, replaced or rescinded)");
  return inv;
}

export async function resendInvitation(deps: InvitationDeps, ctx: Ctx, id: string) {
  const mailIds: string[] = [];
  let link = { email: "", url: "" };
  const out = await deps.db.prisma.$transaction(async (tx) => {
    await assertSsoOff(tx, ctx.orgId);
    await lockOrg(tx, ctx.orgId);
    const inv = await pendingInvitation(tx, ctx, id);
    const org = await tx.organization.findUniqueOrThrow({ where: { id: ctx.orgId } });
    const now = deps.clock();
    // Why: a resent link must be the only one that works (the old mail may have leaked).
    await tx.invitation.update({ where: { id: inv.id }, data: { replacedAt: now } });
    const issued = await issueLink(tx, ctx, org, { id: inv.userId, email: inv.email, role: inv.role }, now);
    const url = invitationUrl(deps.baseUrl, issued.token);
    mailIds.push(
      await deps.mailer.enqueue(
        tx,
        invitationMail({
          orgId: org.id,
          orgName: org.name,
          to: inv.email,
          firstName: inv.user.firstName,
          url,
          expiresAt: issued.expiresAt,
          invitedBy: ctx.actor.name,
        }),
      ),
    );
    await emit(tx, ctx, {
      action: "invitation.resent",
      targetId: inv.userId,
      data: { email: inv.email, invitationId: issued.invitationId, replaced: inv.id },
    });
    link = { email: inv.email, url };
    return {
      id: issued.invitationId,
      userId: inv.userId,
      email: inv.email,
      role: inv.role,
      expiresAt: issued.expiresAt.toISOString(),
      ...(deps.production ? {} : { invitationUrl: url }),
    };
  });
  await afterCommit(deps, mailIds, [link]);
  return out;
}

export async function rescindInvitation(deps: InvitationDeps, ctx: Ctx, id: string): Promise<void> {
  await deps.db.prisma.$transaction(async (tx) => {
    await assertSsoOff(tx, ctx.orgId);
    await lockOrg(tx, ctx.orgId);
    const inv = await pendingInvitation(tx, ctx, id);
    if (inv.user.status !== "invited")
      throw new AppError("conflict", "this person already accepted: manage them as a user instead");
    // The event first: its payload is the invited user as they were.
    await emit(tx, ctx, {
      action: "invitation.rescinded",
      targetId: inv.userId,
      data: { email: inv.email, invitationId: inv.id },
    });
    // Deleting the invited user frees the seat; the invitation rows go with it (cascade).
    await tx.user.delete({ where: { id: inv.userId } });
  });
}
