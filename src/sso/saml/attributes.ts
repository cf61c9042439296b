// From a verified assertion to the identity claims of a sign-in: the NameID is the subject;
// email, names and groups come from the configured attribute names (first present wins for
// single values; every listed groups attribute contributes). Pure, so it is unit-tested.
import type { IdentityClaims } from "../sign-in-user";
import type { AssertionFacts } from "./assertion-facts";
import { ENTRA_GROUPS_LINK, type SamlConfig } from "./saml-config";

const looksLikeEmail = (v: string | null): v is string => !!v && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v);

function firstValue(attributes: Record<string, string[]>, names: string[]): string | null {
  for (const name of names) {
    const value = attributes[name]?.[0];
    if (value) return value;
  }
  return null;
}

export function claimsOf(
  facts: AssertionFacts,
  config: Pick<SamlConfig, "groupsAttribute" | "emailAttribute" | "firstNameAttribute" | "lastNameAttribute">,
): IdentityClaims {
  const attributes = facts.attributes;
  const emailAttr = firstValue(attributes, config.emailAttribute);
  const email = looksLikeEmail(emailAttr) ? emailAttr : looksLikeEmail(facts.nameId) ? facts.nameId : null;
  const present = config.groupsAttribute.filter((name) => name in attributes);
  const groups = present.length > 0 ? present.flatMap((name) => attributes[name] ?? []) : null;
  // Entra sends a groups.link claim instead of the groups when there are too many (overage).
  const overage = ENTRA_GROUPS_LINK in attributes && (groups === null || groups.length === 0);
  return {
    subject: facts.nameId ?? "",
    email,
    firstName: firstValue(attributes, config.firstNameAttribute),
    lastName: firstValue(attributes, config.lastNameAttribute),
    groups: overage ? null : groups,
    overage,
  };
}
