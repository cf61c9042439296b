// GET /Users/{id} and GET /Users: one resource, or a page in a stable order (created, id) with
// totalResults from the count the database keeps of the organization's users (no filter), or
// from a COUNT over the same `where`.
// Resources come as JSON text built by PostgreSQL (resource-sql.ts) and are passed through as
// they are; only a projection (attributes / excludedAttributes) parses them. Groups are loaded
// only when returned.
import type { Database } from "../../db/client";
import { Prisma } from "../../generated/prisma/client";
import type { Filter } from "../filter/parse";
import type { ScimCtx } from "../context";
import { listResponse, type ListQuery } from "../list-query";
import { USER_SCHEMA, USER_SCHEMAS, ENTERPRISE_SCHEMA } from "../schema/attributes";
import { parseProjection, project, wants, type Projection } from "../schema/projection";
import { notFound } from "./store";
import { orgUsersSql, selectUserByName, selectUserPage, selectUserResource } from "./sql";
import { userWhere } from "./where";
import { isUuid } from "../../shared/ids";
import { fold } from "../../shared/fold";

/** Resources (JSON objects joined by commas) through the projection, when there is one. */
function render(p: Projection, resources: string): string {
  if (resources === "" || (!p.include && p.exclude.length === 0)) return resources;
  const parsed = JSON.parse(`[${resources}]`) as Record<string, unknown>[];
  return parsed.map((r) => JSON.stringify(project(r, p, [ENTERPRISE_SCHEMA]))).join(",");
}

/** `userName eq "..."` (Okta's and Entra's lookup before a create): the userName key, else null. */
function userNameEq(filter: Filter | null): string | null {
  if (!filter || filter.kind !== "cmp" || filter.op !== "eq" || typeof filter.value !== "string") return null;
  const { urn, attr, sub } = filter.path;
  if (sub || (urn && urn !== USER_SCHEMA.toLowerCase())) return null;
  // userName is caseExact false (RFC 7643 4.1.1): compared through its identity key (the fold),
  // on the unique index.
  return attr.toLowerCase() === "username" ? fold(filter.value) : null;
}

export function createUserReads({ db }: { db: Pick<Database, "prisma" | "read"> }) {
  const prisma = db.prisma;
  const read = db.read;
  return {
    /** The resource as JSON text, and its version for the ETag. */
    async get(ctx: ScimCtx, id: string, attributes?: unknown, excluded?: unknown) {
      const p = parseProjection(USER_SCHEMAS, attributes, excluded);
      const user = isUuid(id) ? await selectUserResource(read, ctx, id, wants(p, "groups")) : null;
      if (!user) throw notFound("User", id);
      return { json: render(p, user.resource), version: user.version };
    },

    /** The ListResponse as JSON text. */
    async list(ctx: ScimCtx, q: ListQuery): Promise<string> {
      const p = parseProjection(USER_SCHEMAS, q.attributes, q.excludedAttributes);
      const withGroups = wants(p, "groups");
      const offset = q.startIndex - 1;
      const userName = userNameEq(q.filter);
      if (userName !== null) {
        // At most one user has it: the match is the total, and the page when it starts at 1.
        const found = await selectUserByName(read, ctx, userName, withGroups);
        const shown = found !== null && q.startIndex === 1 && q.count > 0;
        return listResponse(found === null ? 0 : 1, q.startIndex, shown ? 1 : 0, [
          shown ? render(p, found) : "",
        ]);
      }
      if (!q.filter) {
        // One statement: the page and its total (the count the database keeps of the
        // organization's users).
        const page = await selectUserPage(read, ctx, Prisma.sql`TRUE`, {
          offset,
          limit: q.count,
          withGroups,
          total: orgUsersSql(ctx.orgId),
        });
        return listResponse(page.total!, q.startIndex, page.count, [render(p, page.resources)]);
      }
      // Any other filter: Prisma translates it (userWhere) and finds the page's ids; the
      // resources come from the same select as above, in the same order. A short, non-empty
      // page (or an empty first page) already tells the total; COUNT otherwise.
      // Local accounts are not SCIM's until a create links them (docs/scim.md).
      const where = {
        AND: [{ orgId: ctx.orgId }, { provisionedBy: { not: "invite" as const } }, userWhere(q.filter)],
      };
      const ids =
        q.count === 0
          ? []
          : await prisma.user.findMany({
              where,
              orderBy: [{ createdAt: "asc" }, { id: "asc" }],
              skip: offset,
              take: q.count,
              select: { id: true },
            });
      const known = ids.length < q.count && (ids.length > 0 || q.startIndex === 1);
      const total = known ? offset + ids.length : await prisma.user.count({ where });
      const page =
        ids.length === 0
          ? { resources: "", count: 0, total: null }
          : await selectUserPage(read, ctx, Prisma.sql`u.id = ANY(${ids.map((u) => u.id)}::uuid[])`, {
              offset: 0,
              withGroups,
            });
      return listResponse(total, q.startIndex, page.count, [render(p, page.resources)]);
    },
  };
}
