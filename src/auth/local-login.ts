// POST /auth/login {org, email, password, totp?}: local password sign-in while SSO is off.
// One uniform refusal for an unknown organization, an unknown email and a wrong password (and
// the same scrypt work and the same throttling for each). The attempt is taken on the account
// and the address before the password is hashed. A right password then leads to a full session,
// or to one that still owes the TOTP step or MFA enrollment.
import { z } from "zod";
import type { Ctx } from "../shared/context";
import { AppError } from "../shared/errors";
import { emit } from "../events";
import { assertSsoOff } from "../users/guards";
import type { SessionStage } from "../sessions/sessions-service";
import { burnVerification, verifyPassword } from "./passwords";
import { accountKey, ipKey } from "./throttle";
import { checkSecondFactor } from "./check-second-factor";
import { auditRefusal } from "./audit-refusal";
import { fold } from "../shared/fold";
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

export async function login(
  deps: AuthDeps,
  body: z.output<typeof loginBody>,
  ip: string,
  requestId?: string,
): Promise<SignedIn> {
  const prisma = deps.db.prisma;
  const emailLower = fold(body.email);
  const org = await prisma.organization.findUnique({ where: { slug: body.org } });
  const account = accountKey(org ? org.id : `unknown:${body.org}`, emailLower);
  const attempt = await deps.throttle.take([account, ipKey(ip)]);
  if (!org) {
    await burnVerification(body.password);
    throw refused();
  }
  // While SSO is on, only the IdP (or the break-glass link) signs people in.
  await assertSsoOff(prisma, org.id);
  // A password names one account: emails are unique among users who hold one (migration
  // users_shared_emails); accounts of the identity provider sharing the email have none.
  const user = await prisma.user.findFirst({
    where: { orgId: org.id, emailLower, passwordHash: { not: null } },
  });
  const ok = user?.passwordHash
    ? await verifyPassword(body.password, user.passwordHash)
    : await burnVerification(body.password);
  if (!user || !ok) {
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
  // The password is proven: its attempt is given back, and the account's password count starts
  // over. Wrong second-factor codes are counted apart and stay counted.
  await attempt.giveBack();
  await deps.throttle.clear(account);

  let stage: SessionStage = "full";
  if (user.totpEnabledAt) {
    if (!body.totp) stage = "mfa_verify";
    else await checkSecondFactor(deps, user, body.totp, ip, requestId);
  } else if (org.requireMfa) stage = "mfa_enroll";
  const now = deps.clock();

  const ctx: Ctx = { orgId: org.id, actor: { type: "user", id: user.id, name: user.email }, requestId };
  return prisma.$transaction(async (tx) => {
    const session = await deps.sessions.create(tx, {
      orgId: org.id,
      userId: user.id,
      method: "password",
      stage,
    });
    if (stage === "full") await tx.user.update({ where: { id: user.id }, data: { lastSignInAt: now } });
    await emit(tx, ctx, {
      action: stage === "full" ? "auth.signed_in" : "auth.password_accepted",
      targetId: user.id,
      data: { method: "password", stage, ip },
    });
    return { cookieValue: session.cookieValue, expiresAt: session.expiresAt, stage, userId: user.id };
  });
}
