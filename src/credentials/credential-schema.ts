// The admin API's view of SCIM tokens and API keys: the create body, the listed credential (never
// its secret) and the one answer that shows the value, at creation only.
import { z } from "zod";
import type { CredentialView } from "./credentials-service";

export const createCredentialBody = z
  .object({
    name: z.string().trim().min(1).max(100).optional().describe("A label; defaults to the kind's name"),
  })
  .strict();

export const credentialSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    lastUsedAt: z.iso.datetime().nullable(),
    revokedAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: "Credential", description: "A SCIM token or API key; its value is never shown again" });

export const createdScimTokenSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    token: z.string().describe("The bearer token for the IdP's SCIM client, shown this once"),
    scimBaseUrl: z.string(),
  })
  .meta({ id: "CreatedScimToken" });

export const createdApiKeySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    key: z.string().describe("The bearer API key, shown this once"),
  })
  .meta({ id: "CreatedApiKey" });

export const toCredentialDto = (c: CredentialView): z.input<typeof credentialSchema> => ({
  id: c.id,
  name: c.name,
  lastUsedAt: c.lastUsedAt?.toISOString() ?? null,
  revokedAt: c.revokedAt?.toISOString() ?? null,
  createdAt: c.createdAt.toISOString(),
});
