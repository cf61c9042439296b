// Break-glass: `sso-bridge recover` issues a one-time sign-in link,
// valid 15 minutes, for an active user of the org; the session it opens acts as Admin (see
// http/auth.ts). It works while SSO is enforced and even when a mapping change took Admin
// from everyone, because it exists for the day the IdP or the mapping is wrong; only someone
// with shell access to the server can issue one. Only sha256 of the secret is stored; issue
// and use are both audited.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Ctx } from "../shared/context";
import { issueToken, parseToken, verifySecret } from "../shared/crypto";
import { AppError } from "../shared/errors";
import { emit } from "../events";
import type { AuthDeps, SignedIn } from "./deps";
import type { Db } from "../db/client";
import type { User } from "../generated/prisma/client";
import { fold } from "../shared/fold";

export const LOGIN_LINK_TTL_MS = 15 * 60_000;
const PREFIX = "sbr";

export const recoverInput = z.object({ email: z.email() });

const isLocal = (u: User) => u.passwordHash !== null || u.provisionedBy === "invite";

/**
 * The one user an email names: the local (password) account with that email when there is one
 * (their emails are unique), otherwise the only user whose email or userName it is. Users of
 * the identity provider may share an email; then no guess is made.
 */
async function userOfEmail(db: Db, orgId: string, email: string): Promise<User> {
  const key = fold(email);
  const found = await db.user.findMany({
    where: { orgId, OR: [{ emailLower: key }, { userNameLower: key }] },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    take: 20,
  });
  const local = found.filter(isLocal);
  const candidates = local.length > 0 ? local : found;
  if (candidates.length === 0)
    throw new AppError("not_found", `no active user with email ${email} in this organization`);
  if (candidates.length > 1)
    throw new AppError(
      "conflict",
      `${candidates.length} accounts of your identity provider have the email ${email}, so none was chosen: recover a local account, or give them distinct emails in the identity provider`,
      { extra: { reason: "ambiguous_email" } },
    );
  return candidates[0]!;
}

/** Why a user cannot be recovered, in words an operator can act on. */
function notActive(email: string, user: User): AppError {
  const owner =
    user.provisionedBy === "scim"
      ? "their identity provider manages the account (SCIM): reactivate it there, or recover a local account"
      : "an administrator can reactivate or unblock the account, or recover another active user";
  return new AppError(
    "not_found",
    `no active user with email ${email} in this organization: the account is ${user.status}; ${owner}`,
    { extra: { reason: "user_not_active", status: user.status } },
  );
}

export async function issueRecoveryLink(deps: AuthDeps, ctx: Ctx, { email }: z.output<typeof recoverInput>) {
  const user = await userOfEmail(deps.db.prisma, ctx.orgId, email);
  if (user.status !== "active") throw notActive(email, user);
  const issued = issueToken(PREFIX, randomUUID());
  const expiresAt = new Date(deps.clock().getTime() + LOGIN_LINK_TTL_MS);
  await deps.db.prisma.$transaction(async (tx) => {
    await tx.loginLink.create({
      data: {
        id: issued.id,
        orgId: ctx.orgId,
        userId: user.id,
        secretHash: issued.secretHash,
        purpose: "recover",
        expiresAt,
      },
    });
    await emit(tx, ctx, {
      action: "auth.recovery_link_issued",
      targetId: user.id,
      data: { email: user.email, linkId: issued.id, expiresAt: expiresAt.toISOString() },
    });
  });
  return { url: `${deps.baseUrl}/auth/recover/${issued.token}`, expiresAt: expiresAt.toISOString() };
}

const invalid = () =>
  new AppError(
    "gone",
    "This sign-in link is no longer valid: it was already used, it expired (links last 15 minutes), or it is not one we issued. Run `sso-bridge recover` again.",
    { extra: { reason: "login_link_invalid" } },
  );

/** Checks a link without spending it (the confirmation page). */
export async function peekRecoveryLink(deps: AuthDeps, token: string) {
  const parsed = parseToken(PREFIX, token);
  const link = parsed ? await deps.db.prisma.loginLink.findUnique({ where: { id: parsed.id } }) : null;
  if (!parsed || !link || !verifySecret(parsed.secret, link.secretHash)) throw invalid();
  if (link.usedAt || link.expiresAt <= deps.clock()) throw invalid();
  return link;
}

export async function useRecoveryLink(deps: AuthDeps, token: string, requestId?: string): Promise<SignedIn> {
  const link = await peekRecoveryLink(deps, token);
  const now = deps.clock();
  return deps.db.prisma.$transaction(async (tx) => {
    const { count } = await tx.loginLink.updateMany({
      where: { id: link.id, usedAt: null, expiresAt: { gt: now } },
      data: { usedAt: now },
    });
    if (count !== 1) throw invalid();
    const user = await tx.user.findUniqueOrThrow({ where: { id: link.userId } });
    if (user.status !== "active")
      throw new AppError("forbidden", "this account is no longer active", {
        extra: { reason: "not_active" },
      });
    const ctx: Ctx = { orgId: link.orgId, actor: { type: "user", id: user.id, name: user.email }, requestId };
    const session = await deps.sessions.create(tx, {
      orgId: link.orgId,
      userId: user.id,
      method: "recovery",
      stage: "full",
    });
    await tx.user.update({ where: { id: user.id }, data: { lastSignInAt: now } });
    await emit(tx, ctx, {
      action: "auth.recovery_link_used",
      targetId: user.id,
      data: { linkId: link.id, sessionId: session.id, roleBefore: user.role, actsAs: "Admin" },
    });
    return { cookieValue: session.cookieValue, expiresAt: session.expiresAt, stage: "full", userId: user.id };
  });
}
