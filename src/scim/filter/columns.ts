// One filter comparison onto one database column, as a Prisma `where` fragment. Column kinds:
// strings (case-exact, case-insensitive through a *_lower column, or ILIKE-insensitive),
// uuids (eq/ne only: a malformed id matches nothing rather than erroring), timestamps, and
// attributes kept in a JSON column. The caller wraps fragments into relations and and/or/not.
import { Prisma } from "../../generated/prisma/client";
import { AppError } from "../../shared/errors";
import type { CompareOp, Literal } from "./parse";
import { isUuid } from "../../shared/ids";

export type Where = Record<string, unknown>;

export type Column =
  | { kind: "string"; field: string; lower?: boolean; insensitive?: boolean; nullable?: boolean }
  | { kind: "uuid"; field: string; nullable?: boolean }
  | { kind: "date"; field: string }
  | { kind: "json"; field: string; path: string[] };

export const invalidFilter = (message: string) =>
  new AppError("bad_request", `invalid filter: ${message}`, { scimType: "invalidFilter" });

const RANGE: Record<string, string> = { gt: "gt", ge: "gte", lt: "lt", le: "lte" };
const TEXT: Record<string, string> = { co: "contains", sw: "startsWith", ew: "endsWith" };
const JSON_TEXT: Record<string, string> = {
  co: "string_contains",
  sw: "string_starts_with",
  ew: "string_ends_with",
};

const NOTHING: Where = { id: { in: [] } };

export function present(col: Column): Where {
  switch (col.kind) {
    case "json":
      // AnyNull: the path is missing (SQL NULL) or holds JSON null.
      return { NOT: { [col.field]: { path: col.path, equals: Prisma.AnyNull } } };
    case "date":
      return {};
    default:
      return col.nullable ? { [col.field]: { not: null } } : {};
  }
}

function negate(col: Column, positive: Where): Where {
  // ne: a resource without the attribute is "not equal" too (SQL NOT would drop NULL rows).
  const nullable = col.kind === "json" || ((col.kind === "string" || col.kind === "uuid") && col.nullable);
  const absent =
    col.kind === "json" ? { [col.field]: { path: col.path, equals: Prisma.AnyNull } } : { [col.field]: null };
  return nullable ? { OR: [{ NOT: positive }, absent] } : { NOT: positive };
}

export function compareColumn(col: Column, op: CompareOp, value: Literal, label: string): Where {
  if (value === null) {
    if (op !== "eq" && op !== "ne") throw invalidFilter(`${label} ${op} null is not a comparison`);
    const p = present(col);
    return op === "ne" ? p : { NOT: p };
  }
  if (op === "ne") return negate(col, compareColumn(col, "eq", value, label));
  switch (col.kind) {
    case "uuid":
      if (op !== "eq") throw invalidFilter(`${label} supports eq, ne and pr only`);
      if (typeof value !== "string") throw invalidFilter(`${label} compares with a string`);
      return isUuid(value) ? { [col.field]: value.toLowerCase() } : NOTHING;
    case "date": {
      if (typeof value !== "string" || Number.isNaN(Date.parse(value)))
        throw invalidFilter(`${label} compares with a dateTime string`);
      const at = new Date(value);
      if (op === "eq") return { [col.field]: at };
      if (!RANGE[op]) throw invalidFilter(`${label} supports eq ne gt ge lt le pr`);
      return { [col.field]: { [RANGE[op] as string]: at } };
    }
    case "json": {
      if (op === "eq") return { [col.field]: { path: col.path, equals: value } };
      if (JSON_TEXT[op] && typeof value === "string")
        return { [col.field]: { path: col.path, [JSON_TEXT[op] as string]: value, mode: "insensitive" } };
      if (RANGE[op]) return { [col.field]: { path: col.path, [RANGE[op] as string]: value } };
      throw invalidFilter(`${label} ${op} needs a string`);
    }
    case "string": {
      if (typeof value !== "string") throw invalidFilter(`${label} compares with a string`);
      const v = col.lower ? value.toLowerCase() : value;
      const mode = col.insensitive ? { mode: "insensitive" } : {};
      if (op === "eq") return { [col.field]: { equals: v, ...mode } };
      const key = TEXT[op] ?? RANGE[op];
      return { [col.field]: { [key as string]: v, ...mode } };
    }
  }
}
