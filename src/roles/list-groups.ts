// GET /groups: each group of the org with its source, its member count (SCIM or manual
// memberships, plus users whose last sign-in named it) and the role its rules give members.
import { z } from "zod";
import type { Database } from "../db/client";
import type { Role } from "../generated/prisma/enums";
import { foldColumn } from "../shared/fold-sql";
import { Prisma } from "../generated/prisma/client";
import { decodeCursor, page } from "../shared/pagination";
import { readMappings } from "./read-mappings";
import { roleOfGroup } from "./resolve";

export interface GroupDto {
  id: string;
  displayName: string;
  externalId: string | null;
  source: "scim" | "sso" | "manual";
  memberCount: number;
  role: Role | null;
}

const cursorSchema = z.object({ n: z.string(), id: z.string().uuid() });

export async function listGroups(
  db: Pick<Database, "prisma">,
  orgId: string,
  query: { cursor?: string; limit: number },
): Promise<{ data: GroupDto[]; nextCursor: string | null }> {
  const after = decodeCursor(query.cursor, cursorSchema);
  const rows = await db.prisma.group.findMany({
    where: {
      orgId,
      ...(after
        ? {
            OR: [{ displayNameLower: { gt: after.n } }, { displayNameLower: after.n, id: { gt: after.id } }],
          }
        : {}),
    },
    orderBy: [{ displayNameLower: "asc" }, { id: "asc" }],
    take: query.limit + 1,
    select: { id: true, displayName: true, displayNameLower: true, externalId: true, source: true },
  });
  const result = page(rows, query.limit, (g) => ({ n: g.displayNameLower, id: g.id }));
  const [counts, mappings] = await Promise.all([
    memberCounts(
      db,
      orgId,
      result.data.map((g) => g.id),
    ),
    readMappings(db.prisma, orgId),
  ]);
  return {
    data: result.data.map((g) => ({
      id: g.id,
      displayName: g.displayName,
      externalId: g.externalId,
      source: g.source,
      memberCount: counts.get(g.id) ?? 0,
      role: roleOfGroup(mappings.rules, g),
    })),
    nextCursor: result.nextCursor,
  };
}

/** Distinct members per group, memberships and sign-in values together, in one query. */
async function memberCounts(
  db: Pick<Database, "prisma">,
  orgId: string,
  ids: string[],
): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const idList = ids.join(",");
  const rows = await db.prisma.$queryRaw<{ id: string; n: number }[]>(Prisma.sql`
    WITH pg AS (
      SELECT id, ${foldColumn("display_name")} AS dn, ${foldColumn("external_id")} AS ext FROM groups
      WHERE org_id = ${orgId}::uuid AND id = ANY(string_to_array(${idList}::text, ',')::uuid[])
    ),
    members AS (
      SELECT m.group_id, m.user_id FROM group_memberships m JOIN pg ON pg.id = m.group_id
      WHERE m.org_id = ${orgId}::uuid
      UNION
      SELECT pg.id, u.id FROM users u CROSS JOIN LATERAL unnest(u.sso_groups) AS v(value)
      JOIN pg ON ${foldColumn("v.value")} IN (pg.dn, pg.ext)
      WHERE u.org_id = ${orgId}::uuid AND NOT u.sso_groups_overage AND cardinality(u.sso_groups) > 0
    )
    SELECT group_id::text AS id, count(*)::int AS n FROM members GROUP BY group_id`);
  return new Map(rows.map((r) => [r.id, r.n]));
}
