// The write of a SCIM user change (PUT, PATCH, the link of a local account) as data-modifying
// CTEs of one statement: the users row, its email rows when they changed, and on deactivation
// the revocation of its sessions and pending invitations. The caller holds the row locked, or
// asks for the write only if the row is unchanged (ifUnchanged), and has computed the fields in
// TypeScript (applyPatch, docToFields): no SCIM semantics live here, only the columns a
// UserFields writes.
import { Prisma, type UserStatus } from "../../generated/prisma/client";
import type { UserFields } from "./document";
import type { StoredUser } from "./store";
import { columnsOf, sameEmails } from "./store";

export interface UserChange {
  row: StoredUser;
  fields: UserFields;
  status: UserStatus;
  now: Date;
  /** Revoke the user's sessions (it is being taken out). */
  revokeSessions: boolean;
  /** Rescind the user's pending invitation links (taken out, or linked to the identity provider). */
  rescindInvitations: boolean;
  /** A local account linked by a SCIM create becomes the identity provider's. */
  link?: boolean;
  /**
   * The caller holds no lock (saveUserChange): the statement takes the organization row FOR
   * SHARE and writes the row only if it still has `row.version`, and every other CTE writes only
   * if the row was written.
   */
  ifUnchanged?: boolean;
}

/** The row after the change, as the statement writes it (over a locked row, or only if unchanged: version is exact). */
export function rowAfter(c: UserChange): StoredUser {
  return {
    ...c.row,
    ...columnsOf(c.fields),
    status: c.status,
    version: c.row.version + 1,
    updatedAt: c.now,
    ...(c.link ? { provisionedBy: "scim" as const } : {}),
    emails: c.fields.emails.map(({ value, type, primary, position }) => ({ value, type, primary, position })),
  };
}

/**
 * `user_updated AS (...)` (RETURNING the whole row as written, for the events' objects) and, as asked or needed, `emails_gone`, `emails_new`, `sessions_revoked`
 * and `invitations_rescinded` (each RETURNING 1, so a caller may count them), comma-separated, to
 * follow a WITH.
 */
export function userChangeCtes(orgId: string, c: UserChange): Prisma.Sql {
  const f = c.fields;
  const id = c.row.id;
  const parts: Prisma.Sql[] = [
    Prisma.sql`user_updated AS (
    UPDATE users SET user_name = ${f.userName}, user_name_lower = ${f.userNameLower}, email = ${f.email},
      email_lower = ${f.emailLower}, external_id = ${f.externalId}, display_name = ${f.displayName},
      first_name = ${f.firstName}, last_name = ${f.lastName}, manager_id = ${f.managerId},
      scim_data = ${JSON.stringify(f.scimData)}::jsonb, status = ${c.status}::"UserStatus",
      version = version + 1, updated_at = ${c.now}
      ${c.link ? Prisma.sql`, provisioned_by = 'scim', manual_role = false` : Prisma.empty}
    WHERE id = ${id}::uuid AND org_id = ${orgId}::uuid
      ${c.ifUnchanged ? Prisma.sql`AND version = ${c.row.version}::int AND EXISTS (SELECT 1 FROM org_locked)` : Prisma.empty}
    RETURNING *
  )`,
  ];
  if (c.ifUnchanged)
    parts.unshift(
      Prisma.sql`org_locked AS (SELECT 1 FROM organizations WHERE id = ${orgId}::uuid FOR SHARE)`,
    );
  const written = c.ifUnchanged ? Prisma.sql`AND EXISTS (SELECT 1 FROM user_updated)` : Prisma.empty;
  if (!sameEmails(c.row, f)) {
    parts.push(Prisma.sql`emails_gone AS (
    DELETE FROM user_emails WHERE user_id = ${id}::uuid AND org_id = ${orgId}::uuid ${written} RETURNING 1
  )`);
    if (f.emails.length > 0)
      parts.push(Prisma.sql`emails_new AS (
    INSERT INTO user_emails (id, org_id, user_id, value, value_lower, type, "primary", position)
    SELECT gen_random_uuid(), ${orgId}::uuid, ${id}::uuid, x.value, x."valueLower", x.type, x."primary", x.position
    FROM json_to_recordset(${JSON.stringify(f.emails)}::json)
      AS x(value text, "valueLower" text, type text, "primary" boolean, position int)
    WHERE true ${written}
    RETURNING 1
  )`);
  }
  // Deprovisioning must take effect now, not when the session cookie expires; and a pending
  // invitation link must not bring the user back (users/invitations/rescind-pending.ts).
  if (c.revokeSessions)
    parts.push(Prisma.sql`sessions_revoked AS (
    UPDATE sessions SET revoked_at = ${c.now}
    WHERE org_id = ${orgId}::uuid AND user_id = ${id}::uuid AND revoked_at IS NULL ${written} RETURNING 1
  )`);
  if (c.rescindInvitations)
    parts.push(Prisma.sql`invitations_rescinded AS (
    UPDATE invitations SET rescinded_at = ${c.now}
    WHERE org_id = ${orgId}::uuid AND user_id = ${id}::uuid AND accepted_at IS NULL
      AND rescinded_at IS NULL AND replaced_at IS NULL ${written} RETURNING 1
  )`);
  return Prisma.join(parts, ",\n  ");
}
