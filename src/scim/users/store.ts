// Users rows for SCIM, always scoped by orgId: read one (optionally locked, in the statement that
// reads it), tell which fields a document changes, and turn a unique violation into SCIM 409
// uniqueness (here and only here). The caller owns the transaction.
import type { Database, SqlTx } from "../../db/client";
import { Prisma, type UserStatus } from "../../generated/prisma/client";
import { AppError, isUniqueViolation } from "../../shared/errors";
import type { UserFields, UserRow } from "./document";
import { isUuid } from "../../shared/ids";

export const notFound = (kind: "User" | "Group", id: string) =>
  new AppError("not_found", `${kind} ${id} not found`);

/** A users row as SCIM writes read it: whether it holds a password, never the hash itself. */
export type StoredUser = UserRow & { holdsPassword: boolean };

/** The columns of UserRow (alias u, after organizations o when locking), its emails as JSON. */
const USER_ROW = Prisma.sql`u.id::text AS id, u.org_id::text AS "orgId", u.email, u.email_lower AS "emailLower",
  u.user_name AS "userName", u.user_name_lower AS "userNameLower", u.external_id AS "externalId",
  u.first_name AS "firstName", u.last_name AS "lastName", u.display_name AS "displayName",
  u.status::text AS status, u.scim_data AS "scimData", u.manager_id AS "managerId", u.version,
  u.created_at AS "createdAt", u.updated_at AS "updatedAt", u.provisioned_by::text AS "provisionedBy",
  u.password_hash IS NOT NULL AS "holdsPassword",
  coalesce((SELECT json_agg(json_build_object('value', e.value, 'type', e.type, 'primary', e."primary",
    'position', e.position) ORDER BY e.position) FROM user_emails e WHERE e.user_id = u.id), '[]') AS emails`;

/** A user SCIM may see: any but a local account not linked yet (404 for SCIM, docs/scim.md). */
export async function findUser(db: SqlTx, orgId: string, id: string): Promise<StoredUser | null> {
  if (!isUuid(id)) return null;
  const [row] = await db.$queryRaw<StoredUser[]>`SELECT ${USER_ROW} FROM users u
    WHERE u.id = ${id}::uuid AND u.org_id = ${orgId}::uuid AND u.provisioned_by <> 'invite'`;
  return row ?? null;
}

/** Whether the row holds a password: the proof of a local sign-in email. */
export const holdsPassword = (row: StoredUser): boolean => row.holdsPassword;

/**
 * For the rest of the transaction, prepared statements use their generic plan (cached once per
 * connection) instead of planning each execution for its values. Why: the statements of these
 * transactions (a user change retried on the locked row, a DELETE with If-Match) name every row
 * by id, so no value makes another plan better, and a custom plan of the write of a user change
 * costs more planning than running it (docs/decisions.md).
 */
const GENERIC_PLANS = Prisma.sql`SELECT set_config('plan_cache_mode', 'force_generic_plan', true)`;

/**
 * Locks the user's row for this transaction and returns it (404 when absent), in one statement
 * that also takes the organization row FOR SHARE (the role seam's shared lock, see
 * lockOrgForRoles), both held until the transaction ends. Why the organization first in FROM:
 * rows are locked in that order, the order a role-rules change takes them (organization, then
 * users), so the two cannot deadlock. It also sets GENERIC_PLANS for the transaction.
 */
export async function lockUser(tx: SqlTx, orgId: string, id: string): Promise<StoredUser> {
  if (!isUuid(id)) throw notFound("User", id);
  const [row] = await tx.$queryRaw<StoredUser[]>`SELECT ${USER_ROW}
    FROM organizations o JOIN users u ON u.org_id = o.id CROSS JOIN (${GENERIC_PLANS}) plans
    WHERE o.id = ${orgId}::uuid AND u.id = ${id}::uuid AND u.provisioned_by <> 'invite'
    FOR SHARE OF o FOR UPDATE OF u`;
  if (!row) throw notFound("User", id);
  return row;
}

export const userNameTaken = () =>
  new AppError("uniqueness", "a user with this userName already exists in this organization", {
    scimType: "uniqueness",
  });

/** Runs one write; a unique violation (a concurrent write won the race) becomes 409. */
export async function uniqueAs409<T>(
  write: () => Promise<T>,
  onUnique: () => AppError = userNameTaken,
): Promise<T> {
  try {
    return await write();
  } catch (e) {
    if (isUniqueViolation(e)) throw onUnique();
    throw e;
  }
}

/** Runs a Prisma transaction (the seat-counting create); a unique violation becomes 409. */
export const writeTx = <T>(
  db: Database,
  fn: (tx: Prisma.TransactionClient) => Promise<T>,
  onUnique?: () => AppError,
): Promise<T> =>
  uniqueAs409(() => db.prisma.$transaction(fn, { timeout: 30_000, maxWait: 30_000 }), onUnique);

/** Runs a transaction on the driver (Database.transaction); a unique violation becomes 409. */
export const driverTx = <T>(
  db: Database,
  fn: (tx: SqlTx) => Promise<T>,
  onUnique?: () => AppError,
): Promise<T> => uniqueAs409(() => db.transaction(fn), onUnique);

/** The users columns a document writes, by UserRow key. */
export const columnsOf = (f: UserFields) => ({
  userName: f.userName,
  userNameLower: f.userNameLower,
  email: f.email,
  emailLower: f.emailLower,
  externalId: f.externalId,
  displayName: f.displayName,
  firstName: f.firstName,
  lastName: f.lastName,
  managerId: f.managerId,
  scimData: f.scimData as Prisma.JsonObject,
});

type EmailLike = { value: string; type: string | null; primary: boolean; position: number };
const emailsKey = (list: EmailLike[]) =>
  JSON.stringify([...list].sort((a, b) => a.position - b.position).map((e) => [e.value, e.type, e.primary]));
export const sameEmails = (row: UserRow, f: UserFields) => emailsKey(row.emails) === emailsKey(f.emails);

/** The names of the fields a change would touch (for the audit record; never values). */
export function changedFields(before: UserRow, f: UserFields, status: UserStatus): string[] {
  const after: Record<string, unknown> = { ...columnsOf(f), status };
  const keys = [
    "userName",
    "email",
    "externalId",
    "displayName",
    "firstName",
    "lastName",
    "managerId",
    "status",
  ] as const;
  const out: string[] = keys.filter((k) => before[k] !== after[k]);
  if (JSON.stringify(before.scimData) !== JSON.stringify(f.scimData)) out.push("scimData");
  if (!sameEmails(before, f)) out.push("emails");
  return out;
}
