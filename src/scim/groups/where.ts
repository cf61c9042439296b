// A SCIM filter on Groups as a Prisma `where`: displayName case-insensitively (its *_lower
// column), externalId case-exact, members through the membership rows (EXISTS), including the
// value path members[value eq "id"]. Anything else is an invalidFilter error.
import type { AttrPath, Filter } from "../filter/parse";
import { compareColumn, invalidFilter, present, type Column, type Where } from "../filter/columns";
import { GROUP_SCHEMAS, resolveAttr } from "../schema/attributes";

const label = (p: AttrPath) => `${p.attr}${p.sub ? `.${p.sub}` : ""}`;
const membersSome = (inner: Where): Where => ({ memberships: { some: inner } });

function column(path: AttrPath): { column: Column; members?: boolean } {
  const found = resolveAttr(GROUP_SCHEMAS, path);
  if (!found) throw invalidFilter(`${label(path)} is not an attribute of Group`);
  const [name, sub] = [found.spec.name, found.sub?.name];
  if (name === "id") return { column: { kind: "uuid", field: "id" } };
  if (name === "displayName") return { column: { kind: "string", field: "displayNameLower", lower: true } };
  if (name === "externalId") return { column: { kind: "string", field: "externalId", nullable: true } };
  if (name === "meta" && (sub === "created" || sub === "lastModified"))
    return { column: { kind: "date", field: sub === "created" ? "createdAt" : "updatedAt" } };
  if (name === "members" && (sub ?? "value") === "value")
    return { column: { kind: "uuid", field: "userId" }, members: true };
  throw invalidFilter(`${label(path)} cannot be filtered on`);
}

function leaf(filter: Extract<Filter, { kind: "cmp" | "pr" }>, path: AttrPath): Where {
  const { column: col } = column(path);
  return filter.kind === "pr" ? present(col) : compareColumn(col, filter.op, filter.value, label(path));
}

/** Inside members[...]: sub-attributes of one membership row. */
function memberWhere(filter: Filter): Where {
  switch (filter.kind) {
    case "and":
    case "or":
      return { [filter.kind.toUpperCase()]: [memberWhere(filter.left), memberWhere(filter.right)] };
    case "not":
      return { NOT: memberWhere(filter.filter) };
    case "valuePath":
      throw invalidFilter("value paths cannot nest");
    default:
      return leaf(filter, { attr: "members", sub: filter.path.attr });
  }
}

export function groupWhere(filter: Filter): Where {
  switch (filter.kind) {
    case "and":
      return { AND: [groupWhere(filter.left), groupWhere(filter.right)] };
    case "or":
      return { OR: [groupWhere(filter.left), groupWhere(filter.right)] };
    case "not":
      return { NOT: groupWhere(filter.filter) };
    case "valuePath":
      if (filter.path.attr.toLowerCase() !== "members")
        throw invalidFilter(`${filter.path.attr}[...] is not supported`);
      return membersSome(memberWhere(filter.filter));
    default: {
      const { members } = column(filter.path);
      if (members && filter.kind === "pr") return membersSome({});
      const where = leaf(filter, filter.path);
      return members ? membersSome(where) : where;
    }
  }
}
