// POST, PUT, PATCH and DELETE of SCIM Groups, each one transaction (or one statement) with its
// audit event, its outbox event (group.updated) and the role recomputation of exactly the users
// it affects: the members added or removed, or every member when a rename may change which
// rules match, those users locked in id order first (lockUsersForRoles). Every write of the
// group and its members is the one statement of members-sql.ts. A transaction PostgreSQL ends
// to break a deadlock is run again (retryLockConflicts): each is database work alone.
import { randomUUID } from "node:crypto";
import { committing, type Database, type SqlTx } from "../../db/client";
import type { Group } from "../../generated/prisma/client";
import { AppError } from "../../shared/errors";
import { lockOrgForRoles, recomputeRoles } from "../../roles/recompute";
import type { ScimCtx } from "../context";
import { matchesIfMatch } from "../list-query";
import { readPatchBody } from "../patch/operations";
import { GROUP_SCHEMAS } from "../schema/attributes";
import { canonicalize } from "../schema/canonical";
import { driverTx, uniqueAs409 } from "../users/store";
import { planGroupPatch, type GroupPlan } from "./patch-plan";
import { groupUniqueness, lockGroup, unknownMembers } from "./store";
import { deleteGroupWithEvents, lockUsersForRoles, memberIdsOf, writeGroup } from "./members-sql";
import { retryLockConflicts } from "../../db/lock-conflicts";
import { presentGroup } from "./present";
import { createGroupReads } from "./read-groups";
import { isUuid } from "../../shared/ids";
import { fold } from "../../shared/fold";

function assertVersion(g: Group, ifMatch: string | undefined) {
  if (!matchesIfMatch(ifMatch, g.version))
    throw new AppError("precondition_failed", `the Group has changed: its version is W/"${g.version}"`);
}

/**
 * The clients' member batches on a locked group: one statement for the members, the version
 * and the events, and the roles of those users when a rule names the group. Null when that
 * statement committed nothing because a rule named the group after all (see below): the caller
 * runs the transaction again with `expectMapped`.
 */
async function applyMemberBatch(
  tx: SqlTx,
  ctx: ScimCtx,
  group: Group,
  plan: Pick<GroupPlan, "add" | "remove">,
  expectMapped: boolean,
): Promise<Group | null> {
  const add = [...plan.add];
  const remove = [...plan.remove];
  if (add.length === 0 && remove.length === 0) return group;
  const updated = { ...group, version: group.version + 1, updatedAt: new Date() };
  // Whichever statement is the last carries COMMIT (a round trip less). A group no rule named
  // when it was locked (most member batches: Okta's and Entra's groups that grant no role) is
  // written by the last statement: it then writes nothing when an added id is unknown or a rule
  // names the group after all (a rules change that committed while the lock waited), and the
  // transaction runs again expecting the recompute. Otherwise the recompute is the last.
  const last = !expectMapped;
  const { unknown, mapped } = await writeGroup(tx, ctx, {
    group: updated,
    create: false,
    reset: false,
    add,
    remove,
    action: "group.updated",
    data: { membersAdded: add, membersRemoved: remove },
    // Locked in the write's statement, only when a rule names the group (lockUsersForRoles).
    lockIfMapped: [...add, ...remove],
    lastUnlessMapped: last,
  });
  if (unknown.length > 0) throw unknownMembers(unknown);
  if (mapped && last) return null;
  if (mapped) await recomputeRoles(committing(tx), ctx, [...add, ...remove], { lockHeld: true });
  return updated;
}

/** Applies a rename or a replacement of every member to a locked group; every member's role
 * is recomputed then (a rename can change which mapping rules match). `expectMapped`: a member
 * batch's (applyMemberBatch). */
async function applyPlan(
  tx: SqlTx,
  ctx: ScimCtx,
  group: Group,
  plan: GroupPlan,
  expectMapped: boolean,
): Promise<Group | null> {
  const add = [...plan.add];
  const remove = [...plan.remove];
  const renamed =
    (plan.displayName !== undefined && plan.displayName !== group.displayName) ||
    (plan.externalId !== undefined && plan.externalId !== group.externalId);
  if (!renamed && !plan.reset) return applyMemberBatch(tx, ctx, group, plan, expectMapped);
  const before = await memberIdsOf(tx, ctx.orgId, group.id);
  const affected = [...new Set([...before, ...add, ...remove])];
  await lockUsersForRoles(tx, ctx.orgId, group, affected, { onlyIfMapped: false });
  const displayName = plan.displayName ?? group.displayName;
  const updated: Group = {
    ...group,
    displayName,
    displayNameLower: fold(displayName),
    externalId: plan.externalId !== undefined ? plan.externalId : group.externalId,
    version: group.version + 1,
    updatedAt: new Date(),
  };
  const changed = [
    ...(updated.displayName !== group.displayName ? ["displayName"] : []),
    ...(updated.externalId !== group.externalId ? ["externalId"] : []),
  ];
  const data = {
    ...(changed.length > 0 ? { changed } : {}),
    membersAdded: add,
    membersRemoved: plan.reset ? before.filter((id) => !plan.add.has(id)) : remove.filter(isUuid),
  };
  const write = {
    group: updated,
    create: false,
    reset: plan.reset,
    add,
    remove,
    action: "group.updated" as const,
    data,
  };
  const { unknown } = await writeGroup(tx, ctx, write);
  if (unknown.length > 0) throw unknownMembers(unknown);
  await recomputeRoles(committing(tx), ctx, affected, { lockHeld: true });
  return updated;
}

function planFromBody(body: unknown): GroupPlan & { displayName: string } {
  const doc = canonicalize(GROUP_SCHEMAS, body);
  const plan = planGroupPatch([{ op: "replace", value: { displayName: doc.displayName ?? "", ...doc } }]);
  if (!("members" in doc)) plan.reset = true;
  if (!("externalId" in doc)) plan.externalId = null;
  return plan as GroupPlan & { displayName: string };
}

export function createGroupWrites({ db }: { db: Database }) {
  const reads = createGroupReads({ db });
  /** A PUT's or PATCH's plan applied to the locked group (run again if PostgreSQL ended it as a
   * deadlock victim, and once more expecting a recompute when applyMemberBatch asks). */
  const applyToLocked = async (ctx: ScimCtx, id: string, ifMatch: string | undefined, plan: GroupPlan) => {
    const attempt = (mappedExpected: boolean) =>
      retryLockConflicts(() =>
        driverTx(
          db,
          async (tx) => {
            const { group, namedByRule } = await lockGroup(tx, ctx.orgId, id);
            assertVersion(group, ifMatch);
            return applyPlan(tx, ctx, group, plan, mappedExpected || namedByRule);
          },
          groupUniqueness,
        ),
      );
    const group = (await attempt(false)) ?? (await attempt(true));
    if (!group) throw new Error("a member batch expecting its recompute committed nothing");
    return group;
  };
  return {
    /**
     * Without members (how Okta and Entra create groups, adding members by PATCH afterwards):
     * one autocommitted statement, the group and its events, since no role can change. With
     * members: a transaction that holds the role seam's lock and recomputes their roles.
     */
    async create(ctx: ScimCtx, body: unknown) {
      const plan = planFromBody(body);
      const add = [...plan.add];
      const now = new Date();
      const group: Group = {
        id: randomUUID(),
        orgId: ctx.orgId,
        displayName: plan.displayName,
        displayNameLower: fold(plan.displayName),
        externalId: plan.externalId ?? null,
        source: "scim",
        version: 1,
        createdAt: now,
        updatedAt: now,
      };
      const write = { group, create: true, reset: false, add, remove: [], action: "group.created" as const };
      if (add.length === 0) {
        await uniqueAs409(
          () => writeGroup(db.direct, ctx, { ...write, data: { membersAdded: [] } }),
          groupUniqueness,
        );
        return { resource: presentGroup(ctx, group, []), version: group.version };
      }
      await retryLockConflicts(() =>
        driverTx(
          db,
          async (tx) => {
            await lockOrgForRoles(tx, ctx.orgId, "share");
            const { mapped } = await lockUsersForRoles(tx, ctx.orgId, group, add, { onlyIfMapped: true });
            const { unknown } = await writeGroup(tx, ctx, { ...write, data: { membersAdded: add } });
            if (unknown.length > 0) throw unknownMembers(unknown);
            if (mapped) await recomputeRoles(committing(tx), ctx, add, { lockHeld: true });
          },
          groupUniqueness,
        ),
      );
      return reads.get(ctx, group.id);
    },

    replace: (ctx: ScimCtx, id: string, body: unknown, ifMatch?: string) =>
      applyToLocked(ctx, id, ifMatch, { ...planFromBody(body), reset: true }),

    patch: (ctx: ScimCtx, id: string, body: unknown, ifMatch?: string) =>
      applyToLocked(ctx, id, ifMatch, planGroupPatch(readPatchBody(body))),

    async remove(ctx: ScimCtx, id: string, ifMatch?: string): Promise<void> {
      await retryLockConflicts(() =>
        db.transaction(async (tx) => {
          const { group } = await lockGroup(tx, ctx.orgId, id);
          assertVersion(group, ifMatch);
          const members = await memberIdsOf(tx, ctx.orgId, group.id);
          const { mapped } = await lockUsersForRoles(tx, ctx.orgId, group, members, { onlyIfMapped: true });
          // Whether a recompute follows is known before the DELETE: the last of the two carries COMMIT.
          await deleteGroupWithEvents(mapped ? tx : committing(tx), ctx, group, members);
          if (mapped) await recomputeRoles(committing(tx), ctx, members, { lockHeld: true });
        }),
      );
    },
  };
}
