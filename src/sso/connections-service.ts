// The organization's SSO connection (contract section 6): read, replace (through the
// protocol's parser), enable, disable, delete. Turning SSO on or off changes where roles come
// from (section 3), so those writes recompute every role in the same transaction.
import type { Organization } from "../generated/prisma/client";
import type { InputJsonValue } from "../generated/prisma/internal/prismaNamespace";
import type { Services } from "../services";
import type { Ctx } from "../shared/context";
import { AppError } from "../shared/errors";
import { recordAudit } from "../audit/record";
import { recomputeOrgRoles } from "../roles/recompute";
import { countActiveAdmins } from "../roles/read-mappings";
import { daysUntil, latestNotAfter } from "./sso-state";
import type { SsoConnectionRecord } from "./protocol";
import { protocolOf, protocolsOf } from "./registry";
import { loadConnection, sealSecrets, toRecord } from "./connection-store";

export function createSsoConnectionsService(services: Services) {
  const { db, cipher } = services;
  const prisma = db.prisma;
  const registry = () => protocolsOf(services);

  /** When the IdP's signing certificate (the latest, during a rollover) runs out. */
  function certificateExpiry(record: SsoConnectionRecord) {
    const notAfter = record.protocol === "saml" ? latestNotAfter(record.config) : null;
    return {
      certificateExpiresAt: notAfter?.toISOString() ?? null,
      certificateDaysLeft: notAfter ? daysUntil(notAfter, services.clock()) : null,
    };
  }

  function present(record: SsoConnectionRecord, org: Organization): Record<string, unknown> {
    return {
      id: record.id,
      protocol: record.protocol,
      enabled: record.enabled,
      jit: record.jit,
      allowIdpInitiated: record.allowIdpInitiated,
      ...protocolOf(registry(), record.protocol).present(record, org),
      testedAt: record.testedAt?.toISOString() ?? null,
      ...certificateExpiry(record),
      createdAt: record.createdAt.toISOString(),
      updatedAt: record.updatedAt.toISOString(),
    };
  }

  async function required(orgId: string): Promise<SsoConnectionRecord> {
    const record = await loadConnection(prisma, cipher, orgId);
    if (!record) throw new AppError("not_found", "this organization has no SSO connection yet");
    return record;
  }

  async function setEnabled(ctx: Ctx, org: Organization, enabled: boolean, force = false) {
    const record = await required(ctx.orgId);
    if (record.enabled === enabled) return present(record, org);
    const row = await prisma.$transaction(async (tx) => {
      const adminsBefore = await countActiveAdmins(tx, ctx.orgId);
      const updated = await tx.ssoConnection.update({ where: { orgId: ctx.orgId }, data: { enabled } });
      // Why: while SSO is on every role comes from the mapping; off, manual roles return (contract 2-3).
      await recomputeOrgRoles(tx, ctx);
      // Why: turning SSO on hands every role to the mapping; if no rule maps anyone to Admin, the
      // org would lose its last Admin exactly when nobody may edit roles by hand. Same guard as
      // a rules change (issue 4 point 5); the refusal rolls the whole change back.
      const lockout = enabled && adminsBefore > 0 && (await countActiveAdmins(tx, ctx.orgId)) === 0;
      if (lockout && !force) {
        throw new AppError(
          "would_remove_last_admin",
          "turning SSO on with these role mappings leaves no active Admin; map an IdP group to Admin first, or repeat with ?force=true",
        );
      }
      await recordAudit(tx, ctx, {
        action: enabled ? "sso.enabled" : "sso.disabled",
        targetType: "sso_connection",
        targetId: updated.id,
        data: { protocol: updated.protocol, ...(lockout ? { forced: true } : {}) },
      });
      return updated;
    });
    return present(toRecord(row, cipher), org);
  }

  return {
    present,

    async get(ctx: Ctx, org: Organization) {
      return present(await required(ctx.orgId), org);
    },

    /** Creates or replaces the connection; keeps its enabled state. */
    async put(ctx: Ctx, org: Organization, body: unknown) {
      const input = (body ?? {}) as { protocol?: unknown };
      const protocol = protocolOf(registry(), input.protocol);
      const existing = await loadConnection(prisma, cipher, ctx.orgId);
      const parsed = await protocol.parseConnection(body, { ctx, org, existing });
      const data = {
        protocol: protocol.protocol,
        jit: parsed.jit,
        allowIdpInitiated: parsed.allowIdpInitiated,
        config: parsed.config as InputJsonValue,
        secrets: sealSecrets(cipher, parsed.secrets),
      };
      const row = await prisma.$transaction(async (tx) => {
        const saved = await tx.ssoConnection.upsert({
          where: { orgId: ctx.orgId },
          create: { orgId: ctx.orgId, ...data },
          update: data,
        });
        await recordAudit(tx, ctx, {
          action: existing ? "sso.connection_updated" : "sso.connection_created",
          targetType: "sso_connection",
          targetId: saved.id,
          data: { protocol: saved.protocol, jit: saved.jit, allowIdpInitiated: saved.allowIdpInitiated },
        });
        return saved;
      });
      return { created: !existing, connection: present(toRecord(row, cipher), org) };
    },

    enable: (ctx: Ctx, org: Organization, options: { force?: boolean } = {}) =>
      setEnabled(ctx, org, true, options.force === true),
    disable: (ctx: Ctx, org: Organization) => setEnabled(ctx, org, false),

    async remove(ctx: Ctx): Promise<void> {
      const record = await required(ctx.orgId);
      await prisma.$transaction(async (tx) => {
        await tx.ssoConnection.delete({ where: { orgId: ctx.orgId } });
        if (record.enabled) await recomputeOrgRoles(tx, ctx);
        await recordAudit(tx, ctx, {
          action: "sso.connection_deleted",
          targetType: "sso_connection",
          targetId: record.id,
          data: { protocol: record.protocol, wasEnabled: record.enabled },
        });
      });
    },
  };
}

export type SsoConnectionsService = ReturnType<typeof createSsoConnectionsService>;
