// What makes a presented SCIM token or API key good, in one place for every path that checks
// one (the admin API's bearer auth and the SCIM endpoint's one-query lookup).
import { verifySecret } from "../shared/crypto";

export type CredentialKind = "scim_token" | "api_key";

export const TOKEN_PREFIX: Record<CredentialKind, string> = { scim_token: "scim", api_key: "sbk" };

// lastUsedAt is advisory: writing it on every SCIM request would add a write per request,
// so it is refreshed at most once a minute per credential.
const LAST_USED_RESOLUTION_MS = 60_000;

/** Not revoked, and the secret matches the stored sha256 (compared in constant time). */
export const credentialAccepts = (
  row: { revokedAt: Date | null; secretHash: string },
  secret: string,
): boolean => row.revokedAt === null && verifySecret(secret, row.secretHash);

export const lastUsedIsStale = (lastUsedAt: Date | null, now: Date): boolean =>
  !lastUsedAt || now.getTime() - lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS;
