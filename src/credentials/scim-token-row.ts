// A SCIM token's row joined to its organization: what SCIM authentication reads and what the
// process's cache of verified tokens (verified-cache.ts) keeps.
export interface ScimTokenRow {
  orgId: string;
  slug: string;
  tokenId: string;
  tokenName: string;
  secretHash: string;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}
