// Reads an organization's role mapping (ordered rules and default role) and its active Admins.
import type { Db } from "../db/client";
import type { RoleMappingsInput } from "./mappings-input";

export async function readMappings(db: Db, orgId: string): Promise<RoleMappingsInput> {
  const [org, rules] = await Promise.all([
    db.organization.findUniqueOrThrow({ where: { id: orgId }, select: { defaultRole: true } }),
    db.roleMappingRule.findMany({
      where: { orgId },
      orderBy: { position: "asc" },
      select: { group: true, role: true },
    }),
  ]);
  return { defaultRole: org.defaultRole, rules };
}

export const countActiveAdmins = (db: Db, orgId: string): Promise<number> =>
  db.user.count({ where: { orgId, role: "Admin", status: "active" } });
