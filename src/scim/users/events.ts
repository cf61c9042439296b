// The outbox payload of the SCIM user writes that do not yet go through the event catalogue
// (the create's statement, the link of a local account). Identifiers and profile fields, never
// credentials.
import type { UserRow } from "./document";

export const userPayload = (u: UserRow) => ({
  id: u.id,
  email: u.email,
  userName: u.userName,
  externalId: u.externalId,
  firstName: u.firstName,
  lastName: u.lastName,
  status: u.status,
  provisionedBy: u.provisionedBy,
});
