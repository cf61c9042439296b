// PUT /role-mappings: replaces the org's rules and default role and recomputes every user
// (issue 4 points 4 and 5; in one transaction on PostgreSQL, in a sweep on PGlite: org-recompute.ts). Refuses, unless forced, a change
// that would leave an org with SSO on without any active Admin.
import type { Database, Tx } from "../db/client";
import type { Ctx } from "../shared/context";
import { fold } from "../shared/fold";
import type { RoleMappingsInput } from "./mappings-input";
import { readMappings } from "./read-mappings";
import type { OrgRecomputeResult } from "./recompute";
import { changeWithOrgRecompute } from "./org-recompute";

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
  const { result } = await changeWithOrgRecompute(
    db,
    ctx,
    {
      guard: "keeps-an-admin",
      candidate: input,
      force: options.force,
      refusal:
        "this rule set leaves no active Admin while SSO is on; map an IdP group to Admin, or repeat with ?force=true",
    },
    async (tx) => {
      const before = await readMappings(tx, ctx.orgId);
      await replaceRules(tx, ctx.orgId, input);
      return before;
    },
    (before, forced) => ({
      action: "role_mappings.updated",
      targetId: ctx.orgId,
      data: { before, after: input, ...(forced ? { forced: true } : {}) },
      counts: true,
    }),
  );
  return result;
}
