// Why a user has their role, in full: the rules that gave it with their place in the list,
// and what the user would have without them. The same resolveRole as every recompute, run a
// second time without the winning rules; nothing here decides a role on its own.
import type { Db } from "../db/client";
import type { Role } from "../generated/prisma/enums";
import { isSsoOn } from "../users/guards";
import { readMappings } from "./read-mappings";
import { resolveRole, type Resolution } from "./resolve";
import { fold } from "../shared/fold";
import { foldColumn } from "../shared/fold-sql";
import { Prisma } from "../generated/prisma/client";

export interface RoleExplanation {
  role: Role | null;
  kind: Resolution["roleSource"]["kind"];
  /** The rules that gave the role, with their 1-based position among `ruleCount` rules. */
  rules: { group: string; role: Role; position: number }[];
  ruleCount: number;
  /** What the user would have without the winning rules (only for a mapped role). */
  without: { role: Role | null; kind: Resolution["roleSource"]["kind"]; rules: { group: string }[] } | null;
  overage: boolean;
  ssoOn: boolean;
}

export async function explainRole(db: Db, orgId: string, userId: string): Promise<RoleExplanation | null> {
  const user = await db.user.findFirst({
    where: { id: userId, orgId },
    select: {
      provisionedBy: true,
      manualRole: true,
      assignedRole: true,
      ssoGroups: true,
      ssoGroupsOverage: true,
      memberships: { select: { group: { select: { displayName: true, externalId: true } } } },
    },
  });
  if (!user) return null;
  const [mappings, ssoOn] = await Promise.all([readMappings(db, orgId), isSsoOn(db, orgId)]);
  // Sign-in values may name a group by its other name; only groups the values name can matter.
  const values = user.ssoGroups.map(fold);
  // Matched by the fold as the recompute matches (never by the collation's own case rules).
  const keys = Prisma.sql`ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(values)}::jsonb))`;
  const knownGroups = values.length
    ? await db.$queryRaw<{ displayName: string; externalId: string | null }[]>(Prisma.sql`
        SELECT display_name AS "displayName", external_id AS "externalId" FROM groups
        WHERE org_id = ${orgId}::uuid
          AND (display_name_lower = ANY(${keys}) OR ${foldColumn("external_id")} = ANY(${keys}))`)
    : [];
  const input = {
    rules: mappings.rules,
    defaultRole: mappings.defaultRole,
    memberships: user.memberships.map((m) => m.group),
    ssoGroups: user.ssoGroups,
    ssoGroupsOverage: user.ssoGroupsOverage,
    knownGroups,
    user,
    ssoOn,
  };
  const resolution = resolveRole(input);
  const winning = resolution.roleSource.kind === "mapping" ? resolution.roleSource.rules : [];
  const positionOf = (r: { group: string; role: Role }) =>
    mappings.rules.findIndex((x) => x.group === r.group && x.role === r.role) + 1;
  let without: RoleExplanation["without"] = null;
  if (winning.length) {
    const rest = mappings.rules.filter((r) => !winning.some((w) => w.group === r.group && w.role === r.role));
    const other = resolveRole({ ...input, rules: rest });
    without = { role: other.role, kind: other.roleSource.kind, rules: other.roleSource.rules };
  }
  return {
    role: resolution.role,
    kind: resolution.roleSource.kind,
    rules: winning.map((r) => ({ ...r, position: positionOf(r) })),
    ruleCount: mappings.rules.length,
    without,
    overage: resolution.roleSource.overage === true,
    ssoOn,
  };
}
