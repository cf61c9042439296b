// GET /Users/{id} and GET /Users: one resource, or a page in a stable order (created, id) with
// totalResults from a COUNT over the same `where` (unless a short page already tells it).
// Groups are loaded only when returned.
import type { Database } from "../../db/client";
import type { ScimCtx } from "../context";
import { listResponse, type ListQuery } from "../list-query";
import { USER_SCHEMAS, ENTERPRISE_SCHEMA } from "../schema/attributes";
import { parseProjection, project, wants, type Projection } from "../schema/projection";
import { notFound } from "./store";
import { presentUser, type GroupRef } from "./present";
import { userWhere } from "./where";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const WITH_GROUPS = {
  emails: true,
  memberships: { select: { group: { select: { id: true, displayName: true } } } },
} as const;
// Typed as the fuller shape; `memberships` is simply absent when groups are not returned.
const include = (p: Projection) =>
  (wants(p, "groups") ? WITH_GROUPS : { emails: true }) as typeof WITH_GROUPS;

type Loaded = Parameters<typeof presentUser>[1] & { memberships?: { group: GroupRef }[] };

const render = (ctx: ScimCtx, p: Projection, u: Loaded) =>
  project(
    presentUser(
      ctx,
      u,
      u.memberships?.map((m) => m.group),
    ),
    p,
    [ENTERPRISE_SCHEMA],
  );

export function createUserReads({ db }: { db: Pick<Database, "prisma"> }) {
  const prisma = db.prisma;
  return {
    async get(ctx: ScimCtx, id: string, attributes?: unknown, excluded?: unknown) {
      const p = parseProjection(USER_SCHEMAS, attributes, excluded);
      const user = UUID.test(id)
        ? await prisma.user.findFirst({ where: { id, orgId: ctx.orgId }, include: include(p) })
        : null;
      if (!user) throw notFound("User", id);
      return { resource: render(ctx, p, user), version: user.version };
    },

    async list(ctx: ScimCtx, q: ListQuery) {
      const p = parseProjection(USER_SCHEMAS, q.attributes, q.excludedAttributes);
      const where = q.filter ? { AND: [{ orgId: ctx.orgId }, userWhere(q.filter)] } : { orgId: ctx.orgId };
      const rows =
        q.count === 0
          ? []
          : await prisma.user.findMany({
              where,
              orderBy: [{ createdAt: "asc" }, { id: "asc" }],
              skip: q.startIndex - 1,
              take: q.count,
              include: include(p),
            });
      // A short, non-empty page (or an empty first page) already tells the total; COUNT otherwise.
      const known = rows.length < q.count && (rows.length > 0 || q.startIndex === 1);
      const total = known ? q.startIndex - 1 + rows.length : await prisma.user.count({ where });
      return listResponse(
        total,
        q.startIndex,
        rows.map((u) => render(ctx, p, u)),
      );
    },
  };
}
