// POST /invitations: invites one or many people in one all-or-nothing request. Every row is
// checked first (input, duplicates in the batch, existing users, teams managed by the IdP) and
// all problems are reported together; then the seat limit; then one transaction creates the
// invited users, their team memberships, links, audit and outbox events and the mails.
import { z } from "zod";
import type { Tx } from "../../db/client";
import type { Ctx } from "../../shared/context";
import { AppError, type FieldError } from "../../shared/errors";
import { ROLES } from "../../roles/permissions";
import { recomputeRoles } from "../../roles/recompute";
import { assertSeatsAvailable, assertSsoOff, lockOrg } from "../guards";
import { invitationUrl, issueInvitation } from "./issue-invitation";
import { invitationMail } from "./invitation-mail";
import { afterCommit, type InvitationDeps, type SentLink } from "./deps";
import { fold } from "../../shared/fold";

const name = z.string().trim().max(100).nullish();

export const inviteRow = z
  .object({
    email: z.email().max(254),
    firstName: name,
    lastName: name,
    role: z.enum(ROLES),
    teams: z.array(z.string().trim().min(1).max(200)).max(50).optional(),
  })
  .strict();

export const inviteBody = z.object({ invitations: z.array(inviteRow).min(1).max(100) }).strict();

export interface CreatedInvitation {
  id: string;
  userId: string;
  email: string;
  role: z.infer<typeof inviteRow>["role"];
  expiresAt: string;
  invitationUrl?: string;
}

/** Teams are manual groups: an existing one is reused, a missing one is created. */
async function teamIdsOf(tx: Tx, orgId: string, teams: string[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const team of teams) {
    const lower = fold(team);
    if (ids.has(lower)) continue;
    const found = await tx.group.findUnique({
      where: { orgId_displayNameLower: { orgId, displayNameLower: lower } },
      select: { id: true },
    });
    const group =
      found ??
      (await tx.group.create({
        data: { orgId, displayName: team, displayNameLower: lower, source: "manual" },
        select: { id: true },
      }));
    ids.set(lower, group.id);
  }
  return ids;
}

async function rowErrors(tx: Tx, orgId: string, rows: z.infer<typeof inviteRow>[]): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  const lowers = rows.map((r) => fold(r.email.trim()));
  // An invitation never adds a second account for an email (or for an existing userName, which
  // the invitee's becomes), whoever holds it: a local account, or any of the identity provider's,
  // even where those share it. Its users sign in through the identity provider instead.
  const existing = new Set(
    (
      await tx.user.findMany({
        where: { orgId, OR: [{ emailLower: { in: lowers } }, { userNameLower: { in: lowers } }] },
        select: { emailLower: true, userNameLower: true },
      })
    ).flatMap((u) => [u.emailLower, u.userNameLower]),
  );
  const teamNames = [...new Set(rows.flatMap((r) => r.teams ?? []).map(fold))];
  const idpTeams = new Set(
    (
      await tx.group.findMany({
        where: { orgId, displayNameLower: { in: teamNames }, source: { not: "manual" } },
        select: { displayNameLower: true },
      })
    ).map((g) => g.displayNameLower),
  );
  rows.forEach((row, i) => {
    const lower = lowers[i] as string;
    if (lowers.indexOf(lower) !== i)
      errors.push({ field: `invitations.${i}.email`, message: `appears more than once in this request` });
    else if (existing.has(lower))
      errors.push({ field: `invitations.${i}.email`, message: `a user with this email already exists` });
    (row.teams ?? []).forEach((team, j) => {
      if (idpTeams.has(fold(team)))
        errors.push({
          field: `invitations.${i}.teams.${j}`,
          message: `"${team}" is a group managed by your identity provider, not a team`,
        });
    });
  });
  return errors;
}

export async function inviteUsers(
  deps: InvitationDeps,
  ctx: Ctx,
  { invitations: rows }: z.output<typeof inviteBody>,
): Promise<{ invitations: CreatedInvitation[] }> {
  const mailIds: string[] = [];
  const links: SentLink[] = [];
  const created = await deps.db.prisma.$transaction(async (tx) => {
    await assertSsoOff(tx, ctx.orgId);
    await lockOrg(tx, ctx.orgId);
    const org = await tx.organization.findUniqueOrThrow({ where: { id: ctx.orgId } });
    const errors = await rowErrors(tx, org.id, rows);
    if (errors.length > 0)
      throw new AppError("validation_failed", errors.map((e) => `${e.field}: ${e.message}`).join("; "), {
        errors,
      });
    await assertSeatsAvailable(tx, org, rows.length);
    const teams = await teamIdsOf(
      tx,
      org.id,
      rows.flatMap((r) => r.teams ?? []),
    );
    const now = deps.clock();
    const out: CreatedInvitation[] = [];
    for (const row of rows) {
      const groupIds = [...new Set((row.teams ?? []).map((t) => teams.get(fold(t)) as string))];
      const issued = await issueInvitation(tx, ctx, org, row, now, groupIds);
      const url = invitationUrl(deps.baseUrl, issued.token);
      mailIds.push(
        await deps.mailer.enqueue(
          tx,
          invitationMail({
            orgId: org.id,
            orgName: org.name,
            to: issued.email,
            firstName: row.firstName,
            url,
            expiresAt: issued.expiresAt,
            invitedBy: ctx.actor.name,
          }),
        ),
      );
      links.push({ email: issued.email, url });
      out.push({
        id: issued.invitationId,
        userId: issued.userId,
        email: issued.email,
        role: row.role,
        expiresAt: issued.expiresAt.toISOString(),
        ...(deps.production ? {} : { invitationUrl: url }),
      });
    }
    await recomputeRoles(
      tx,
      ctx,
      out.map((i) => i.userId),
    );
    return out;
  });
  await afterCommit(deps, mailIds, links);
  return { invitations: created };
}
