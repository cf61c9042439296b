// `sso-bridge user create-admin`: the first Admin of an organization, invited by link.
// Manual management rules apply: refused while SSO is on (use `recover` then) and within
// the seat limit.
import { z } from "zod";
import type { Database } from "../../db/client";
import type { Ctx } from "../../shared/context";
import { assertSeatsAvailable, assertSsoOff } from "../guards";
import { invitationUrl, issueInvitation } from "./issue-invitation";

export const createAdminInput = z.object({
  email: z.email(),
  firstName: z.string().trim().max(100).optional(),
  lastName: z.string().trim().max(100).optional(),
});

export async function createAdmin(
  deps: { db: Pick<Database, "prisma">; baseUrl: string; clock: () => Date },
  ctx: Ctx,
  data: z.output<typeof createAdminInput>,
) {
  return deps.db.prisma.$transaction(async (tx) => {
    await assertSsoOff(tx, ctx.orgId);
    const org = await tx.organization.findUniqueOrThrow({ where: { id: ctx.orgId } });
    await assertSeatsAvailable(tx, org, 1);
    const issued = await issueInvitation(tx, ctx, org, { ...data, role: "Admin" }, deps.clock());
    return {
      userId: issued.userId,
      email: issued.email,
      invitationUrl: invitationUrl(deps.baseUrl, issued.token),
      expiresAt: issued.expiresAt,
    };
  });
}
