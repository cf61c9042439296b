// PUT /role-mappings: replaces the org's rules and default role and recomputes every user in
// one transaction (issue 4 points 4 and 5). Refuses, unless forced, a change
// that would leave an org with SSO on without any active Admin.
import type { Database, Tx } from "../db/client";
import type { Ctx } from "../shared/context";
import { AppError } from "../shared/errors";
import { emit } from "../events";
import { isSsoOn } from "../users/guards";
import { fold } from "./resolve";
import type { RoleMappingsInput } from "./mappings-input";
import { countActiveAdmins, readMappings } from "./read-mappings";
import {
  checkpointIfEmbedded,
  lockOrgForRoles,
  ORG_RECOMPUTE_TX,
  recomputeOrgRoles,
  type OrgRecomputeResult,
} from "./recompute";

export async function replaceRules(tx: Tx, orgId: string, input: RoleMappingsInput): Promise<void> {
  await tx.roleMappingRule.deleteMany({ where: { orgId } });
  await tx.roleMappingRule.createMany({
    data: input.rules.map((r, position) => ({
      orgId,
      position,
      group: r.group,
      groupLower: fold(r.group),
      role: r.role,
    })),
  });
  await tx.organization.update({ where: { id: orgId }, data: { defaultRole: input.defaultRole } });
}

export async function putMappings(
  db: Pick<Database, "prisma" | "kind">,
  ctx: Ctx,
  input: RoleMappingsInput,
  options: { force: boolean },
): Promise<OrgRecomputeResult> {
  await checkpointIfEmbedded(db);
  const result = await db.prisma.$transaction(async (tx) => {
    await lockOrgForRoles(tx, ctx.orgId, "update");
    const before = await readMappings(tx, ctx.orgId);
    // Why: while SSO is on nobody can fix roles by hand; losing the last Admin would lock the
    // org out of its own settings (the break-glass CLI stays as the way back). Checked after the
    // recompute, inside the transaction: the refusal rolls everything back, and an accepted
    // change (the common case) pays for one whole-org computation instead of two.
    const guarded = (await isSsoOn(tx, ctx.orgId)) && (await countActiveAdmins(tx, ctx.orgId)) > 0;
    await replaceRules(tx, ctx.orgId, input);
    const result = await recomputeOrgRoles(tx, ctx);
    const lockout = guarded && (await countActiveAdmins(tx, ctx.orgId)) === 0;
    if (lockout && !options.force) {
      throw new AppError(
        "would_remove_last_admin",
        "this rule set leaves no active Admin while SSO is on; map an IdP group to Admin, or repeat with ?force=true",
      );
    }
    await emit(tx, ctx, {
      action: "role_mappings.updated",
      targetId: ctx.orgId,
      data: {
        before,
        after: input,
        changed: result.changed,
        byRole: result.byRole,
        ...(lockout ? { forced: true } : {}),
      },
    });
    return result;
  }, ORG_RECOMPUTE_TX);
  await checkpointIfEmbedded(db);
  return result;
}
