// GET /users and GET /users/{id}: the users of one organization, oldest first, filtered by
// role ("none" for users without one), status and a free-text q over email and names.
import { z } from "zod";
import type { Database } from "../db/client";
import type { Prisma } from "../generated/prisma/client";
import { decodeCursor, page, pageQuery } from "../shared/pagination";
import { ROLES } from "../roles/permissions";
import { groupsOf, toUserDto, USER_GROUPS_INCLUDE } from "./present";

export const listUsersQuery = pageQuery.extend({
  role: z.enum([...ROLES, "none"]).optional(),
  status: z.enum(["invited", "active", "deactivated", "blocked"]).optional(),
  q: z.string().trim().min(1).max(200).optional(),
});

const cursorSchema = z.object({ createdAt: z.iso.datetime(), id: z.uuid() });

export async function listUsers(
  db: Pick<Database, "prisma">,
  orgId: string,
  q: z.output<typeof listUsersQuery>,
) {
  const after = decodeCursor(q.cursor, cursorSchema);
  const and: Prisma.UserWhereInput[] = [{ orgId }];
  if (q.role) and.push({ role: q.role === "none" ? null : q.role });
  if (q.status) and.push({ status: q.status });
  if (q.q)
    and.push({
      OR: (["email", "firstName", "lastName", "displayName"] as const).map((field) => ({
        [field]: { contains: q.q, mode: "insensitive" as const },
      })),
    });
  if (after) {
    const at = new Date(after.createdAt);
    and.push({ OR: [{ createdAt: { gt: at } }, { createdAt: at, id: { gt: after.id } }] });
  }
  const rows = await db.prisma.user.findMany({
    where: { AND: and },
    include: USER_GROUPS_INCLUDE,
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    take: q.limit + 1,
  });
  const result = page(rows, q.limit, (u) => ({ createdAt: u.createdAt.toISOString(), id: u.id }));
  return { data: result.data.map((u) => toUserDto(u, groupsOf(u))), nextCursor: result.nextCursor };
}
