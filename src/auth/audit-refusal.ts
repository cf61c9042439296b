// A refused password sign-in of an existing account, for the portal's sign-in activity: the
// reason code, the account and the IP, never what was typed. Unknown emails are not audited,
// so nobody can fill an organization's log by guessing addresses.
import type { Ctx } from "../shared/context";
import { emit } from "../events";
import type { AuthDeps } from "./deps";

export async function auditRefusal(
  deps: Pick<AuthDeps, "db">,
  user: { id: string; orgId: string; email: string },
  reason: string,
  ip: string,
  requestId?: string,
): Promise<void> {
  const ctx: Ctx = { orgId: user.orgId, actor: { type: "user", id: user.id, name: user.email }, requestId };
  await emit(deps.db.prisma, ctx, {
    action: "auth.sign_in_refused",
    targetId: user.id,
    data: { method: "password", reason, email: user.email, ip },
  });
}
