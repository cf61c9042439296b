// A role's reason in words: the short "why" of the users table and the full sentence of the
// user page. Presentation only: the reason itself comes from the role resolution.
import type { RoleSource } from "../roles/resolve";
import type { RoleExplanation } from "../roles/explain-role";

const groupList = (groups: string[]): string =>
  groups.length <= 2
    ? groups.join(" and ")
    : `${groups.slice(0, 2).join(", ")} and ${groups.length - 2} more`;

/** "group Okta-Admins" · "default role" · "set by hand" · "no rule matches". */
export function whyShort(role: string | null, source: RoleSource): string {
  if (source.kind === "manual") return "set by hand";
  if (source.kind === "mapping" && source.rules.length > 0) {
    const groups = source.rules.map((r) => r.group);
    return `${groups.length === 1 ? "group" : "groups"} ${groupList(groups)}`;
  }
  return role ? "default role" : "no rule matches, no default role";
}

const roleName = (role: string | null) => role ?? "No role";

/** "Admin, because of group Okta-Admins (rule 1 of 3). Without it: Viewer (default role)." */
export function roleSentence(e: RoleExplanation): string {
  if (e.kind === "manual") return `${roleName(e.role)}, set by hand by an Admin.`;
  if (e.kind === "default" || e.rules.length === 0) {
    const base = e.role
      ? `${e.role}, the default role: none of the user's groups matches a rule.`
      : "No role: none of the user's groups matches a rule and there is no default role, so this user cannot sign in.";
    return e.overage
      ? `${base} The identity provider reported too many groups; SCIM groups were used.`
      : base;
  }
  const because = e.rules.map((r) => `group ${r.group} (rule ${r.position} of ${e.ruleCount})`).join(" and ");
  let without = "";
  if (e.without) {
    const w = e.without;
    const how =
      w.kind === "mapping"
        ? `from group ${w.rules.map((r) => r.group).join(" and ")}`
        : w.role
          ? "default role"
          : "no rule matches and there is no default role";
    without = ` Without ${e.rules.length === 1 ? "it" : "them"}: ${roleName(w.role)} (${how}).`;
  }
  return `${roleName(e.role)}, because of ${because}.${without}`;
}
