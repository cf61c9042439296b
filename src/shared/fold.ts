// The identity key of a userName or an email: two spellings that a person cannot tell apart
// are one identity. NFKC (full-width and other compatibility forms become their plain
// letters), default-ignorable code points dropped (ZWJ, ZWNJ, ZWSP, soft hyphen, BOM...), then
// every character case-folded on its own (lower, upper, lower again: ß and ẞ fold to "ss",
// final ς to σ, İ to i + U+0307), and NFKC again. The one case-insensitive key of every
// identity: userNames and emails (users.user_name_lower, users.email_lower,
// user_emails.value_lower), group names (groups.display_name_lower) and rule groups
// (role_mapping_rules.group_lower); lookups fold their value here, before the query.
//
// The same fold exists once in SQL (sso_bridge_fold, migration identity_fold): the migrations
// that recomputed stored keys use it, and statements matching values the database holds as given
// (sign-in group values, externalIds) reach it through shared/fold-sql.ts. Tests hold the two
// equal (test/foundation/identity-fold.test.ts, test/roles/group-fold.test.ts).

const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** One character's case fold, context-free (String#toLowerCase alone keeps final sigma and ß). */
export const foldChar = (ch: string): string => ch.toLowerCase().toUpperCase().toLowerCase();

export function fold(value: string): string {
  // Most identities are plain ASCII, where the whole fold is toLowerCase (the hot lookup path).
  if (PRINTABLE_ASCII.test(value)) return value.toLowerCase();
  let out = "";
  for (const ch of value.normalize("NFKC").replace(IGNORABLE, "")) out += foldChar(ch);
  return out.normalize("NFKC");
}
