// The second sign-in step, wherever the code arrives (with the password, or on its own at
// /auth/mfa/verify): a TOTP or recovery code is checked only after an attempt is taken on the
// account's and the address's second-factor counts. A wrong code stays counted; proving the
// password never resets that count, only a completed sign-in does.
import type { User } from "../generated/prisma/client";
import { AppError } from "../shared/errors";
import { secondFactorKeys } from "./throttle";
import { verifySecondFactor } from "./second-factor";
import type { AuthDeps } from "./deps";
import { auditRefusal } from "./audit-refusal";

export async function checkSecondFactor(
  deps: AuthDeps,
  user: Pick<User, "id" | "orgId" | "email" | "totpSecret" | "recoveryCodes">,
  code: string,
  ip: string,
  requestId?: string,
): Promise<"totp" | "recovery"> {
  const [account, address] = secondFactorKeys(user.id, ip);
  const attempt = await deps.throttle.take([account, address]);
  const used = await verifySecondFactor(deps.db.prisma, deps.cipher, user, code, deps.clock());
  if (!used) {
    await auditRefusal(deps, user, "invalid_totp", ip, requestId);
    throw new AppError("sign_in_failed", "the authentication code is not correct", {
      extra: { reason: "invalid_totp" },
    });
  }
  await attempt.giveBack();
  await deps.throttle.clear(account);
  return used;
}
