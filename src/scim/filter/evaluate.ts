// Evaluates a value-path filter (the `[type eq "work"]` of a PATCH path) against one element of
// a multi-valued attribute that is already in memory. Strings compare case-insensitively, as
// for the sub-attributes of emails, phoneNumbers, addresses and members (caseExact false).
import type { Filter, Literal } from "./parse";

const field = (element: Record<string, unknown>, name: string): unknown => {
  const key = Object.keys(element).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : element[key];
};

const norm = (v: unknown): unknown => (typeof v === "string" ? v.toLowerCase() : v);

function compare(actual: unknown, op: string, expected: Literal): boolean {
  const a = norm(actual);
  const e = norm(expected);
  switch (op) {
    case "eq":
      return a === e || (e === null && a === undefined);
    case "ne":
      return !(a === e || (e === null && a === undefined));
    case "co":
      return typeof a === "string" && typeof e === "string" && a.includes(e);
    case "sw":
      return typeof a === "string" && typeof e === "string" && a.startsWith(e);
    case "ew":
      return typeof a === "string" && typeof e === "string" && a.endsWith(e);
    default: {
      if (a === undefined || a === null || e === null || typeof a !== typeof e) return false;
      const [x, y] = [a as string | number, e as string | number];
      return op === "gt" ? x > y : op === "ge" ? x >= y : op === "lt" ? x < y : x <= y;
    }
  }
}

export function matches(filter: Filter, element: unknown): boolean {
  const el = typeof element === "object" && element !== null ? (element as Record<string, unknown>) : {};
  switch (filter.kind) {
    case "and":
      return matches(filter.left, el) && matches(filter.right, el);
    case "or":
      return matches(filter.left, el) || matches(filter.right, el);
    case "not":
      return !matches(filter.filter, el);
    case "pr": {
      const v = field(el, filter.path.attr);
      return v !== undefined && v !== null && v !== "";
    }
    case "cmp":
      return compare(field(el, filter.path.sub ?? filter.path.attr), filter.op, filter.value);
    case "valuePath":
      return false;
  }
}

/** The {attr: value} pairs of a filter made only of `eq` joined by `and` (to create a missing element). */
export function equalities(filter: Filter): Record<string, Literal> | null {
  if (filter.kind === "cmp" && filter.op === "eq") return { [filter.path.attr]: filter.value };
  if (filter.kind !== "and") return null;
  const left = equalities(filter.left);
  const right = equalities(filter.right);
  return left && right ? { ...left, ...right } : null;
}
