// POST, PUT, PATCH and DELETE of SCIM Groups, each one transaction with its audit event, its
// outbox event (group.updated) and the role recomputation of exactly the users it affects:
// the members added or removed, or every member when a rename may change which rules match.
import type { Database, SqlTx, Tx } from "../../db/client";
import type { Group } from "../../generated/prisma/client";
import { AppError } from "../../shared/errors";
import { emit } from "../../events";
import { lockOrgForRoles, recomputeRoles } from "../../roles/recompute";
import type { ScimCtx } from "../context";
import { matchesIfMatch } from "../list-query";
import { readPatchBody } from "../patch/operations";
import { GROUP_SCHEMAS } from "../schema/attributes";
import { canonicalize } from "../schema/canonical";
import { writeTx } from "../users/store";
import { planGroupPatch, type GroupPlan } from "./patch-plan";
import {
  applyMembers,
  assertGroupNameFree,
  assertMembersExist,
  groupUniqueness,
  lockGroup,
  memberIdsOf,
  unknownMembers,
} from "./store";
import { changeMembers } from "./members-sql";
import { fold } from "../../shared/fold";

type Action = "group.created" | "group.updated" | "group.deleted";

async function recordGroupEvent(
  tx: SqlTx,
  ctx: ScimCtx,
  action: Action,
  g: Group,
  data: { membersAdded?: string[]; membersRemoved?: string[]; previousDisplayName?: string },
) {
  await emit(tx, ctx, {
    action,
    targetId: g.id,
    data: { via: "scim", displayName: g.displayName, ...data },
    members: { added: data.membersAdded ?? [], removed: data.membersRemoved ?? [] },
  });
}

function assertVersion(g: Group, ifMatch: string | undefined) {
  if (!matchesIfMatch(ifMatch, g.version))
    throw new AppError("precondition_failed", `the Group has changed: its version is W/"${g.version}"`);
}

/** The clients' member batches on a locked group: one statement for the members, the version
 * and the events, and the roles of those users when a rule names the group. */
async function applyMemberBatch(
  tx: SqlTx,
  ctx: ScimCtx,
  group: Group,
  plan: Pick<GroupPlan, "add" | "remove">,
): Promise<Group> {
  const add = [...plan.add];
  const remove = [...plan.remove];
  if (add.length === 0 && remove.length === 0) return group;
  const { unknown, updated, mapped } = await changeMembers(tx, ctx, group, add, remove);
  if (unknown.length > 0) throw unknownMembers(unknown);
  if (mapped) await recomputeRoles(tx, ctx, [...add, ...remove], { lockHeld: true });
  return updated;
}

/** Applies a plan to a locked group: name, members (set-based), version, events, roles. */
async function applyPlan(tx: Tx, ctx: ScimCtx, group: Group, plan: GroupPlan): Promise<Group> {
  const add = [...plan.add];
  const remove = [...plan.remove];
  const renamed =
    (plan.displayName !== undefined && plan.displayName !== group.displayName) ||
    (plan.externalId !== undefined && plan.externalId !== group.externalId);
  if (!renamed && !plan.reset) return applyMemberBatch(tx, ctx, group, plan);
  if (plan.displayName !== undefined && fold(plan.displayName) !== group.displayNameLower)
    await assertGroupNameFree(tx, ctx.orgId, plan.displayName, group.id);
  await assertMembersExist(tx, ctx.orgId, add);
  // A rename can change which mapping rules match: every member's role is recomputed then.
  const before = plan.reset || renamed ? await memberIdsOf(tx, ctx.orgId, group.id) : [];
  await applyMembers(tx, ctx.orgId, group.id, { reset: plan.reset, add, remove });
  const updated = await tx.group.update({
    where: { id: group.id, orgId: ctx.orgId },
    data: {
      ...(plan.displayName !== undefined
        ? { displayName: plan.displayName, displayNameLower: fold(plan.displayName) }
        : {}),
      ...(plan.externalId !== undefined ? { externalId: plan.externalId } : {}),
      version: { increment: 1 },
    },
  });
  await recordGroupEvent(tx, ctx, "group.updated", updated, {
    ...(renamed ? { previousDisplayName: group.displayName } : {}),
    membersAdded: add,
    membersRemoved: plan.reset ? before.filter((id) => !plan.add.has(id)) : remove,
  });
  await recomputeRoles(tx, ctx, [...new Set([...before, ...add, ...remove])], { lockHeld: true });
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
  return {
    async create(ctx: ScimCtx, body: unknown) {
      const plan = planFromBody(body);
      return writeTx(
        db,
        async (tx) => {
          await lockOrgForRoles(tx, ctx.orgId, "share");
          await assertGroupNameFree(tx, ctx.orgId, plan.displayName);
          const add = [...plan.add];
          await assertMembersExist(tx, ctx.orgId, add);
          const group = await tx.group.create({
            data: {
              orgId: ctx.orgId,
              displayName: plan.displayName,
              displayNameLower: fold(plan.displayName),
              externalId: plan.externalId ?? null,
              source: "scim",
            },
          });
          await applyMembers(tx, ctx.orgId, group.id, { reset: false, add, remove: [] });
          await recordGroupEvent(tx, ctx, "group.created", group, { membersAdded: add });
          await recomputeRoles(tx, ctx, add, { lockHeld: true });
          return group;
        },
        groupUniqueness,
      );
    },

    async replace(ctx: ScimCtx, id: string, body: unknown, ifMatch?: string) {
      const plan = planFromBody(body);
      return writeTx(
        db,
        async (tx) => {
          const group = await lockGroup(tx, ctx.orgId, id);
          assertVersion(group, ifMatch);
          return applyPlan(tx, ctx, group, { ...plan, reset: true });
        },
        groupUniqueness,
      );
    },

    async patch(ctx: ScimCtx, id: string, body: unknown, ifMatch?: string) {
      const plan = planGroupPatch(readPatchBody(body));
      // Entra's and Okta's member batches (no rename, no replacement of every member) run on
      // the driver: they are most of a sync's writes, and they need no Prisma model.
      if (plan.displayName === undefined && plan.externalId === undefined && !plan.reset)
        return db.transaction(async (tx) => {
          const group = await lockGroup(tx, ctx.orgId, id);
          assertVersion(group, ifMatch);
          return applyMemberBatch(tx, ctx, group, plan);
        });
      return writeTx(
        db,
        async (tx) => {
          const group = await lockGroup(tx, ctx.orgId, id);
          assertVersion(group, ifMatch);
          return applyPlan(tx, ctx, group, plan);
        },
        groupUniqueness,
      );
    },

    async remove(ctx: ScimCtx, id: string, ifMatch?: string): Promise<void> {
      await writeTx(db, async (tx) => {
        const group = await lockGroup(tx, ctx.orgId, id);
        assertVersion(group, ifMatch);
        const members = await memberIdsOf(tx, ctx.orgId, id);
        await recordGroupEvent(tx, ctx, "group.deleted", group, { membersRemoved: members });
        await tx.group.delete({ where: { id, orgId: ctx.orgId } });
        await recomputeRoles(tx, ctx, members, { lockHeld: true });
      });
    },
  };
}
