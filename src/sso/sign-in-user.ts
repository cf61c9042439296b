// The user side of an SSO sign-in, inside the sign-in transaction: find the person the IdP
// vouches for (contract section 2: NameID/sub against userName, then externalId, then the
// subject an earlier sign-in recorded, then the email only where exactly one user has it; keys
// folded as shared/fold.ts), create them just in time or update them, and record the groups
// this sign-in carried. Refusals throw RefusedSignIn. Raw SQL on a SqlTx: the sign-in runs in a
// driver transaction (complete-sign-in.ts says why).
import type { SqlTx } from "../db/client";
import { Prisma, type Organization, type User } from "../generated/prisma/client";
import { seatsLeft } from "../users/guards";
import { RefusedSignIn } from "./refusal";
import { fold } from "../shared/fold";
import { lockOrgForRoles } from "../roles/recompute";

export interface IdentityClaims {
  subject: string;
  email: string | null;
  firstName?: string | null;
  lastName?: string | null;
  groups: string[] | null;
  overage: boolean;
}

const EMAIL = /^[^\s@<>()"',;:]+@[^\s@<>()"',;:]+\.[^\s@<>()"',;:]+$/;
const MAX_GROUPS = 2000;

/** Distinct, trimmed group values (case-insensitively distinct), capped so a huge claim cannot bloat a row. */
export function normalizeGroups(groups: string[] | null): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of groups ?? []) {
    const value = raw.trim().slice(0, 512);
    if (!value || seen.has(fold(value))) continue;
    seen.add(fold(value));
    out.push(value);
    if (out.length >= MAX_GROUPS) break;
  }
  return out;
}

/** Why refuse rather than pick: two accounts answering to one identity could be two people
 * (an admin alias, a service account); signing in to either could hand one the other's access. */
const ambiguous = (what: string) =>
  new RefusedSignIn(
    "ambiguous_user",
    `Several accounts of this organization match your ${what}, so none was chosen. Ask your administrator to give your account a userName or externalId that matches your identity provider.`,
    403,
  );

/** The columns of a user that a sign-in reads and decides on. */
export type SignInUser = Pick<
  User,
  "id" | "email" | "status" | "provisionedBy" | "firstName" | "lastName" | "role" | "roleSource" | "ssoGroups"
>;

const COLUMNS = Prisma.sql`id::text AS id, email, status::text AS status, provisioned_by::text AS "provisionedBy",
  first_name AS "firstName", last_name AS "lastName", role::text AS role, role_source AS "roleSource",
  sso_groups AS "ssoGroups"`;

const usersWhere = (tx: SqlTx, orgId: string, where: Prisma.Sql, limit: number) =>
  tx.$queryRaw<SignInUser[]>`SELECT ${COLUMNS} FROM users
    WHERE org_id = ${orgId}::uuid AND ${where} LIMIT ${Prisma.raw(String(limit))}`;

/** The lookups after userName (upsertSignInUser's first statement), in the contract's order. */
async function findUserBesidesUserName(
  tx: SqlTx,
  orgId: string,
  claims: IdentityClaims,
): Promise<SignInUser | null> {
  const byExternalId = await usersWhere(tx, orgId, Prisma.sql`external_id = ${claims.subject}`, 2);
  if (byExternalId.length > 1) throw ambiguous("identity provider id");
  if (byExternalId[0]) return byExternalId[0];
  const [bySubject] = await usersWhere(tx, orgId, Prisma.sql`sso_subject = ${claims.subject}`, 1);
  if (bySubject || !claims.email) return bySubject ?? null;
  const key = fold(claims.email);
  const byEmail = await usersWhere(
    tx,
    orgId,
    Prisma.sql`(email_lower = ${key} OR user_name_lower = ${key})`,
    2,
  );
  if (byEmail.length > 1) throw ambiguous("email address");
  return byEmail[0] ?? null;
}

const clean = (v: string | null | undefined): string | null => (v ? v.trim().slice(0, 200) || null : null);

/**
 * Returns the user to sign in and whether they were created now. `jit` false makes the
 * connection SCIM-only: only users SCIM provisioned may sign in. On return the transaction holds
 * the role seam's lock (lockOrgForRoles, "share"), taken before any user's row.
 */
export async function upsertSignInUser(
  tx: SqlTx,
  org: Pick<Organization, "id" | "plan" | "seatLimit">,
  jit: boolean,
  claims: IdentityClaims,
  now: Date,
): Promise<{ user: SignInUser; created: boolean; profileChanged: boolean }> {
  const ssoGroups = claims.overage ? [] : normalizeGroups(claims.groups);
  // Why: a sign-in replaces only what sign-ins contribute (ssoGroups); SCIM memberships stay.
  const groupData = Prisma.sql`sso_groups = ${ssoGroups}::text[], sso_groups_overage = ${claims.overage},
    sso_subject = ${claims.subject}, last_sign_in_at = ${now}, updated_at = now()`;

  // Most sign-ins are of a user whose userName is the subject: one statement takes the role
  // seam's lock and the user's row, in the order every writer of roles takes them (organization
  // FOR SHARE, then the user: lockOrgForRoles, scim/users/store.ts lockUser), and records this
  // sign-in's groups at once. The checks below run on the row it answers (only the sign-in's
  // columns changed); a refusal rolls the write back with the rest of the transaction.
  const [signedIn] = await tx.$queryRaw<SignInUser[]>`WITH found AS (
      SELECT u.id FROM organizations o JOIN users u ON u.org_id = o.id
      WHERE o.id = ${org.id}::uuid AND u.user_name_lower = ${fold(claims.subject)}
      FOR SHARE OF o FOR UPDATE OF u
    )
    UPDATE users SET ${groupData}
    WHERE id = (SELECT id FROM found) AND org_id = ${org.id}::uuid RETURNING ${COLUMNS}`;
  if (signedIn) return updateProfile(tx, org.id, jit, signedIn, claims, Prisma.empty);
  // No row, no lock taken: take the seam's lock before reading or writing any other user.
  await lockOrgForRoles(tx, org.id, "share");
  const existing = await findUserBesidesUserName(tx, org.id, claims);

  if (!existing) {
    if (!jit) {
      throw new RefusedSignIn(
        "not_provisioned",
        "Your account has not been provisioned for this organization. Ask your administrator to assign you to the application in your identity provider.",
      );
    }
    if (!claims.email || !EMAIL.test(claims.email)) {
      throw new RefusedSignIn(
        "missing_email",
        "Your identity provider did not send a usable email address, so no account could be created.",
        403,
      );
    }
    const left = await seatsLeft(tx, org);
    if (left !== null && left < 1) {
      throw new RefusedSignIn("seat_limit", "This organization has no seats left for a new user.", 403);
    }
    const [user] = await tx.$queryRaw<
      SignInUser[]
    >`INSERT INTO users (id, org_id, email, email_lower, user_name,
        user_name_lower, first_name, last_name, status, provisioned_by, role_source, sso_groups,
        sso_groups_overage, sso_subject, last_sign_in_at, updated_at)
      VALUES (gen_random_uuid(), ${org.id}::uuid, ${claims.email}, ${fold(claims.email)}, ${claims.email},
        ${fold(claims.email)}, ${clean(claims.firstName)}, ${clean(claims.lastName)}, 'active', 'sso',
        ${JSON.stringify({ kind: "mapping", rules: [] })}::jsonb, ${ssoGroups}::text[], ${claims.overage},
        ${claims.subject}, ${now}, now())
      RETURNING ${COLUMNS}`;
    return { user: user!, created: true, profileChanged: false };
  }

  return updateProfile(tx, org.id, jit, existing, claims, groupData);
}

/**
 * Refuses a user who may not sign in, then writes what this sign-in changes on their row:
 * `groupData` (empty when already written) and the names and status below.
 */
async function updateProfile(
  tx: SqlTx,
  orgId: string,
  jit: boolean,
  existing: SignInUser,
  claims: IdentityClaims,
  groupData: Prisma.Sql,
): Promise<{ user: SignInUser; created: boolean; profileChanged: boolean }> {
  if (!jit && existing.provisionedBy !== "scim") {
    throw new RefusedSignIn(
      "not_provisioned",
      "This organization only lets in users provisioned by SCIM, and your account was not. Ask your administrator.",
    );
  }
  if (existing.status === "deactivated") {
    throw new RefusedSignIn("user_deactivated", "Your account in this organization is deactivated.");
  }
  if (existing.status === "blocked") {
    throw new RefusedSignIn("user_blocked", "Your account in this organization is blocked.");
  }
  // SCIM owns the profile of the users it provisions; sign-ins refresh the others' names.
  const names =
    existing.provisionedBy === "scim"
      ? {}
      : {
          ...(clean(claims.firstName) && clean(claims.firstName) !== existing.firstName
            ? { firstName: clean(claims.firstName) }
            : {}),
          ...(clean(claims.lastName) && clean(claims.lastName) !== existing.lastName
            ? { lastName: clean(claims.lastName) }
            : {}),
        };
  const profileChanged = Object.keys(names).length > 0 || existing.status === "invited";
  const set = [
    ...(groupData === Prisma.empty ? [] : [groupData]),
    ...("firstName" in names ? [Prisma.sql`first_name = ${names.firstName}`] : []),
    ...("lastName" in names ? [Prisma.sql`last_name = ${names.lastName}`] : []),
    // An invited person who proves their identity at the organization's IdP becomes active.
    ...(existing.status === "invited" ? [Prisma.sql`status = 'active'`] : []),
    ...(profileChanged ? [Prisma.sql`version = version + 1`] : []),
  ];
  if (set.length === 0) return { user: existing, created: false, profileChanged };
  const [user] = await tx.$queryRaw<SignInUser[]>`UPDATE users SET ${Prisma.join(set)}
    WHERE id = ${existing.id}::uuid AND org_id = ${orgId}::uuid RETURNING ${COLUMNS}`;
  return { user: user!, created: false, profileChanged };
}
