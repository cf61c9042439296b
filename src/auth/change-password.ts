// POST /api/v1/me/password {currentPassword, newPassword}: the signed-in user changes their
// password. Wrong current passwords count towards the account's lock-out like sign-in
// failures; success ends every other session of the user (a thief's session among them).
import { z } from "zod";
import type { Ctx } from "../shared/context";
import { AppError } from "../shared/errors";
import { recordAudit } from "../audit/record";
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
  body: unknown,
): Promise<{ sessionsEnded: number }> {
  const input = changePasswordBody.parse(body);
  await assertSsoOff(deps.db.prisma, ctx.orgId);
  const user = await deps.db.prisma.user.findFirstOrThrow({
    where: { id: session.userId, orgId: ctx.orgId },
  });
  const key = accountKey(ctx.orgId, user.emailLower);
  await deps.throttle.assertNotLocked([key]);
  if (!user.passwordHash)
    throw new AppError(
      "conflict",
      "this account has no password: it signs in through your identity provider",
    );
  if (!(await verifyPassword(input.currentPassword, user.passwordHash))) {
    await deps.throttle.recordFailure([key]);
    throw new AppError("validation_failed", "currentPassword: is not your current password", {
      errors: [{ field: "currentPassword", message: "is not your current password" }],
    });
  }
  const passwordHash = await hashPassword(input.newPassword);
  return deps.db.prisma.$transaction(async (tx) => {
    await assertSsoOff(tx, ctx.orgId);
    await tx.user.update({ where: { id: user.id }, data: { passwordHash } });
    const { count } = await tx.session.updateMany({
      where: { orgId: ctx.orgId, userId: user.id, revokedAt: null, id: { not: session.sessionId } },
      data: { revokedAt: deps.clock() },
    });
    await recordAudit(tx, ctx, {
      action: "user.password_changed",
      targetType: "user",
      targetId: user.id,
      data: { sessionsEnded: count },
    });
    return { sessionsEnded: count };
  });
}
