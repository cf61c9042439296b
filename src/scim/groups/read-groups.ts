// GET /Groups/{id} and GET /Groups. Members are loaded in one query for the whole page, and
// not at all when the projection leaves them out (excludedAttributes=members: the Entra and
// Okta way of reading a big group without its members).
import type { Database } from "../../db/client";
import type { Group } from "../../generated/prisma/client";
import type { ScimCtx } from "../context";
import { listResponse, type ListQuery } from "../list-query";
import { GROUP_SCHEMAS } from "../schema/attributes";
import { parseProjection, project, wants, type Projection } from "../schema/projection";
import { notFound } from "../users/store";
import { readGroupRow } from "./members-sql";
import { presentGroup, type MemberRef } from "./present";
import { groupWhere } from "./where";
import { isUuid } from "../../shared/ids";

export function createGroupReads({ db }: { db: Pick<Database, "prisma" | "read"> }) {
  const prisma = db.prisma;

  async function membersOf(
    orgId: string,
    groups: Group[],
    p: Projection,
  ): Promise<Map<string, MemberRef[]> | null> {
    if (!wants(p, "members") || groups.length === 0) return null;
    const rows = await prisma.groupMembership.findMany({
      where: { orgId, groupId: { in: groups.map((g) => g.id) } },
      select: { groupId: true, userId: true, user: { select: { userName: true, displayName: true } } },
      orderBy: [{ createdAt: "asc" }, { userId: "asc" }],
    });
    const byGroup = new Map<string, MemberRef[]>(groups.map((g) => [g.id, []]));
    for (const r of rows) byGroup.get(r.groupId)?.push(r);
    return byGroup;
  }

  const render = (ctx: ScimCtx, p: Projection, g: Group, members: Map<string, MemberRef[]> | null) =>
    project(presentGroup(ctx, g, members?.get(g.id)), p, []);

  return {
    async get(ctx: ScimCtx, id: string, attributes?: unknown, excluded?: unknown) {
      const p = parseProjection(GROUP_SCHEMAS, attributes, excluded);
      const group = isUuid(id) ? await readGroupRow(db.read, ctx.orgId, id) : null;
      if (!group) throw notFound("Group", id);
      return {
        resource: render(ctx, p, group, await membersOf(ctx.orgId, [group], p)),
        version: group.version,
      };
    },

    async list(ctx: ScimCtx, q: ListQuery) {
      const p = parseProjection(GROUP_SCHEMAS, q.attributes, q.excludedAttributes);
      const where = q.filter ? { AND: [{ orgId: ctx.orgId }, groupWhere(q.filter)] } : { orgId: ctx.orgId };
      const groups =
        q.count === 0
          ? []
          : await prisma.group.findMany({
              where,
              orderBy: [{ createdAt: "asc" }, { id: "asc" }],
              skip: q.startIndex - 1,
              take: q.count,
            });
      // A short, non-empty page (or an empty first page) already tells the total; COUNT otherwise.
      const known = groups.length < q.count && (groups.length > 0 || q.startIndex === 1);
      const total = known ? q.startIndex - 1 + groups.length : await prisma.group.count({ where });
      const members = await membersOf(ctx.orgId, groups, p);
      return listResponse(
        total,
        q.startIndex,
        groups.length,
        groups.map((g) => JSON.stringify(render(ctx, p, g, members))),
      );
    },
  };
}
