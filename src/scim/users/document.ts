// Between a users row (with its user_emails rows) and the canonical SCIM User document.
// Columns hold what is queried or used elsewhere (userName, names, emails, active, externalId,
// manager); every other attribute (title, phoneNumbers, addresses, enterprise fields...) is
// kept verbatim in users.scim_data. The email of the user is the primary SCIM email address
// (primary, else type work, else the first, else userName if it is one); emails values that
// are not addresses are kept as the directory sent them but never become the user's email.
import type { User, UserEmail, UserStatus } from "../../generated/prisma/client";
import { ENTERPRISE_SCHEMA } from "../schema/attributes";
import { invalidValue, type Doc } from "../schema/canonical";
import { fold } from "../../shared/fold";

/** The columns SCIM reads of a users row (a Prisma row or a raw select), with its emails. */
export type UserRow = Pick<
  User,
  | "id"
  | "orgId"
  | "email"
  | "emailLower"
  | "userName"
  | "userNameLower"
  | "externalId"
  | "firstName"
  | "lastName"
  | "displayName"
  | "status"
  | "scimData"
  | "managerId"
  | "version"
  | "createdAt"
  | "updatedAt"
  | "provisionedBy"
> & { emails: Pick<UserEmail, "value" | "type" | "primary" | "position">[] };

export interface EmailInput {
  value: string;
  valueLower: string;
  type: string | null;
  primary: boolean;
  position: number;
}

export interface UserFields {
  userName: string;
  userNameLower: string;
  email: string;
  emailLower: string;
  externalId: string | null;
  displayName: string | null;
  firstName: string | null;
  lastName: string | null;
  /** undefined: the document did not say (keep the current status). */
  active: boolean | undefined;
  managerId: string | null;
  emails: EmailInput[];
  scimData: Doc;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const EMAIL = /^[^\s@]+@[^\s@]+$/;

export function documentOfUser(user: UserRow): Doc {
  const data = (isObject(user.scimData) ? user.scimData : {}) as Doc;
  const { name: extraName, [ENTERPRISE_SCHEMA]: extraEnterprise, ...rest } = data;
  const doc: Doc = { ...rest, userName: user.userName, active: user.status === "active" };
  if (user.externalId !== null) doc.externalId = user.externalId;
  if (user.displayName !== null) doc.displayName = user.displayName;
  const name: Doc = { ...(isObject(extraName) ? extraName : {}) };
  if (user.firstName !== null) name.givenName = user.firstName;
  if (user.lastName !== null) name.familyName = user.lastName;
  if (Object.keys(name).length > 0) doc.name = name;
  if (user.emails.length > 0) {
    doc.emails = [...user.emails]
      .sort((a, b) => a.position - b.position)
      .map((e) => ({ value: e.value, ...(e.type ? { type: e.type } : {}), primary: e.primary }));
  }
  const enterprise: Doc = { ...(isObject(extraEnterprise) ? extraEnterprise : {}) };
  if (user.managerId) enterprise.manager = { value: user.managerId };
  if (Object.keys(enterprise).length > 0) doc[ENTERPRISE_SCHEMA] = enterprise;
  return doc;
}

const str = (v: unknown): string | null => (typeof v === "string" && v.trim() !== "" ? v : null);

function readEmails(doc: Doc): EmailInput[] {
  const list = Array.isArray(doc.emails) ? doc.emails : [];
  const out: EmailInput[] = [];
  let primarySeen = false;
  for (const item of list) {
    const value = isObject(item) ? str(item.value) : null;
    if (!value) continue;
    // RFC 7643 2.4: at most one primary; the first one marked wins.
    const primary: boolean = isObject(item) && item.primary === true && !primarySeen;
    primarySeen ||= primary;
    const type = isObject(item) ? str(item.type) : null;
    out.push({ value, valueLower: fold(value), type, primary, position: out.length });
  }
  return out;
}

/** The user's email (what sign-in, invitations and mail use): an address, never another value
 * the directory keeps in emails (RFC 7643 4.1.2 says SHOULD be an address; they are stored). */
function pickEmail(all: EmailInput[], userName: string): string {
  const emails = all.filter((e) => EMAIL.test(e.value));
  const chosen =
    emails.find((e) => e.primary) ?? emails.find((e) => e.type?.toLowerCase() === "work") ?? emails[0];
  if (chosen) return chosen.value;
  if (EMAIL.test(userName)) return userName;
  throw invalidValue(
    "the user needs an email address: send emails with one, or a userName that is an email address",
  );
}

export function docToFields(doc: Doc): UserFields {
  const userName = str(doc.userName);
  if (!userName) throw invalidValue("userName is required and must be a non-empty string");
  const emails = readEmails(doc);
  const email = pickEmail(emails, userName);
  const {
    userName: _u,
    externalId,
    displayName,
    active,
    emails: _e,
    name,
    [ENTERPRISE_SCHEMA]: ent,
    ...rest
  } = doc;
  const scimData: Doc = { ...rest };
  let firstName: string | null = null;
  let lastName: string | null = null;
  if (isObject(name)) {
    const { givenName, familyName, ...otherName } = name;
    firstName = str(givenName);
    lastName = str(familyName);
    if (Object.keys(otherName).length > 0) scimData.name = otherName;
  }
  let managerId: string | null = null;
  if (isObject(ent)) {
    const { manager, ...otherEnt } = ent;
    managerId = isObject(manager) ? str(manager.value) : null;
    if (Object.keys(otherEnt).length > 0) scimData[ENTERPRISE_SCHEMA] = otherEnt;
  }
  for (const [k, v] of Object.entries(scimData)) if (v === null) delete scimData[k];
  return {
    userName,
    userNameLower: fold(userName),
    email,
    emailLower: fold(email),
    externalId: str(externalId),
    displayName: str(displayName),
    firstName,
    lastName,
    active: typeof active === "boolean" ? active : undefined,
    managerId,
    emails,
    scimData,
  };
}

/** SCIM `active` onto the status: false deactivates; true reactivates a deactivated or invited
 * user; a user an admin blocked stays blocked until an admin unblocks them. */
export function statusFor(active: boolean | undefined, current: UserStatus | null): UserStatus {
  if (active === undefined) return current ?? "active";
  if (!active) return current === "blocked" ? "blocked" : "deactivated";
  return current === "blocked" ? "blocked" : "active";
}
