// The one way to change something that moves every role of an organization (its rules and
// default role, SSO on or off, its SSO connection deleted): the PGlite checkpoint around it, one
// transaction with the long timeout holding the organization's roles lock, the change, the
// recompute of every user, and the last-Admin guard, refusing (unless forced) with the caller's words.
import type { Database, Tx } from "../db/client";
import type { Ctx } from "../shared/context";
import { AppError } from "../shared/errors";
import { isSsoOn } from "../users/guards";
import { countActiveAdmins } from "./read-mappings";
import {
  checkpointIfEmbedded,
  lockOrgForRoles,
  ORG_RECOMPUTE_TX,
  recomputeOrgRoles,
  type OrgRecomputeResult,
} from "./recompute";

/**
 * Why a guard: while SSO is on nobody can fix roles by hand; losing the last Admin would lock the
 * organization out of its own settings (the break-glass CLI stays as the way back).
 * - `keeps-an-admin`: an organization with SSO on and active Admins must keep one after the
 *   recompute. Checked after it, inside the transaction: the refusal rolls everything back, and
 *   an accepted change (the common case) pays for one whole-org computation instead of two.
 * - `admin-reachable`: turning SSO on needs a rule mapping a group to Admin (or Admin as the
 *   default role), even when nobody holds that group yet: that is the first day of every rollout
 *   (the IdP's admins become Admin as they sign in; `sso-bridge recover` meanwhile).
 * - `none`: the change cannot take Admin away (turning SSO off brings back hand-set roles).
 */
export type LastAdminGuard = "keeps-an-admin" | "admin-reachable" | "none";

export interface OrgRecomputeOptions {
  guard: LastAdminGuard;
  force: boolean;
  /** The refusal's message, saying how to fix it (and that ?force=true overrides). */
  refusal: string;
}

export interface OrgRecomputeOutcome<T> {
  value: T;
  result: OrgRecomputeResult;
  /** The guard refused and `force` overrode it: worth saying in the audit event. */
  forced: boolean;
}

export async function changeWithOrgRecompute<T>(
  db: Pick<Database, "prisma" | "kind">,
  ctx: Ctx,
  options: OrgRecomputeOptions,
  change: (tx: Tx) => Promise<T>,
  audit: (tx: Tx, outcome: OrgRecomputeOutcome<T>) => Promise<void>,
): Promise<OrgRecomputeOutcome<T>> {
  const refuse = () => new AppError("would_remove_last_admin", options.refusal);
  await checkpointIfEmbedded(db);
  const outcome = await db.prisma.$transaction(async (tx) => {
    // Under the organization's lock, so that a concurrent rules change cannot slip in.
    await lockOrgForRoles(tx, ctx.orgId, "update");
    let forced = false;
    if (options.guard === "admin-reachable") {
      forced = !(await adminReachable(tx, ctx.orgId)) && (await countActiveAdmins(tx, ctx.orgId)) > 0;
      if (forced && !options.force) throw refuse();
    }
    const guarded =
      options.guard === "keeps-an-admin" &&
      (await isSsoOn(tx, ctx.orgId)) &&
      (await countActiveAdmins(tx, ctx.orgId)) > 0;
    const value = await change(tx);
    const result = await recomputeOrgRoles(tx, ctx);
    if (guarded && (await countActiveAdmins(tx, ctx.orgId)) === 0) {
      if (!options.force) throw refuse();
      forced = true;
    }
    const done = { value, result, forced };
    await audit(tx, done);
    return done;
  }, ORG_RECOMPUTE_TX);
  await checkpointIfEmbedded(db);
  return outcome;
}

/** True when some rule maps a group to Admin, or the default role is Admin: someone can become Admin through SSO. */
async function adminReachable(tx: Tx, orgId: string): Promise<boolean> {
  const org = await tx.organization.findUniqueOrThrow({
    where: { id: orgId },
    select: { defaultRole: true },
  });
  if (org.defaultRole === "Admin") return true;
  const rule = await tx.roleMappingRule.findFirst({
    where: { orgId, role: "Admin" },
    select: { orgId: true },
  });
  return rule !== null;
}
