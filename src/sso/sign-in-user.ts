// The user side of an SSO sign-in, inside the sign-in transaction: find the person the IdP
// vouches for (contract section 2: NameID/sub against userName, then externalId, then the
// subject an earlier sign-in recorded, then the email only where exactly one user has it; keys
// folded as shared/fold.ts), create them just in time or update them, and record the groups
// this sign-in carried. Refusals throw RefusedSignIn.
import type { Tx } from "../db/client";
import type { Organization, User } from "../generated/prisma/client";
import { seatsLeft } from "../users/guards";
import { RefusedSignIn } from "./refusal";
import { fold } from "../shared/fold";

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

async function findUser(tx: Tx, orgId: string, claims: IdentityClaims): Promise<User | null> {
  const byUserName = await tx.user.findUnique({
    where: { orgId_userNameLower: { orgId, userNameLower: fold(claims.subject) } },
  });
  if (byUserName) return byUserName;
  const byExternalId = await tx.user.findMany({ where: { orgId, externalId: claims.subject }, take: 2 });
  if (byExternalId.length > 1) throw ambiguous("identity provider id");
  if (byExternalId[0]) return byExternalId[0];
  const bySubject = await tx.user.findFirst({ where: { orgId, ssoSubject: claims.subject } });
  if (bySubject || !claims.email) return bySubject;
  const key = fold(claims.email);
  const byEmail = await tx.user.findMany({
    where: { orgId, OR: [{ emailLower: key }, { userNameLower: key }] },
    take: 2,
  });
  if (byEmail.length > 1) throw ambiguous("email address");
  return byEmail[0] ?? null;
}

const clean = (v: string | null | undefined): string | null => (v ? v.trim().slice(0, 200) || null : null);

/**
 * Returns the user to sign in and whether they were created now. `jit` false makes the
 * connection SCIM-only: only users SCIM provisioned may sign in.
 */
export async function upsertSignInUser(
  tx: Tx,
  org: Pick<Organization, "id" | "plan" | "seatLimit">,
  jit: boolean,
  claims: IdentityClaims,
  now: Date,
): Promise<{ user: User; created: boolean; profileChanged: boolean }> {
  const existing = await findUser(tx, org.id, claims);
  const ssoGroups = claims.overage ? [] : normalizeGroups(claims.groups);
  // Why: a sign-in replaces only what sign-ins contribute (ssoGroups); SCIM memberships stay.
  const groupData = { ssoGroups, ssoGroupsOverage: claims.overage, ssoSubject: claims.subject };

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
    const user = await tx.user.create({
      data: {
        orgId: org.id,
        email: claims.email,
        emailLower: fold(claims.email),
        userName: claims.email,
        userNameLower: fold(claims.email),
        firstName: clean(claims.firstName),
        lastName: clean(claims.lastName),
        status: "active",
        provisionedBy: "sso",
        roleSource: { kind: "mapping", rules: [] },
        lastSignInAt: now,
        ...groupData,
      },
    });
    return { user, created: true, profileChanged: false };
  }

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
  const user = await tx.user.update({
    where: { id: existing.id },
    data: {
      ...groupData,
      ...names,
      // An invited person who proves their identity at the organization's IdP becomes active.
      ...(existing.status === "invited" ? { status: "active" as const } : {}),
      ...(profileChanged ? { version: { increment: 1 } } : {}),
      lastSignInAt: now,
    },
  });
  return { user, created: false, profileChanged };
}
