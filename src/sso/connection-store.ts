// Reads an organization's SSO connection with its secrets decrypted (services.cipher,
// AES-256-GCM at rest). Every query is by orgId: a connection never leaks across tenants.
import type { Db } from "../db/client";
import type { SsoConnection } from "../generated/prisma/client";
import type { Cipher } from "../shared/crypto";
import type { SsoConnectionRecord } from "./protocol";

export function toRecord(row: SsoConnection, cipher: Cipher): SsoConnectionRecord {
  return {
    id: row.id,
    orgId: row.orgId,
    protocol: row.protocol,
    enabled: row.enabled,
    jit: row.jit,
    allowIdpInitiated: row.allowIdpInitiated,
    config: (row.config ?? {}) as Record<string, unknown>,
    secrets: row.secrets ? (JSON.parse(cipher.decrypt(row.secrets)) as Record<string, string>) : {},
    testedAt: row.testedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export async function loadConnection(
  db: Db,
  cipher: Cipher,
  orgId: string,
): Promise<SsoConnectionRecord | null> {
  const row = await db.ssoConnection.findUnique({ where: { orgId } });
  return row ? toRecord(row, cipher) : null;
}

export const sealSecrets = (cipher: Cipher, secrets: Record<string, string> | undefined): string | null =>
  secrets && Object.keys(secrets).length > 0 ? cipher.encrypt(JSON.stringify(secrets)) : null;
