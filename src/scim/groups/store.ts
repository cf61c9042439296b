// Groups and memberships rows for SCIM, scoped by orgId. Membership changes are set-based:
// one existence check of the member ids, one DELETE ... IN, one INSERT ... ON CONFLICT DO
// NOTHING (createMany skipDuplicates), whatever the number of members in the request.
import type { Db, SqlTx, Tx } from "../../db/client";
import type { Group } from "../../generated/prisma/client";
import { AppError } from "../../shared/errors";
import { invalidValue } from "../schema/canonical";
import { notFound } from "../users/store";
import { lockGroupRow } from "./members-sql";
import { isUuid } from "../../shared/ids";
import { fold } from "../../shared/fold";

export const groupUniqueness = () =>
  new AppError("uniqueness", "a group with this displayName already exists in this organization", {
    scimType: "uniqueness",
  });

/**
 * Locks the group row and, shared, its organization (as the role seam does: see lockUser), in
 * one statement; a later recomputeRoles in this transaction may pass `lockHeld`.
 */
export async function lockGroup(tx: SqlTx, orgId: string, id: string): Promise<Group> {
  if (!isUuid(id)) throw notFound("Group", id);
  const group = await lockGroupRow(tx, orgId, id);
  if (!group) throw notFound("Group", id);
  return group;
}

export async function assertGroupNameFree(db: Db, orgId: string, displayName: string, exceptId?: string) {
  const clash = await db.group.findFirst({
    where: {
      orgId,
      displayNameLower: fold(displayName),
      ...(exceptId ? { NOT: { id: exceptId } } : {}),
    },
    select: { id: true },
  });
  if (clash) throw groupUniqueness();
}

/** Every id must be a user of this organization (nested groups are not supported). */
export async function assertMembersExist(db: Db, orgId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const valid = ids.filter(isUuid);
  const found = await db.user.findMany({ where: { orgId, id: { in: valid } }, select: { id: true } });
  if (found.length === ids.length) return;
  const known = new Set(found.map((u) => u.id));
  throw unknownMembers(ids.filter((id) => !known.has(id)));
}

export const unknownMembers = (unknown: string[]) =>
  invalidValue(
    `members: no User with id ${unknown.slice(0, 5).join(", ")}${unknown.length > 5 ? ", ..." : ""}`,
  );

export async function memberIdsOf(db: Db, orgId: string, groupId: string): Promise<string[]> {
  const rows = await db.groupMembership.findMany({ where: { orgId, groupId }, select: { userId: true } });
  return rows.map((r) => r.userId);
}

export interface MemberChange {
  reset: boolean;
  add: string[];
  remove: string[];
}

export async function applyMembers(
  tx: Tx,
  orgId: string,
  groupId: string,
  change: MemberChange,
): Promise<void> {
  if (change.reset) {
    await tx.groupMembership.deleteMany({ where: { orgId, groupId, userId: { notIn: change.add } } });
  } else if (change.remove.length > 0) {
    const ids = change.remove.filter(isUuid);
    if (ids.length > 0)
      await tx.groupMembership.deleteMany({ where: { orgId, groupId, userId: { in: ids } } });
  }
  if (change.add.length > 0) {
    await tx.groupMembership.createMany({
      data: change.add.map((userId) => ({ orgId, groupId, userId })),
      skipDuplicates: true,
    });
  }
}
