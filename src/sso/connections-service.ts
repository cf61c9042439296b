// The organization's SSO connection: read, replace (through the protocol's parser), enable,
// disable, delete. Turning SSO on or off changes where roles come from, so those writes
// recompute every role in the same transaction and answer who changed ({changed, byRole}).
import type { Organization } from "../generated/prisma/client";
import type { InputJsonValue } from "../generated/prisma/internal/prismaNamespace";
import type { Tx } from "../db/client";
import type { SsoDeps } from "./deps";
import type { Ctx } from "../shared/context";
import { AppError } from "../shared/errors";
import { emit } from "../events";
import type { OrgRecomputeResult } from "../roles/recompute";
import { changeWithOrgRecompute } from "../roles/org-recompute";
import { changeEventInput, type ChangeEvent } from "../roles/sweep";
import { daysUntil, latestNotAfter } from "./sso-state";
import type { SsoConnectionRecord } from "./protocol";
import type { SsoConnectionInput, SsoConnectionView } from "./connection-schema";
import { protocolOf, type ProtocolRegistry } from "./registry";
import { loadConnection, sealSecrets, toRecord } from "./connection-store";

export interface SsoConnectionsDeps extends Pick<SsoDeps, "db" | "cipher" | "clock"> {
  protocols: ProtocolRegistry;
}

export function createSsoConnectionsService({ db, cipher, clock, protocols }: SsoConnectionsDeps) {
  const prisma = db.prisma;

  /** When the IdP's signing certificate (the latest, during a rollover) runs out. */
  function certificateExpiry(record: SsoConnectionRecord) {
    const notAfter = record.protocol === "saml" ? latestNotAfter(record.config) : null;
    return {
      certificateExpiresAt: notAfter?.toISOString() ?? null,
      certificateDaysLeft: notAfter ? daysUntil(notAfter, clock()) : null,
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
      ...(await protocolOf(protocols, record.protocol).present(record, org)),
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
    const { value: row, result } = await changeWithOrgRecompute(
      db,
      ctx,
      {
        guard: enabled ? "admin-reachable" : "none",
        force,
        refusal:
          "no role-mapping rule maps an IdP group to Admin, so turning SSO on would leave this organization without an Admin for good; add such a rule first, or repeat with ?force=true",
      },
      // Why: while SSO is on every role comes from the mapping; off, manual roles return.
      (tx) => tx.ssoConnection.update({ where: { orgId: ctx.orgId }, data: { enabled } }),
      (updated, forced) => ({
        action: enabled ? "sso.enabled" : "sso.disabled",
        targetId: updated.id,
        data: { protocol: updated.protocol, ...(forced ? { forced: true } : {}) },
        counts: true,
      }),
    );
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
      const protocol = protocolOf(protocols, body.protocol);
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
        await emit(tx, ctx, {
          action: existing ? "sso.connection_updated" : "sso.connection_created",
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
      const deleteRow = (tx: Tx) => tx.ssoConnection.delete({ where: { orgId: ctx.orgId } });
      const event: ChangeEvent = {
        action: "sso.connection_deleted",
        targetId: record.id,
        data: { protocol: record.protocol, wasEnabled: record.enabled },
        counts: false,
      };
      // Deleting a connection that was on turns SSO off: manual roles return.
      if (record.enabled) {
        await changeWithOrgRecompute(
          db,
          ctx,
          { guard: "none", force: false, refusal: "" },
          deleteRow,
          () => event,
        );
      } else {
        await prisma.$transaction(async (tx) => {
          await deleteRow(tx);
          await emit(tx, ctx, changeEventInput(event, NOTHING_CHANGED));
        });
      }
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

export type SsoConnectionsService = ReturnType<typeof createSsoConnectionsService>;
