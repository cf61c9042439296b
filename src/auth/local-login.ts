// POST /auth/login {org, email, password, totp?}: local password sign-in while SSO is off.
// One uniform refusal for an unknown organization, an unknown email and a wrong password (and
// the same scrypt work for each), throttled per account and per IP. A right password then
// leads to a full session, or to one that still owes the TOTP step or MFA enrollment.
import { z } from "zod";
import type { Ctx } from "../shared/context";
import { AppError } from "../shared/errors";
import { recordAudit } from "../audit/record";
import { assertSsoOff } from "../users/guards";
import type { SessionStage } from "../sessions/sessions-service";
import { burnVerification, verifyPassword } from "./passwords";
import { accountKey, ipKey } from "./throttle";
import { verifySecondFactor } from "./second-factor";
import type { AuthDeps, SignedIn } from "./deps";

export const loginBody = z.object({
  org: z.string().trim().min(1).max(63),
  email: z.string().trim().min(1).max(254),
  password: z.string().min(1).max(200),
  totp: z.string().trim().max(32).optional(),
});

const refused = () =>
  new AppError("sign_in_failed", "the organization, email or password is not correct", {
    extra: { reason: "invalid_credentials" },
  });

/**
 * Audits a refused password sign-in of an existing account (the portal's sign-in activity):
 * the reason code, the account and the IP, never what was typed. Unknown emails are not
 * audited, so nobody can fill an organization's log by guessing addresses.
 */
async function auditRefusal(
  deps: AuthDeps,
  user: { id: string; orgId: string; email: string },
  reason: string,
  ip: string,
  requestId?: string,
): Promise<void> {
  const ctx: Ctx = { orgId: user.orgId, actor: { type: "user", id: user.id, name: user.email }, requestId };
  await recordAudit(deps.db.prisma, ctx, {
    action: "auth.sign_in_refused",
    targetType: "user",
    targetId: user.id,
    data: { method: "password", reason, email: user.email, ip },
  });
}

export async function login(
  deps: AuthDeps,
  input: unknown,
  ip: string,
  requestId?: string,
): Promise<SignedIn> {
  const body = loginBody.parse(input);
  const prisma = deps.db.prisma;
  const emailLower = body.email.toLowerCase();
  const org = await prisma.organization.findUnique({ where: { slug: body.org } });
  const keys = org ? [accountKey(org.id, emailLower), ipKey(ip)] : [ipKey(ip)];
  await deps.throttle.assertNotLocked(keys);
  if (!org) {
    await burnVerification(body.password);
    await deps.throttle.recordFailure(keys);
    throw refused();
  }
  // Contract section 3: while SSO is on, only the IdP (or the break-glass link) signs people in.
  await assertSsoOff(prisma, org.id);
  const user = await prisma.user.findUnique({ where: { orgId_emailLower: { orgId: org.id, emailLower } } });
  const ok = user?.passwordHash
    ? await verifyPassword(body.password, user.passwordHash)
    : await burnVerification(body.password);
  if (!user || !ok) {
    await deps.throttle.recordFailure(keys);
    if (user) await auditRefusal(deps, user, "invalid_credentials", ip, requestId);
    throw refused();
  }
  // Only someone who knows the password learns the account's state.
  if (user.status !== "active") {
    await auditRefusal(deps, user, `user_${user.status}`, ip, requestId);
    throw new AppError("forbidden", `this account is ${user.status}: ask an administrator of ${org.name}`, {
      extra: { reason: `user_${user.status}` },
    });
  }

  const now = deps.clock();
  let stage: SessionStage = "full";
  if (user.totpEnabledAt) {
    if (!body.totp) stage = "mfa_verify";
    else if (!(await verifySecondFactor(prisma, deps.cipher, user, body.totp, now))) {
      await deps.throttle.recordFailure(keys);
      await auditRefusal(deps, user, "invalid_totp", ip, requestId);
      throw new AppError("sign_in_failed", "the authentication code is not correct", {
        extra: { reason: "invalid_totp" },
      });
    }
  } else if (org.requireMfa) stage = "mfa_enroll";
  await deps.throttle.clear(keys[0]!);

  const ctx: Ctx = { orgId: org.id, actor: { type: "user", id: user.id, name: user.email }, requestId };
  return prisma.$transaction(async (tx) => {
    const session = await deps.sessions.create(tx, {
      orgId: org.id,
      userId: user.id,
      method: "password",
      stage,
    });
    if (stage === "full") await tx.user.update({ where: { id: user.id }, data: { lastSignInAt: now } });
    await recordAudit(tx, ctx, {
      action: stage === "full" ? "auth.signed_in" : "auth.password_accepted",
      targetType: "user",
      targetId: user.id,
      data: { method: "password", stage, ip },
    });
    return { cookieValue: session.cookieValue, expiresAt: session.expiresAt, stage, userId: user.id };
  });
}
