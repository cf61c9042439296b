// POST, PUT, PATCH and DELETE of SCIM Users. Each is one transaction: the change, its audit
// event and outbox event, the role recomputation of the user (the role seam), and on
// deactivation the revocation of every session of the user at once.
import type { Database, Tx } from "../../db/client";
import { AppError } from "../../shared/errors";
import { assertSeatsAvailable } from "../../users/guards";
import { lockOrgForRoles, recomputeRoles } from "../../roles/recompute";
import type { SessionsService } from "../../sessions/sessions-service";
import type { ScimCtx } from "../context";
import { matchesIfMatch } from "../list-query";
import { applyPatch } from "../patch/apply";
import { readPatchBody } from "../patch/operations";
import { USER_SCHEMAS } from "../schema/attributes";
import { canonicalize } from "../schema/canonical";
import { docToFields, statusFor, documentOfUser, type UserFields, type UserRow } from "./document";
import { recordUserEvent } from "./events";
import { presentUser } from "./present";
import { assertUnique, changedFields, lockUser, uniqueAs409, updateUser, writeTx } from "./store";
import { insertUserWithEvents } from "./sql";
import { checkedManager } from "./manager";
import { findLocalMatch, keepSignInEmail, linkLocalUser } from "./link-local";
import { rescindPendingInvitations } from "../../users/invitations/rescind-pending";

export interface UserWriteDeps {
  db: Database;
  sessions: Pick<SessionsService, "revokeAllForUser">;
}

function assertVersion(row: UserRow, ifMatch: string | undefined): void {
  if (!matchesIfMatch(ifMatch, row.version))
    throw new AppError("precondition_failed", `the User has changed: its version is W/"${row.version}"`);
}

export function createUserWrites({ db, sessions }: UserWriteDeps) {
  /** Saves a new document over a locked row; writes nothing when nothing changed. */
  async function save(tx: Tx, ctx: ScimCtx, row: UserRow, sent: UserFields): Promise<UserRow> {
    const kept = keepSignInEmail(row, sent);
    const status = statusFor(kept.active, row.status);
    // A manager already stored is not checked again: only a change is.
    const fields =
      kept.managerId === row.managerId
        ? kept
        : { ...kept, managerId: await checkedManager(tx, ctx.orgId, kept.managerId) };
    if (fields.userNameLower !== row.userNameLower) await assertUnique(tx, ctx.orgId, fields, row.id);
    const changed = changedFields(row, fields, status);
    if (changed.length === 0) return row;
    const after = await updateUser(tx, row, fields, status);
    if (status !== row.status && status === "deactivated") {
      // Deprovisioning must take effect now, not when the session cookie expires.
      const revoked = await sessions.revokeAllForUser(tx, ctx.orgId, row.id);
      const rescinded = await rescindPendingInvitations(tx, ctx.orgId, row.id);
      await recordUserEvent(tx, ctx, "user.deactivated", after, {
        changed,
        sessionsRevoked: revoked,
        ...(rescinded > 0 ? { invitationsRescinded: rescinded } : {}),
      });
    } else if (status !== row.status && status === "active") {
      await recordUserEvent(tx, ctx, "user.reactivated", after, { changed });
    } else {
      await recordUserEvent(tx, ctx, "user.updated", after, { changed });
    }
    await recomputeRoles(tx, ctx, [row.id]);
    return after;
  }

  return {
    async create(ctx: ScimCtx, body: unknown) {
      const sent = docToFields(canonicalize(USER_SCHEMAS, body));
      const fields = { ...sent, managerId: await checkedManager(db.prisma, ctx.orgId, sent.managerId) };
      const status = statusFor(fields.active, null);
      // No read-before-write: the unique index on userName decides (409). One
      // statement writes the user with its initial role, its emails and its events, unless
      // the organization (as that statement reads it) has a seat limit, or a local account
      // has the userName or email (then this create links it: link-local.ts).
      const user =
        (await uniqueAs409(() => insertUserWithEvents(db.direct, ctx, fields, status, true))) ??
        (await writeTx(db, async (tx) => {
          // Why a transaction and the exclusive lock here: two concurrent creates must not
          // both take the last seat, and the count must be read after the lock is held.
          await lockOrgForRoles(tx, ctx.orgId, "update");
          const local = await findLocalMatch(tx, ctx.orgId, fields);
          if (local) return linkLocalUser(tx, ctx, sessions, local, fields);
          const org = await tx.organization.findUniqueOrThrow({
            where: { id: ctx.orgId },
            select: { id: true, plan: true, seatLimit: true },
          });
          await assertSeatsAvailable(tx, org, 1);
          const inserted = await insertUserWithEvents(tx, ctx, fields, status);
          if (!inserted)
            throw new AppError(
              "uniqueness",
              "a local account with this userName or email was created meanwhile: retry",
              { scimType: "uniqueness" },
            );
          return inserted;
        }));
      // The role is not part of the SCIM resource: the row as inserted is what we answer.
      return { resource: presentUser(ctx, user, []), version: user.version };
    },

    async replace(ctx: ScimCtx, id: string, body: unknown, ifMatch?: string) {
      const fields = docToFields(canonicalize(USER_SCHEMAS, body));
      const user = await writeTx(db, async (tx) => {
        const row = await lockUser(tx, ctx.orgId, id);
        assertVersion(row, ifMatch);
        return save(tx, ctx, row, fields);
      });
      return { resource: presentUser(ctx, user), version: user.version };
    },

    async patch(ctx: ScimCtx, id: string, body: unknown, ifMatch?: string) {
      const ops = readPatchBody(body);
      const user = await writeTx(db, async (tx) => {
        const row = await lockUser(tx, ctx.orgId, id);
        assertVersion(row, ifMatch);
        const fields = docToFields(applyPatch(USER_SCHEMAS, documentOfUser(row), ops));
        return save(tx, ctx, row, fields);
      });
      return { resource: presentUser(ctx, user), version: user.version };
    },

    async remove(ctx: ScimCtx, id: string, ifMatch?: string): Promise<void> {
      await writeTx(db, async (tx) => {
        const row = await lockUser(tx, ctx.orgId, id);
        assertVersion(row, ifMatch);
        const groups = await tx.groupMembership.count({ where: { userId: id, orgId: ctx.orgId } });
        await recordUserEvent(tx, ctx, "user.deleted", row, { groupsLeft: groups });
        await tx.user.delete({ where: { id: row.id, orgId: ctx.orgId } });
      });
    },
  };
}
