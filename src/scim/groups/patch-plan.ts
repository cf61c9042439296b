// Turns a Group PATCH into one plan that the database applies set-based: the new displayName /
// externalId, and member ids to add and remove (or "reset": drop all first). Operations apply
// in order, so `remove all` then `add X` leaves exactly X. Shapes handled: Okta's
// members[value eq "id"] remove and no-path rename, Entra's "Add"/"Remove" with a value list
// (pre-2020 remove removes only the listed members), or-joined value filters.
import type { Filter } from "../filter/parse";
import { invalidFilter } from "../filter/columns";
import type { PatchOperation } from "../patch/operations";
import { GROUP_SCHEMAS } from "../schema/attributes";
import { canonicalize, invalidValue, type Doc } from "../schema/canonical";

export interface GroupPlan {
  displayName?: string;
  externalId?: string | null;
  reset: boolean;
  add: Set<string>;
  remove: Set<string>;
}

/** Member ids of a members value: [{value}], {value}, or bare strings. */
function memberIds(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((m, i) => {
    const id = typeof m === "string" ? m : typeof m === "object" && m !== null ? (m as Doc).value : undefined;
    if (typeof id !== "string" || id.trim() === "")
      throw invalidValue(`members[${i}].value must be a string`);
    return id.trim().toLowerCase();
  });
}

/** `value eq "a" or value eq "b"` → ["a", "b"]; other member filters are not supported. */
function idsOfFilter(filter: Filter): string[] {
  if (filter.kind === "or") return [...idsOfFilter(filter.left), ...idsOfFilter(filter.right)];
  if (
    filter.kind === "cmp" &&
    filter.op === "eq" &&
    filter.path.attr.toLowerCase() === "value" &&
    typeof filter.value === "string"
  )
    return [filter.value.toLowerCase()];
  throw invalidFilter('members filters select by id: members[value eq "<id>"] (joined with or)');
}

function addMembers(plan: GroupPlan, ids: string[]) {
  for (const id of ids) {
    plan.add.add(id);
    plan.remove.delete(id);
  }
}

function removeMembers(plan: GroupPlan, ids: string[]) {
  for (const id of ids) {
    plan.remove.add(id);
    plan.add.delete(id);
  }
}

function resetMembers(plan: GroupPlan, ids: string[]) {
  plan.reset = true;
  plan.remove.clear();
  plan.add = new Set(ids);
}

function setDisplayName(plan: GroupPlan, value: unknown) {
  if (typeof value !== "string" || value.trim() === "")
    throw invalidValue("displayName must be a non-empty string");
  plan.displayName = value;
}

function applyNoPath(plan: GroupPlan, op: "add" | "replace", value: unknown) {
  const doc = canonicalize(GROUP_SCHEMAS, value);
  if ("displayName" in doc) setDisplayName(plan, doc.displayName);
  if ("externalId" in doc) plan.externalId = typeof doc.externalId === "string" ? doc.externalId : null;
  if ("members" in doc) {
    const ids = memberIds(doc.members);
    if (op === "replace") resetMembers(plan, ids);
    else addMembers(plan, ids);
  }
}

export function planGroupPatch(ops: PatchOperation[]): GroupPlan {
  const plan: GroupPlan = { reset: false, add: new Set(), remove: new Set() };
  for (const op of ops) {
    if (!op.path) {
      applyNoPath(plan, op.op as "add" | "replace", op.value);
      continue;
    }
    const attr = op.path.path.attr.toLowerCase();
    if (attr === "members") {
      if (op.path.filter) {
        if (op.op !== "remove") throw invalidFilter("add and replace take the members path without a filter");
        removeMembers(plan, idsOfFilter(op.path.filter));
      } else if (op.op === "add") addMembers(plan, memberIds(op.value));
      else if (op.op === "replace") resetMembers(plan, memberIds(op.value));
      // Entra before 2020: remove with a value list removes those members only.
      else if (op.value !== undefined && op.value !== null) removeMembers(plan, memberIds(op.value));
      else resetMembers(plan, []);
    } else if (attr === "displayname") {
      if (op.op === "remove") throw invalidValue("displayName is required and cannot be removed");
      setDisplayName(plan, op.value);
    } else if (attr === "externalid") {
      plan.externalId = op.op === "remove" || typeof op.value !== "string" ? null : op.value;
    }
    // Other paths (id, meta, unknown attributes) are ignored, as in a create.
  }
  return plan;
}
