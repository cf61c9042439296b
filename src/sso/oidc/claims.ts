// From validated OIDC claims (ID token, completed by userinfo) to the identity a sign-in
// completes with: subject, email, names, the groups of the configured claim, and whether the
// provider reported group overage (Entra) so that SCIM memberships must stand in.
import type { IdentityClaims } from "../sign-in-user";

export type Claims = Record<string, unknown>;

const EMAIL_LIKE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const str = (v: unknown): string | null => (typeof v === "string" && v.trim() ? v.trim() : null);

/** The claim by its exact name, else by a dotted path ("realm_access.roles"). */
export function claimAt(claims: Claims, name: string): unknown {
  if (Object.hasOwn(claims, name)) return claims[name];
  let node: unknown = claims;
  for (const part of name.split(".")) {
    if (typeof node !== "object" || node === null || !Object.hasOwn(node, part)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** Group values of the claim: an array of strings (or numbers), or one string. */
export function groupsOf(claims: Claims, groupsClaim: string): string[] | null {
  const value = claimAt(claims, groupsClaim);
  if (value === undefined || value === null) return null;
  const list = Array.isArray(value) ? value : [value];
  return list.filter((v): v is string | number => typeof v === "string" || typeof v === "number").map(String);
}

/**
 * Entra leaves the groups out when a user is in too many of them (200 in a JWT) and says so
 * with `_claim_names.groups` (a distributed claim) or, in some flows, `hasgroups: true`.
 */
export function hasGroupOverage(claims: Claims, groupsClaim: string): boolean {
  const names = claims._claim_names;
  if (typeof names === "object" && names !== null && Object.hasOwn(names, groupsClaim)) return true;
  return groupsClaim === "groups" && (claims.hasgroups === true || claims.hasgroups === "true");
}

/**
 * The email: `email` unless the provider says it is unverified (why: an unverified address
 * must not link the sign-in to an existing account of that address), else Entra's
 * `preferred_username`/`upn` when it is an address.
 */
export function emailOf(claims: Claims): string | null {
  const email = str(claims.email);
  if (email && claims.email_verified !== false && claims.email_verified !== "false") return email;
  if (email) return null;
  for (const name of ["preferred_username", "upn"]) {
    const value = str(claims[name]);
    if (value && EMAIL_LIKE.test(value)) return value;
  }
  return null;
}

/** True when a userinfo call could add what the ID token lacks (email or the groups claim). */
export function needsUserinfo(claims: Claims, groupsClaim: string): boolean {
  const groupsKnown = groupsOf(claims, groupsClaim) !== null || hasGroupOverage(claims, groupsClaim);
  return claims.email === undefined || !groupsKnown;
}

/** ID token claims win; userinfo only fills what the token did not carry. */
export const mergeClaims = (idToken: Claims, userinfo: Claims): Claims => ({ ...userinfo, ...idToken });

export function identityOf(claims: Claims, groupsClaim: string): IdentityClaims {
  const overage = hasGroupOverage(claims, groupsClaim);
  return {
    subject: String(claims.sub),
    email: emailOf(claims),
    firstName: str(claims.given_name),
    lastName: str(claims.family_name),
    groups: overage ? null : (groupsOf(claims, groupsClaim) ?? []),
    overage,
  };
}
