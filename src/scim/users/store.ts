// Users rows for SCIM, always scoped by orgId: load (optionally locked), write the columns and
// email rows of a document, and turn Prisma's unique violation into SCIM 409 uniqueness
// (here and only here). The caller owns the transaction.
import type { Database, Db, Tx } from "../../db/client";
import type { Prisma, UserStatus } from "../../generated/prisma/client";
import { AppError, isUniqueViolation } from "../../shared/errors";
import { lockOrgForRoles } from "../../roles/recompute";
import type { UserFields, UserRow } from "./document";
import { isUuid } from "../../shared/ids";

export const notFound = (kind: "User" | "Group", id: string) =>
  new AppError("not_found", `${kind} ${id} not found`);

/** A user SCIM may see: any but a local account not linked yet (404 for SCIM, docs/scim.md). */
export async function findUser(db: Db, orgId: string, id: string): Promise<UserRow | null> {
  if (!isUuid(id)) return null;
  return db.user.findFirst({
    where: { id, orgId, provisionedBy: { not: "invite" } },
    include: { emails: true },
  });
}

/** Whether the row holds a password (rows read whole carry passwordHash; UserRow does not name it). */
export const holdsPassword = (row: UserRow): boolean =>
  typeof (row as { passwordHash?: unknown }).passwordHash === "string";

/**
 * Locks the user's row for this transaction and returns it (404 when absent).
 * Why this order: the organization row first (shared, as the role seam takes it), then the user,
 * so a concurrent role-rules change (organization FOR UPDATE, then users) cannot deadlock with us.
 */
export async function lockUser(tx: Tx, orgId: string, id: string): Promise<UserRow> {
  if (!isUuid(id)) throw notFound("User", id);
  await lockOrgForRoles(tx, orgId, "share");
  await tx.$queryRaw`SELECT id FROM users WHERE id = ${id}::uuid AND org_id = ${orgId}::uuid FOR UPDATE`;
  const user = await findUser(tx, orgId, id);
  if (!user) throw notFound("User", id);
  return user;
}

/** A friendlier 409 than the constraint's when the clash is already visible. Only userName is
 * unique: users of the identity provider may share an email (contract section 2). */
export async function assertUnique(db: Db, orgId: string, fields: UserFields, exceptId?: string) {
  const clash = await db.user.findFirst({
    where: { orgId, userNameLower: fields.userNameLower, ...(exceptId ? { NOT: { id: exceptId } } : {}) },
    select: { id: true },
  });
  if (clash) throw uniqueness("userName");
}

const uniqueness = (what: "userName") =>
  new AppError("uniqueness", `a user with this ${what} already exists in this organization`, {
    scimType: "uniqueness",
  });

/** Prisma's P2002, or the same violation raised by a raw statement: through Prisma (P2010) or
 * on the driver itself (SQLSTATE 23505). */
function isUnique(e: unknown): boolean {
  if (isUniqueViolation(e)) return true;
  if ((e as { code?: unknown } | null)?.code === "23505") return true;
  const cause = (e as { meta?: { driverAdapterError?: { cause?: { originalCode?: string } } } } | null)?.meta
    ?.driverAdapterError?.cause;
  return (e as { code?: unknown } | null)?.code === "P2010" && cause?.originalCode === "23505";
}

/** Runs one write; a unique violation (a concurrent create won the race) becomes 409. */
export async function uniqueAs409<T>(
  write: () => Promise<T>,
  onUnique: () => AppError = () => uniqueness("userName"),
): Promise<T> {
  try {
    return await write();
  } catch (e) {
    if (isUnique(e)) throw onUnique();
    throw e;
  }
}

/** Runs a transaction; a unique violation (a concurrent create won the race) becomes 409. */
export const writeTx = <T>(db: Database, fn: (tx: Tx) => Promise<T>, onUnique?: () => AppError): Promise<T> =>
  uniqueAs409(() => db.prisma.$transaction(fn, { timeout: 30_000, maxWait: 30_000 }), onUnique);

const columns = (f: UserFields) => ({
  userName: f.userName,
  userNameLower: f.userNameLower,
  email: f.email,
  emailLower: f.emailLower,
  externalId: f.externalId,
  displayName: f.displayName,
  firstName: f.firstName,
  lastName: f.lastName,
  managerId: f.managerId,
  scimData: f.scimData as object,
});

type EmailLike = { value: string; type: string | null; primary: boolean; position: number };
const emailsKey = (list: EmailLike[]) =>
  JSON.stringify([...list].sort((a, b) => a.position - b.position).map((e) => [e.value, e.type, e.primary]));
const sameEmails = (row: UserRow, f: UserFields) => emailsKey(row.emails) === emailsKey(f.emails);

export async function updateUser(
  tx: Tx,
  row: UserRow,
  f: UserFields,
  status: UserStatus,
  extra: Prisma.UserUpdateInput = {},
): Promise<UserRow> {
  if (!sameEmails(row, f)) {
    await tx.userEmail.deleteMany({ where: { userId: row.id, orgId: row.orgId } });
    await tx.userEmail.createMany({
      data: f.emails.map((e) => ({ ...e, orgId: row.orgId, userId: row.id })),
    });
  }
  return tx.user.update({
    where: { id: row.id, orgId: row.orgId },
    data: { ...columns(f), ...extra, status, version: { increment: 1 } },
    include: { emails: true },
  });
}

/** The names of the fields a change would touch (for the audit record; never values). */
export function changedFields(before: UserRow, f: UserFields, status: UserStatus): string[] {
  const after: Record<string, unknown> = { ...columns(f), status };
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
