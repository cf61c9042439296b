// Groups rows for SCIM, scoped by orgId: the lock of a group (with its organization), and the
// errors of group writes. Every write of a group and its members is one statement
// (members-sql.ts).
import type { SqlTx } from "../../db/client";
import { AppError } from "../../shared/errors";
import { invalidValue } from "../schema/canonical";
import { notFound } from "../users/store";
import { lockGroupRow, type LockedGroup } from "./members-sql";
import { isUuid } from "../../shared/ids";

export const groupUniqueness = () =>
  new AppError("uniqueness", "a group with this displayName already exists in this organization", {
    scimType: "uniqueness",
  });

/**
 * Locks the group row and, shared, its organization (as the role seam does: see lockUser), in
 * one statement; a later recomputeRoles in this transaction may pass `lockHeld`.
 */
export async function lockGroup(tx: SqlTx, orgId: string, id: string): Promise<LockedGroup> {
  if (!isUuid(id)) throw notFound("Group", id);
  const locked = await lockGroupRow(tx, orgId, id);
  if (!locked) throw notFound("Group", id);
  return locked;
}

export const unknownMembers = (unknown: string[]) =>
  invalidValue(
    `members: no User with id ${unknown.slice(0, 5).join(", ")}${unknown.length > 5 ? ", ..." : ""}`,
  );
