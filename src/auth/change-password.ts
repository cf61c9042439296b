// POST /api/v1/me/password {currentPassword, newPassword}: the signed-in user changes their
// password. Each try takes an attempt on the account's sign-in count before the hash, so wrong
// current passwords count towards its lock-out; success gives the attempt back and ends every
// other session of the user (a thief's session among them).
import { z } from "zod";
import type { Ctx } from "../shared/context";
import { AppError } from "../shared/errors";
import { emit } from "../events";
import { assertSsoOff } from "../users/guards";
import { hashPassword, newPasswordSchema, verifyPassword } from "./passwords";
import { accountKey } from "./throttle";
import type { AuthDeps } from "./deps";

export const changePasswordBody = z
  .object({ currentPassword: z.string().min(1).max(200), newPassword: newPasswordSchema })
  .strict();

export async function changePassword(
  deps: AuthDeps,
  ctx: Ctx,
  session: { userId: string; sessionId: string },
  input: z.output<typeof changePasswordBody>,
): Promise<{ sessionsEnded: number }> {
  await assertSsoOff(deps.db.prisma, ctx.orgId);
  const user = await deps.db.prisma.user.findFirstOrThrow({
    where: { id: session.userId, orgId: ctx.orgId },
  });
  const key = accountKey(ctx.orgId, user.emailLower);
  const attempt = await deps.throttle.take([key]);
  if (!user.passwordHash)
    throw new AppError(
      "conflict",
      "this account has no password: it signs in through your identity provider",
    );
  if (!(await verifyPassword(input.currentPassword, user.passwordHash)))
    throw new AppError("validation_failed", "currentPassword: is not your current password", {
      errors: [{ field: "currentPassword", message: "is not your current password" }],
    });
  await attempt.giveBack();
  const passwordHash = await hashPassword(input.newPassword);
  return deps.db.prisma.$transaction(async (tx) => {
    await assertSsoOff(tx, ctx.orgId);
    await tx.user.update({ where: { id: user.id }, data: { passwordHash } });
    const { count } = await tx.session.updateMany({
      where: { orgId: ctx.orgId, userId: user.id, revokedAt: null, id: { not: session.sessionId } },
      data: { revokedAt: deps.clock() },
    });
    await emit(tx, ctx, {
      action: "user.password_changed",
      targetId: user.id,
      data: { sessionsEnded: count },
    });
    return { sessionsEnded: count };
  });
}
