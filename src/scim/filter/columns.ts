// One filter comparison onto one database column, as a Prisma `where` fragment. Column kinds:
// strings (case-exact, case-insensitive through a *_lower column, or ILIKE-insensitive),
// uuids (eq/ne only: a malformed id matches nothing rather than erroring), timestamps, and
// attributes kept in a JSON column. The caller wraps fragments into relations and and/or/not.
import { Prisma } from "../../generated/prisma/client";
import { AppError } from "../../shared/errors";
import type { CompareOp, Literal } from "./parse";
import { isUuid } from "../../shared/ids";
import { fold } from "../../shared/fold";

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

/** Matches no row, on the compared column itself (a membership row has no id column). */
const nothing = (field: string): Where => ({ [field]: { in: [] } });

/** co/sw/ew become LIKE patterns: the value's own `%`, `_` and `\` must match themselves. */
const likeEscaped = (value: string): string => value.replace(/[\\%_]/g, "\\$&");

const ISO_INSTANT = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * A dateTime as an instant in whole milliseconds (the precision of the stored timestamps) and
 * whether the value had digits below the millisecond (Entra sends seven), or null.
 */
function instantOf(value: string): { at: Date; finer: boolean } | null {
  const m = ISO_INSTANT.exec(value.trim());
  if (m) {
    const fraction = m[2] ?? "";
    const at = new Date(`${m[1]}.${fraction.slice(0, 3).padEnd(3, "0")}${m[3]}`);
    return Number.isNaN(at.getTime()) ? null : { at, finer: /[1-9]/.test(fraction.slice(3)) };
  }
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : { at: new Date(ms), finer: false };
}

/**
 * A comparison with an instant finer than a millisecond, exact on millisecond timestamps: t > x
 * and t >= x both mean t > floor(x); t < x and t <= x both mean t <= floor(x); t = x never holds.
 */
function compareInstant(field: string, op: CompareOp, at: Date, finer: boolean): Where | null {
  if (!finer)
    return op === "eq" ? { [field]: at } : RANGE[op] ? { [field]: { [RANGE[op] as string]: at } } : null;
  if (op === "eq") return nothing(field);
  if (op === "gt" || op === "ge") return { [field]: { gt: at } };
  if (op === "lt" || op === "le") return { [field]: { lte: at } };
  return null;
}

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
      return isUuid(value) ? { [col.field]: value.toLowerCase() } : nothing(col.field);
    case "date": {
      const instant = typeof value === "string" ? instantOf(value) : null;
      if (!instant) throw invalidFilter(`${label} compares with a dateTime string`);
      const where = compareInstant(col.field, op, instant.at, instant.finer);
      if (!where) throw invalidFilter(`${label} supports eq ne gt ge lt le pr`);
      return where;
    }
    case "json": {
      if (op === "eq") return { [col.field]: { path: col.path, equals: value } };
      if (JSON_TEXT[op] && typeof value === "string")
        return {
          [col.field]: { path: col.path, [JSON_TEXT[op] as string]: likeEscaped(value), mode: "insensitive" },
        };
      if (RANGE[op]) return { [col.field]: { path: col.path, [RANGE[op] as string]: value } };
      throw invalidFilter(`${label} ${op} needs a string`);
    }
    case "string": {
      if (typeof value !== "string") throw invalidFilter(`${label} compares with a string`);
      const v = col.lower ? fold(value) : value;
      const mode = col.insensitive ? { mode: "insensitive" } : {};
      if (op === "eq") return { [col.field]: { equals: v, ...mode } };
      if (TEXT[op]) return { [col.field]: { [TEXT[op] as string]: likeEscaped(v), ...mode } };
      return { [col.field]: { [RANGE[op] as string]: v, ...mode } };
    }
  }
}
