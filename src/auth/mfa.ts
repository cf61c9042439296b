// TOTP enrollment and the second sign-in step. A session that owes a step ("mfa_enroll",
// "mfa_verify") can do exactly that step and nothing else; completing it makes it "full".
// Enrollment is refused once a factor is enabled: replacing it takes an Admin's reset-mfa,
// so a stolen password plus a half-signed-in session can never swap the victim's factor.
import { z } from "zod";
import type { ResolvedSession } from "../sessions/sessions-service";
import type { Ctx } from "../shared/context";
import { AppError } from "../shared/errors";
import { emit } from "../events";
import { checkTotp, newTotpSecret, totpUri } from "./second-factor";
import { newRecoveryCodes } from "./recovery-codes";
import { checkSecondFactor } from "./check-second-factor";
import type { AuthDeps } from "./deps";

export const codeBody = z.object({ code: z.string().trim().min(1).max(32) });

const ctxOfSession = (s: ResolvedSession, requestId?: string): Ctx => ({
  orgId: s.org.id,
  actor: { type: "user", id: s.user.id, name: s.user.email },
  requestId,
});

export async function startEnrollment(deps: AuthDeps, s: ResolvedSession) {
  if (s.session.stage === "mfa_verify" || s.user.totpEnabledAt)
    throw new AppError("conflict", "two-factor authentication is already enabled: an Admin can reset it");
  const secret = newTotpSecret();
  await deps.db.prisma.user.update({
    where: { id: s.user.id },
    data: { totpSecret: deps.cipher.encrypt(secret), totpEnabledAt: null, totpLastStep: null },
  });
  return { secret, otpauthUrl: totpUri(secret, s.org.name, s.user.email) };
}

export async function confirmEnrollment(
  deps: AuthDeps,
  s: ResolvedSession,
  { code }: z.output<typeof codeBody>,
  requestId?: string,
) {
  if (s.session.stage === "mfa_verify" || s.user.totpEnabledAt)
    throw new AppError("conflict", "two-factor authentication is already enabled");
  if (!s.user.totpSecret)
    throw new AppError("conflict", "start the enrollment first (POST /auth/mfa/enroll)");
  const now = deps.clock();
  const step = checkTotp(deps.cipher.decrypt(s.user.totpSecret), code, now);
  if (step === null)
    throw new AppError("validation_failed", "code: is not the current code of your authenticator app", {
      errors: [{ field: "code", message: "is not the current code of your authenticator app" }],
    });
  const { codes, hashes } = newRecoveryCodes(deps.cipher);
  await deps.db.prisma.$transaction(async (tx) => {
    await tx.user.update({
      where: { id: s.user.id },
      data: {
        totpEnabledAt: now,
        totpLastStep: step,
        recoveryCodes: hashes,
        ...(s.session.stage === "full" ? {} : { lastSignInAt: now }),
      },
    });
    await tx.session.update({ where: { id: s.session.id }, data: { stage: "full" } });
    await emit(tx, ctxOfSession(s, requestId), {
      action: "user.mfa_enrolled",
      targetId: s.user.id,
    });
  });
  return { recoveryCodes: codes, stage: "full" as const };
}

export async function verifyStep(
  deps: AuthDeps,
  s: ResolvedSession,
  { code }: z.output<typeof codeBody>,
  ip: string,
  requestId?: string,
) {
  if (s.session.stage !== "mfa_verify")
    throw new AppError("conflict", "this session does not owe a verification step");
  const used = await checkSecondFactor(deps, s.user, code, ip, requestId);
  const now = deps.clock();
  await deps.db.prisma.$transaction(async (tx) => {
    await tx.session.update({ where: { id: s.session.id }, data: { stage: "full" } });
    await tx.user.update({ where: { id: s.user.id }, data: { lastSignInAt: now } });
    await emit(tx, ctxOfSession(s, requestId), {
      action: "auth.signed_in",
      targetId: s.user.id,
      data: { method: "password", secondFactor: used },
    });
  });
  return { stage: "full" as const };
}
