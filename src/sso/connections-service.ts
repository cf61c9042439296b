// The organization's SSO connection: read, replace (through the protocol's parser), enable,
// disable, delete. Turning SSO on or off changes where roles come from, so those writes
// recompute every role in the same transaction and answer who changed ({changed, byRole}).
import type { Organization } from "../generated/prisma/client";
import type { InputJsonValue } from "../generated/prisma/internal/prismaNamespace";
import type { Tx } from "../db/client";
import type { Services } from "../services";
import type { Ctx } from "../shared/context";
import { AppError } from "../shared/errors";
import { recordAudit } from "../audit/record";
import {
  lockOrgForRoles,
  ORG_RECOMPUTE_TX,
  recomputeOrgRoles,
  type OrgRecomputeResult,
} from "../roles/recompute";
import { countActiveAdmins } from "../roles/read-mappings";
import { daysUntil, latestNotAfter } from "./sso-state";
import type { SsoConnectionRecord } from "./protocol";
import type { SsoConnectionInput, SsoConnectionView } from "./connection-schema";
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

  async function present(record: SsoConnectionRecord, org: Organization): Promise<SsoConnectionView> {
    // The protocol's own part is typed by the protocol; the answer's shape is held by the API test.
    return {
      id: record.id,
      protocol: record.protocol,
      enabled: record.enabled,
      jit: record.jit,
      allowIdpInitiated: record.allowIdpInitiated,
      ...(await protocolOf(registry(), record.protocol).present(record, org)),
      testedAt: record.testedAt?.toISOString() ?? null,
      ...certificateExpiry(record),
      createdAt: record.createdAt.toISOString(),
      updatedAt: record.updatedAt.toISOString(),
    } as SsoConnectionView;
  }

  async function required(orgId: string): Promise<SsoConnectionRecord> {
    const record = await loadConnection(prisma, cipher, orgId);
    if (!record) throw new AppError("not_found", "this organization has no SSO connection yet");
    return record;
  }

  async function setEnabled(ctx: Ctx, org: Organization, enabled: boolean, force = false) {
    const record = await required(ctx.orgId);
    if (record.enabled === enabled) return answer(record, org, enabled, NOTHING_CHANGED);
    const { row, result } = await prisma.$transaction(async (tx) => {
      // Why: while SSO is on every role comes from the mapping, so an organization whose rules
      // can make nobody Admin would lose its Admins for good. Rules that map a group to Admin
      // are enough, even when nobody holds that group yet: that is the first day of every
      // rollout (the IdP's admins become Admin as they sign in; `sso-bridge recover` meanwhile).
      // Checked under the organization's lock, so that a concurrent rules change cannot slip in.
      await lockOrgForRoles(tx, ctx.orgId, "update");
      const refused =
        enabled && !(await adminReachable(tx, ctx.orgId)) && (await countActiveAdmins(tx, ctx.orgId)) > 0;
      if (refused && !force) {
        throw new AppError(
          "would_remove_last_admin",
          "no role-mapping rule maps an IdP group to Admin, so turning SSO on would leave this organization without an Admin for good; add such a rule first, or repeat with ?force=true",
        );
      }
      const updated = await tx.ssoConnection.update({ where: { orgId: ctx.orgId }, data: { enabled } });
      // Why: while SSO is on every role comes from the mapping; off, manual roles return.
      const recomputed = await recomputeOrgRoles(tx, ctx);
      await recordAudit(tx, ctx, {
        action: enabled ? "sso.enabled" : "sso.disabled",
        targetType: "sso_connection",
        targetId: updated.id,
        data: {
          protocol: updated.protocol,
          changed: recomputed.changed,
          byRole: recomputed.byRole,
          ...(refused ? { forced: true } : {}),
        },
      });
      return { row: updated, result: recomputed };
    }, ORG_RECOMPUTE_TX);
    return answer(toRecord(row, cipher), org, enabled, result);
  }

  async function answer(
    record: SsoConnectionRecord,
    org: Organization,
    enabled: boolean,
    result: OrgRecomputeResult,
  ) {
    return {
      ...(await present(record, org)),
      ...result,
      notice: enabled ? SSO_ON_NOTICE(org.slug) : SSO_OFF_NOTICE,
    };
  }

  return {
    present,

    async get(ctx: Ctx, org: Organization) {
      return present(await required(ctx.orgId), org);
    },

    /** Creates or replaces the connection; keeps its enabled state. */
    async put(ctx: Ctx, org: Organization, body: SsoConnectionInput) {
      const protocol = protocolOf(registry(), body.protocol);
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
      return { created: !existing, connection: await present(toRecord(row, cipher), org) };
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

const NOTHING_CHANGED: OrgRecomputeResult = {
  changed: 0,
  byRole: { Admin: 0, Support: 0, Viewer: 0, none: 0 },
};

const SSO_ON_NOTICE = (slug: string) =>
  "SSO is on: every user's role, the local admins' included, now comes from the role mapping of their IdP groups, " +
  "and password sign-in is refused. If nobody can get in as Admin, run " +
  `\`sso-bridge recover --org ${slug} --email <an active user's email>\` on the machine that runs the service, with the same environment.`;

const SSO_OFF_NOTICE =
  "SSO is off: manually managed users have their hand-set roles again and may sign in with a password.";

/** True when some rule maps a group to Admin, or the default role is Admin: someone can become Admin through SSO. */
async function adminReachable(tx: Tx, orgId: string): Promise<boolean> {
  const org = await tx.organization.findUniqueOrThrow({
    where: { id: orgId },
    select: { defaultRole: true },
  });
  if (org.defaultRole === "Admin") return true;
  const rule = await tx.roleMappingRule.findFirst({
    where: { orgId, role: "Admin" },
    select: { orgId: true },
  });
  return rule !== null;
}

export type SsoConnectionsService = ReturnType<typeof createSsoConnectionsService>;
