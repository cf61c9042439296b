// The role resolution rule (docs/roles.md) as a pure function: which role a user
// gets from their groups, the org's ordered rules and default role, and why (roleSource).
// recompute-sql.ts computes exactly the same thing set-based in SQL; tests hold them together.
import type { ProvisionedBy, Role } from "../generated/prisma/enums";
import { ROLE_RANK } from "./permissions";
import { fold } from "../shared/fold";

export interface MappingRule {
  group: string;
  role: Role;
}

export interface RoleSource {
  kind: "mapping" | "default" | "manual";
  /** Exactly the rules that produced the role (those of the winning rank), in rule order. */
  rules: MappingRule[];
  /** The IdP reported group overage: the sign-in's groups were unknown, SCIM memberships stood in. */
  overage?: boolean;
}

export interface GroupNames {
  displayName: string;
  externalId: string | null;
}

export interface ResolveInput {
  rules: readonly MappingRule[];
  defaultRole: Role | null;
  /** Groups the user is a member of (SCIM or manual memberships). */
  memberships: readonly GroupNames[];
  /** Group values carried by the user's last SSO sign-in (SAML attribute or OIDC claim). */
  ssoGroups: readonly string[];
  ssoGroupsOverage: boolean;
  /** The organization's groups: a sign-in value naming one of them stands for both of its names. */
  knownGroups: readonly GroupNames[];
  user: { provisionedBy: ProvisionedBy; manualRole: boolean; assignedRole: Role | null };
  ssoOn: boolean;
}

export interface Resolution {
  role: Role | null;
  roleSource: RoleSource;
}

const namesOf = (g: GroupNames): string[] =>
  g.externalId === null ? [fold(g.displayName)] : [fold(g.displayName), fold(g.externalId)];

/**
 * SCIM- and SSO-provisioned users always get the mapped role; a manually
 * invited user keeps the hand-set role only while SSO is off.
 */
export const isManual = (user: ResolveInput["user"], ssoOn: boolean): boolean =>
  user.provisionedBy === "invite" && user.manualRole && !ssoOn;

/** Every lower-cased name under which this user's groups can be matched by a rule. */
export function userGroupNames(
  input: Omit<ResolveInput, "rules" | "defaultRole" | "user" | "ssoOn">,
): Set<string> {
  const names = new Set<string>();
  for (const g of input.memberships) for (const n of namesOf(g)) names.add(n);
  if (!input.ssoGroupsOverage) {
    for (const value of input.ssoGroups) {
      const v = fold(value);
      names.add(v);
      // Entra claims carry object ids; SCIM told us each id's displayName (and vice versa).
      for (const g of input.knownGroups) if (namesOf(g).includes(v)) for (const n of namesOf(g)) names.add(n);
    }
  }
  return names;
}

/** The rules of the highest rank among those whose group is in `names`, in rule order. */
export function winningRules(rules: readonly MappingRule[], names: ReadonlySet<string>): MappingRule[] {
  const matched = rules.filter((r) => names.has(fold(r.group)));
  if (matched.length === 0) return [];
  const best = Math.max(...matched.map((r) => ROLE_RANK[r.role]));
  return matched.filter((r) => ROLE_RANK[r.role] === best).map((r) => ({ group: r.group, role: r.role }));
}

export function resolveRole(input: ResolveInput): Resolution {
  if (isManual(input.user, input.ssoOn)) {
    return { role: input.user.assignedRole, roleSource: { kind: "manual", rules: [] } };
  }
  const rules = winningRules(input.rules, userGroupNames(input));
  const overage = input.ssoGroupsOverage ? { overage: true } : {};
  if (rules.length === 0) {
    return { role: input.defaultRole, roleSource: { kind: "default", rules: [], ...overage } };
  }
  return { role: rules[0]!.role, roleSource: { kind: "mapping", rules, ...overage } };
}

/** The role a group's members get from the rules alone (GET /groups), or null. */
export function roleOfGroup(rules: readonly MappingRule[], group: GroupNames): Role | null {
  return winningRules(rules, new Set(namesOf(group)))[0]?.role ?? null;
}
