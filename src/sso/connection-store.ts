// Reads an organization's SSO connection with its secrets decrypted (services.cipher,
// AES-256-GCM at rest). Every query is by orgId (or, for /sso/{org}/..., by the organization's
// slug joined to its own connection): a connection never leaks across tenants.
import type { Database, Db } from "../db/client";
import { Prisma, type Organization, type SsoConnection } from "../generated/prisma/client";
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

/**
 * The organization at `slug` and its connection (null when it has none), in one statement on
 * the driver: every /sso request reads both, and this saves a round trip and the Prisma
 * client's work of two queries. The columns are the models', named as Prisma names them (a
 * test holds the result equal to the Prisma client's reads).
 */
export async function loadOrgAndConnection(
  db: Pick<Database, "read">,
  cipher: Cipher,
  slug: string,
): Promise<{ org: Organization; connection: SsoConnectionRecord | null } | null> {
  type Row = Organization & { [K in keyof SsoConnection as `c_${K}`]: SsoConnection[K] | null };
  const [row] = await db.read<Row>(Prisma.sql`
    SELECT o.id::text AS id, o.slug, o.name, o.plan::text AS plan, o.seat_limit AS "seatLimit",
      o.require_mfa AS "requireMfa", o.invitation_ttl_hours AS "invitationTtlHours",
      o.default_role::text AS "defaultRole", o.created_at AS "createdAt", o.updated_at AS "updatedAt",
      c.id::text AS "c_id", c.org_id::text AS "c_orgId", c.protocol::text AS "c_protocol",
      c.enabled AS "c_enabled", c.jit AS "c_jit", c.allow_idp_initiated AS "c_allowIdpInitiated",
      c.config AS "c_config", c.secrets AS "c_secrets", c.tested_at AS "c_testedAt",
      c.created_at AS "c_createdAt", c.updated_at AS "c_updatedAt"
    FROM organizations o LEFT JOIN sso_connections c ON c.org_id = o.id
    WHERE o.slug = ${slug}`);
  if (!row) return null;
  const {
    c_id,
    c_orgId,
    c_protocol,
    c_enabled,
    c_jit,
    c_allowIdpInitiated,
    c_config,
    c_secrets,
    c_testedAt,
    c_createdAt,
    c_updatedAt,
    ...org
  } = row;
  const connection: SsoConnection | null =
    c_id === null
      ? null
      : {
          id: c_id,
          orgId: c_orgId!,
          protocol: c_protocol!,
          enabled: c_enabled!,
          jit: c_jit!,
          allowIdpInitiated: c_allowIdpInitiated!,
          config: c_config!,
          secrets: c_secrets,
          testedAt: c_testedAt,
          createdAt: c_createdAt!,
          updatedAt: c_updatedAt!,
        };
  return { org, connection: connection ? toRecord(connection, cipher) : null };
}
