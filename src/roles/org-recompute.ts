// The one way to change something that moves every role of an organization (its rules and
// default role, SSO on or off, its SSO connection deleted), under the organization's roles lock,
// with the last-Admin guard refusing (unless forced) with the caller's words. PostgreSQL: one
// transaction holds the change, the recompute of every user and the change's event. PGlite: the
// change commits with a mark, then the sweep recomputes in chunks (sweep.ts) while other
// requests are served; the call answers once the sweep is done.
import type { Database, Tx } from "../db/client";
import type { Ctx } from "../shared/context";
import { AppError } from "../shared/errors";
import { emit } from "../events";
import { isSsoOn } from "../users/guards";
import type { RoleMappingsInput } from "./mappings-input";
import { countActiveAdmins } from "./read-mappings";
import { keepsAnAdmin } from "./keeps-an-admin";
import {
  checkpointIfEmbedded,
  lockOrgForRoles,
  ORG_RECOMPUTE_TX,
  recomputeOrgRoles,
  type OrgRecomputeResult,
} from "./recompute";
import {
  beginRoleSweep,
  changeEventInput,
  runRoleSweep,
  serializeOrgChange,
  type ChangeEvent,
} from "./sweep";

/**
 * Why a guard: while SSO is on nobody can fix roles by hand; losing the last Admin would lock the
 * organization out of its own settings (the break-glass CLI stays as the way back).
 * - `keeps-an-admin`: an organization with SSO on and active Admins must keep one after the
 *   recompute. PostgreSQL checks after it, inside the transaction: the refusal rolls everything
 *   back, and an accepted change (the common case) pays for one whole-org computation instead of
 *   two. PGlite checks before the change commits, on the `candidate` rules (keeps-an-admin.ts).
 * - `admin-reachable`: turning SSO on needs a rule mapping a group to Admin (or Admin as the
 *   default role), even when nobody holds that group yet: that is the first day of every rollout
 *   (the IdP's admins become Admin as they sign in; `sso-bridge recover` meanwhile).
 * - `none`: the change cannot take Admin away (turning SSO off brings back hand-set roles).
 */
export type LastAdminGuard = "keeps-an-admin" | "admin-reachable" | "none";

export type OrgRecomputeOptions = {
  force: boolean;
  /** The refusal's message, saying how to fix it (and that ?force=true overrides). */
  refusal: string;
} & (
  | {
      guard: "keeps-an-admin";
      /** The rules and default role the change stores. */ candidate: RoleMappingsInput;
    }
  | { guard: Exclude<LastAdminGuard, "keeps-an-admin"> }
);

export interface OrgRecomputeOutcome<T> {
  value: T;
  result: OrgRecomputeResult;
  /** The guard refused and `force` overrode it: worth saying in the audit event. */
  forced: boolean;
}

/** `event`: the change's own audit event, from what `change` answered and whether it was forced. */
export async function changeWithOrgRecompute<T>(
  db: Pick<Database, "prisma" | "kind">,
  ctx: Ctx,
  options: OrgRecomputeOptions,
  change: (tx: Tx) => Promise<T>,
  event: (value: T, forced: boolean) => ChangeEvent,
): Promise<OrgRecomputeOutcome<T>> {
  if (db.kind === "pglite")
    return serializeOrgChange(db, ctx.orgId, () => swept(db, ctx, options, change, event));
  return db.prisma.$transaction(async (tx) => {
    // Under the organization's lock, so that a concurrent rules change cannot slip in.
    await lockOrgForRoles(tx, ctx.orgId, "update");
    let forced = await adminUnreachable(tx, ctx.orgId, options);
    const guarded = options.guard === "keeps-an-admin" && (await hasAdminsUnderSso(tx, ctx.orgId));
    const value = await change(tx);
    const result = await recomputeOrgRoles(tx, ctx);
    if (guarded && (await countActiveAdmins(tx, ctx.orgId)) === 0) {
      if (!options.force) throw refusal(options);
      forced = true;
    }
    await emit(tx, ctx, changeEventInput(event(value, forced), result));
    return { value, result, forced };
  }, ORG_RECOMPUTE_TX);
}

/**
 * PGlite: guard, then the change and its mark in one short transaction, then the sweep. The
 * keeps-an-admin guard is read before the change commits and outside its transaction: a SCIM
 * change in between (removing the Admin the preview found from their group) can still leave the
 * organization without one (docs/decisions.md).
 */
async function swept<T>(
  db: Pick<Database, "prisma" | "kind">,
  ctx: Ctx,
  options: OrgRecomputeOptions,
  change: (tx: Tx) => Promise<T>,
  event: (value: T, forced: boolean) => ChangeEvent,
): Promise<OrgRecomputeOutcome<T>> {
  // A sweep that a stopped server left, not resumed yet, ends before this change starts.
  await runRoleSweep(db, ctx.orgId);
  let forced = false;
  if (
    options.guard === "keeps-an-admin" &&
    (await hasAdminsUnderSso(db.prisma, ctx.orgId)) &&
    !(await keepsAnAdmin(db, ctx.orgId, options.candidate))
  ) {
    if (!options.force) throw refusal(options);
    forced = true;
  }
  await checkpointIfEmbedded(db);
  const value = await db.prisma.$transaction(async (tx) => {
    await lockOrgForRoles(tx, ctx.orgId, "update");
    forced ||= await adminUnreachable(tx, ctx.orgId, options);
    const value = await change(tx);
    await beginRoleSweep(tx, ctx, event(value, forced));
    return value;
  });
  const result = await runRoleSweep(db, ctx.orgId);
  // Only the organization's deletion (its mark goes with it) ends a sweep without a result.
  if (!result) throw new AppError("not_found", "the organization was deleted during the change");
  await checkpointIfEmbedded(db);
  return { value, result, forced };
}

const refusal = (options: OrgRecomputeOptions) => new AppError("would_remove_last_admin", options.refusal);

/** SSO is on and the organization has an active Admin: the keeps-an-admin guard applies. */
const hasAdminsUnderSso = async (db: Parameters<typeof isSsoOn>[0], orgId: string) =>
  (await isSsoOn(db, orgId)) && (await countActiveAdmins(db, orgId)) > 0;

/**
 * The admin-reachable guard: true when it refused and `force` overrides it; throws the refusal
 * otherwise. Cheap (the rules and default role), so checked in the change's transaction.
 */
async function adminUnreachable(tx: Tx, orgId: string, options: OrgRecomputeOptions): Promise<boolean> {
  if (options.guard !== "admin-reachable") return false;
  const refused = !(await adminReachable(tx, orgId)) && (await countActiveAdmins(tx, orgId)) > 0;
  if (refused && !options.force) throw refusal(options);
  return refused;
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
