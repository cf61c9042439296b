// A SCIM filter on Users as a Prisma `where` (RFC 7644 3.4.2.2), never evaluated in memory.
// userName and emails are case-insensitive (RFC 7643 caseExact false) through their identity
// keys (*_lower columns, the fold of shared/fold.ts); emails and groups are filtered through
// their rows (EXISTS), including value paths such as emails[type eq "work" and value co "@acme"]. Attributes without a column are read
// from users.scim_data; attributes no schema defines are an invalidFilter error.
import type { Filter, AttrPath } from "../filter/parse";
import { compareColumn, invalidFilter, present, type Column, type Where } from "../filter/columns";
import { ENTERPRISE_SCHEMA, USER_SCHEMAS, resolveAttr, type ResolvedAttr } from "../schema/attributes";
import type { CompareOp, Literal } from "../filter/parse";
import { fold } from "../../shared/fold";

/** A column, optionally on related rows (`relation`), reached through `nest` from those rows. */
type Leaf =
  { column: Column; relation?: "emails" | "memberships"; nest?: (w: Where) => Where } | { active: true };

const emailsSome = (inner: Where): Where => ({ emails: { some: inner } });
const groupsSome = (inner: Where): Where => ({ memberships: { some: inner } });
const SOME = { emails: emailsSome, memberships: groupsSome };

const EMAIL_SUBS: Record<string, Column> = {
  value: { kind: "string", field: "valueLower", lower: true },
  display: { kind: "string", field: "valueLower", lower: true },
  type: { kind: "string", field: "type", insensitive: true, nullable: true },
};

/** userName and email keys are folds (shared/fold.ts): a value compared with them is folded too. */
const FOLDED = new Set(["userNameLower", "valueLower"]);
const compare = (col: Column, op: CompareOp, value: Literal, label: string): Where =>
  compareColumn(
    col,
    op,
    col.kind === "string" && FOLDED.has(col.field) && typeof value === "string" ? fold(value) : value,
    label,
  );

/** A column for an attribute (and sub-attribute) of the User schemas. */
function leafOf(found: ResolvedAttr, label: string): Leaf {
  const { extension, spec, sub } = found;
  const name = spec.name;
  const subName = sub?.name;
  if (!extension) {
    if (name === "id") return { column: { kind: "uuid", field: "id" } };
    if (name === "userName") return { column: { kind: "string", field: "userNameLower", lower: true } };
    if (name === "externalId") return { column: { kind: "string", field: "externalId", nullable: true } };
    if (name === "displayName")
      return { column: { kind: "string", field: "displayName", insensitive: true, nullable: true } };
    if (name === "active") return { active: true };
    if (name === "name" && subName === "givenName")
      return { column: { kind: "string", field: "firstName", insensitive: true, nullable: true } };
    if (name === "name" && subName === "familyName")
      return { column: { kind: "string", field: "lastName", insensitive: true, nullable: true } };
    if (name === "meta" && (subName === "created" || subName === "lastModified"))
      return { column: { kind: "date", field: subName === "created" ? "createdAt" : "updatedAt" } };
    if (name === "emails") {
      if (subName === "primary") throw invalidFilter("filter emails[primary eq true] as a value path");
      const column = EMAIL_SUBS[subName ?? "value"];
      if (column) return { column, relation: "emails" };
    }
    if (name === "groups" && (subName ?? "value") === "value")
      return { column: { kind: "uuid", field: "groupId" }, relation: "memberships" };
    if (name === "groups" && subName === "display")
      return {
        column: { kind: "string", field: "displayNameLower", lower: true },
        relation: "memberships",
        nest: (inner) => ({ group: inner }),
      };
  }
  if (extension === ENTERPRISE_SCHEMA && name === "manager" && (subName ?? "value") === "value")
    return { column: { kind: "string", field: "managerId", nullable: true } };
  if (spec.multiValued || (spec.type === "complex" && !subName) || name === "password" || name === "meta")
    throw invalidFilter(`${label} cannot be filtered on`);
  const path = [...(extension ? [extension] : []), name, ...(subName ? [subName] : [])];
  return { column: { kind: "json", field: "scimData", path } };
}

function resolve(path: AttrPath, label: string): ResolvedAttr {
  const found = resolveAttr(USER_SCHEMAS, path);
  if (!found) throw invalidFilter(`${label} is not an attribute of User`);
  return found;
}

const label = (p: AttrPath) => `${p.urn ? `${p.urn}:` : ""}${p.attr}${p.sub ? `.${p.sub}` : ""}`;

function activeWhere(op: string, value: unknown): Where {
  if (op === "pr") return {};
  if (typeof value !== "boolean" || (op !== "eq" && op !== "ne"))
    throw invalidFilter("active compares with eq or ne and true or false");
  const isActive = (op === "eq") === value;
  return isActive ? { status: "active" } : { NOT: { status: "active" } };
}

/** Elements of a value path: `emails[type eq "work"]` → a where on user_emails rows. */
function elementWhere(filter: Filter, parent: ResolvedAttr): Where {
  switch (filter.kind) {
    case "and":
    case "or":
      return {
        [filter.kind.toUpperCase()]: [elementWhere(filter.left, parent), elementWhere(filter.right, parent)],
      };
    case "not":
      return { NOT: elementWhere(filter.filter, parent) };
    case "valuePath":
      throw invalidFilter("value paths cannot nest");
    default: {
      const sub = filter.path.attr.toLowerCase();
      if (parent.spec.name === "emails" && sub === "primary") {
        if (filter.kind === "pr") return {};
        if (typeof filter.value !== "boolean")
          throw invalidFilter("emails.primary compares with true or false");
        return { primary: filter.op === "ne" ? !filter.value : filter.value };
      }
      const leaf = leafOf(
        resolve({ urn: parent.extension?.toLowerCase(), attr: parent.spec.name, sub }, label(filter.path)),
        label(filter.path),
      );
      if ("active" in leaf) throw invalidFilter("active is not a sub-attribute");
      const where =
        filter.kind === "pr"
          ? present(leaf.column)
          : compare(leaf.column, filter.op, filter.value, label(filter.path));
      // Already on the related rows: only the nesting below them applies.
      return leaf.nest ? leaf.nest(where) : where;
    }
  }
}

export function userWhere(filter: Filter): Where {
  switch (filter.kind) {
    case "and":
      return { AND: [userWhere(filter.left), userWhere(filter.right)] };
    case "or":
      return { OR: [userWhere(filter.left), userWhere(filter.right)] };
    case "not":
      return { NOT: userWhere(filter.filter) };
    case "valuePath": {
      const parent = resolve(filter.path, label(filter.path));
      if (parent.extension || (parent.spec.name !== "emails" && parent.spec.name !== "groups"))
        throw invalidFilter(`${label(filter.path)}[...] is not supported: use emails[...] or groups[...]`);
      const inner = elementWhere(filter.filter, parent);
      return parent.spec.name === "emails" ? emailsSome(inner) : groupsSome(inner);
    }
    case "pr":
    case "cmp": {
      const found = resolve(filter.path, label(filter.path));
      const leaf = leafOf(found, label(filter.path));
      if ("active" in leaf)
        return activeWhere(
          filter.kind === "pr" ? "pr" : filter.op,
          filter.kind === "pr" ? null : filter.value,
        );
      if (filter.kind === "pr" && leaf.relation) return SOME[leaf.relation]({});
      const where =
        filter.kind === "pr"
          ? present(leaf.column)
          : compare(leaf.column, filter.op, filter.value, label(filter.path));
      if (!leaf.relation) return where;
      return SOME[leaf.relation](leaf.nest ? leaf.nest(where) : where);
    }
  }
}
