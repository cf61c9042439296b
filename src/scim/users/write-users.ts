// POST, PUT, PATCH and DELETE of SCIM Users. Each is atomic: the change, its audit event and
// outbox event, the user's role (a create's initial one; a change writes none of its inputs),
// and on deactivation the revocation of every session of the user at once.
import { committing, type Database, type SqlTx } from "../../db/client";
import { AppError } from "../../shared/errors";
import { assertSeatsAvailable } from "../../users/guards";
import { lockOrgForRoles } from "../../roles/recompute";
import type { ScimCtx } from "../context";
import { matchesIfMatch } from "../list-query";
import { applyPatch } from "../patch/apply";
import { readPatchBody } from "../patch/operations";
import { USER_SCHEMAS } from "../schema/attributes";
import { canonicalize } from "../schema/canonical";
import { docToFields, statusFor, documentOfUser, type UserFields, type UserRow } from "./document";
import { presentUser } from "./present";
import {
  changedFields,
  driverTx,
  findUser,
  lockUser,
  notFound,
  uniqueAs409,
  writeTx,
  type StoredUser,
} from "./store";
import { insertUserWithEvents } from "./sql";
import { saveUserChange, type UserChangeAction } from "./save-sql";
import { deleteUserWithEvents } from "./delete-sql";
import { checkedManager } from "./manager";
import { isUuid } from "../../shared/ids";
import { findLocalMatch, keepSignInEmail, linkLocalUser } from "./link-local";

export interface UserWriteDeps {
  db: Database;
}

function assertVersion(row: UserRow, ifMatch: string | undefined): void {
  if (!matchesIfMatch(ifMatch, row.version))
    throw new AppError("precondition_failed", `the User has changed: its version is W/"${row.version}"`);
}

/**
 * Saves a new document over the row as read: one statement writes the row, its emails, on
 * deactivation its sessions and invitations, and its events (save-sql.ts), only if the row still
 * has the version read (null when not); nothing at all is written when nothing changed. A
 * userName taken by another user fails that statement on the unique index (409, uniqueAs409).
 */
async function save(tx: SqlTx, ctx: ScimCtx, row: StoredUser, sent: UserFields): Promise<StoredUser | null> {
  const kept = keepSignInEmail(row, sent);
  const status = statusFor(kept.active, row.status);
  // A manager already stored is not checked again: only a change is.
  const fields =
    kept.managerId === row.managerId
      ? kept
      : { ...kept, managerId: await checkedManager(tx, ctx.orgId, kept.managerId) };
  const changed = changedFields(row, fields, status);
  if (changed.length === 0) return row;
  const deactivated = status !== row.status && status === "deactivated";
  const reactivated = status !== row.status && status === "active";
  const action: UserChangeAction = deactivated
    ? "user.deactivated"
    : reactivated
      ? "user.reactivated"
      : "user.updated";
  const change = {
    row,
    fields,
    status,
    now: new Date(),
    // Why on reactivation too: a sign-in that committed its session while the deactivation's
    // statement waited for the user's row is not in that statement's snapshot. The session check
    // refuses it while the user is deactivated; a reactivation must not bring it back, and any
    // session still live at that moment predates the deactivation (docs/decisions.md).
    revokeSessions: deactivated || reactivated,
    rescindInvitations: deactivated,
  };
  // The last statement of a transaction (COMMIT rides with it); null means it wrote nothing.
  return saveUserChange(committing(tx), ctx, change, action, changed);
}

export function createUserWrites({ db }: UserWriteDeps) {
  /**
   * A PUT or PATCH: the row read, its new fields computed from it (`fieldsOf`), and the write
   * only if the row still has the version read. Two round trips, no transaction (the write is
   * one statement). When another write got in between, once more on the locked row.
   */
  async function change(
    ctx: ScimCtx,
    id: string,
    ifMatch: string | undefined,
    fieldsOf: (row: StoredUser) => UserFields,
  ): Promise<StoredUser> {
    const read = await findUser(db.direct, ctx.orgId, id);
    if (!read) throw notFound("User", id);
    assertVersion(read, ifMatch);
    const saved = await uniqueAs409(() => save(db.direct, ctx, read, fieldsOf(read)));
    if (saved) return saved;
    return driverTx(db, async (tx) => {
      const row = await lockUser(tx, ctx.orgId, id);
      assertVersion(row, ifMatch);
      const written = await save(tx, ctx, row, fieldsOf(row));
      if (!written) throw new Error(`user ${id} changed under its lock`);
      return written;
    });
  }

  return {
    async create(ctx: ScimCtx, body: unknown) {
      const sent = docToFields(canonicalize(USER_SCHEMAS, body));
      const fields = { ...sent, managerId: await checkedManager(db.direct, ctx.orgId, sent.managerId) };
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
          if (local) return linkLocalUser(tx, ctx, local, fields);
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
      const user = await change(ctx, id, ifMatch, () => fields);
      return { resource: presentUser(ctx, user), version: user.version };
    },

    async patch(ctx: ScimCtx, id: string, body: unknown, ifMatch?: string) {
      const ops = readPatchBody(body);
      const user = await change(ctx, id, ifMatch, (row) =>
        docToFields(applyPatch(USER_SCHEMAS, documentOfUser(row), ops)),
      );
      return { resource: presentUser(ctx, user), version: user.version };
    },

    async remove(ctx: ScimCtx, id: string, ifMatch?: string): Promise<void> {
      if (!isUuid(id)) throw notFound("User", id);
      // Without If-Match, one autocommitted statement; with it, the version is checked on the
      // locked row first.
      const deleted = ifMatch
        ? await db.transaction(async (tx) => {
            assertVersion(await lockUser(tx, ctx.orgId, id), ifMatch);
            // The last statement (COMMIT rides with it): `false` means it deleted nothing (404).
            return deleteUserWithEvents(committing(tx), ctx, id);
          })
        : await deleteUserWithEvents(db.direct, ctx, id);
      if (!deleted) throw notFound("User", id);
    },
  };
}
