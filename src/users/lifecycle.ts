// POST /users/{id}/deactivate|reactivate|block|unblock|reset-mfa, from one table: which
// statuses an action starts from, where it leads, whether it may strip the organization of
// its last active Admin (refused), and the event it emits; each ends the user's sessions.
import type { Database, Tx } from "../db/client";
import type { Prisma, User, UserStatus } from "../generated/prisma/client";
import type { Ctx } from "../shared/context";
import { AppError } from "../shared/errors";
import { emit } from "../events";
import { assertNotLastAdmin, assertSsoOff, lockOrg } from "./guards";
import { loadUser, userDto } from "./load-user";
import { rescindPendingInvitations } from "./invitations/rescind-pending";

export const LIFECYCLE_ACTIONS = ["deactivate", "reactivate", "block", "unblock", "reset-mfa"] as const;
export type LifecycleAction = (typeof LIFECYCLE_ACTIONS)[number];

interface Step {
  from: UserStatus[];
  data: Prisma.UserUpdateInput;
  /** Leaves "active": refused for the last active Admin. */
  leavesActive: boolean;
  /** The audit action; the catalogue says which event the downstream application receives. */
  audit: "user.deactivated" | "user.reactivated" | "user.blocked" | "user.unblocked" | "user.mfa_reset";
}

const STEPS: Record<LifecycleAction, Step> = {
  deactivate: {
    from: ["active", "blocked"],
    data: { status: "deactivated" },
    leavesActive: true,
    audit: "user.deactivated",
  },
  reactivate: {
    from: ["deactivated"],
    data: { status: "active" },
    leavesActive: false,
    audit: "user.reactivated",
  },
  block: {
    from: ["active", "deactivated"],
    data: { status: "blocked" },
    leavesActive: true,
    audit: "user.blocked",
  },
  unblock: {
    from: ["blocked"],
    data: { status: "active" },
    leavesActive: false,
    audit: "user.unblocked",
  },
  "reset-mfa": {
    from: ["active", "blocked", "deactivated"],
    data: { totpSecret: null, totpEnabledAt: null, totpLastStep: null, recoveryCodes: [] },
    leavesActive: false,
    audit: "user.mfa_reset",
  },
};

/** Whether the action applies to a user in this status (the portal offers only these). */
export const actionApplies = (action: LifecycleAction, status: UserStatus): boolean =>
  STEPS[action].from.includes(status);

export interface LifecycleDeps {
  db: Pick<Database, "prisma">;
  revokeAllForUser(tx: Tx, orgId: string, userId: string): Promise<number>;
}

export async function runLifecycleAction(deps: LifecycleDeps, ctx: Ctx, id: string, action: LifecycleAction) {
  const step = STEPS[action];
  await deps.db.prisma.$transaction(async (tx) => {
    await assertSsoOff(tx, ctx.orgId);
    await lockOrg(tx, ctx.orgId);
    const user: User = await loadUser(tx, ctx, id);
    if (!step.from.includes(user.status))
      throw new AppError(
        "conflict",
        user.status === "invited"
          ? `cannot ${action} an invited user: resend or rescind the invitation instead`
          : `cannot ${action} a user whose status is ${user.status}`,
        { extra: { status: user.status } },
      );
    if (step.leavesActive) await assertNotLastAdmin(tx, user, action);
    const updated = await tx.user.update({
      where: { id: user.id },
      data: { ...step.data, version: { increment: 1 } },
    });
    // Every action ends the user's sessions: a removal or a reset of the second factor must not
    // leave one live, and a user who comes back must not find one either: any session still live
    // then was made before the removal (a sign-in that raced a SCIM deactivation,
    // docs/decisions.md).
    const revoked = await deps.revokeAllForUser(tx, ctx.orgId, user.id);
    const rescinded = step.leavesActive ? await rescindPendingInvitations(tx, ctx.orgId, user.id) : 0;
    await emit(tx, ctx, {
      action: step.audit,
      targetId: user.id,
      data: {
        email: user.email,
        from: user.status,
        to: updated.status,
        sessionsRevoked: revoked,
        ...(rescinded > 0 ? { invitationsRescinded: rescinded } : {}),
      },
    });
  });
  return userDto(deps.db.prisma, ctx.orgId, id);
}
