// The Overview's facts, read from the real state of the organization: the set-up checklist
// (each step ticks itself), what needs attention, and the counts. One function per fact, so
// that a new source (a recorded test sign-in, SCIM error answers) replaces one line.
import type { Role, UserStatus } from "../generated/prisma/client";
import type { Services } from "../services";
import type { Ctx } from "../shared/context";
import { countRefusedSince } from "../audit/sign-in-activity";
import { certificateWarning, ssoSummaryOf, type SsoSummary } from "../sso/sso-state";

export type SetupStepKey = "connection" | "test" | "scim_token" | "first_user" | "admin_group" | "sso_on";

export interface SetupStep {
  key: SetupStepKey;
  done: boolean;
}

export interface Attention {
  kind: "certificate" | "refused_sign_ins" | "scim_errors" | "no_admin";
  count?: number;
  daysLeft?: number;
}

export interface SetupState {
  sso: SsoSummary;
  steps: SetupStep[];
  attention: Attention[];
  usersByRole: Record<Role | "none", number>;
  usersByStatus: Record<UserStatus, number>;
  totalUsers: number;
  lastScimCallAt: Date | null;
  lastSignInAt: Date | null;
}

const DAY_MS = 86_400_000;

/** Whether an Admin's test sign-in (a real round trip through the IdP) has passed. */
async function testSignInPassed(services: Services, orgId: string): Promise<boolean> {
  const conn = await services.db.prisma.ssoConnection.findUnique({
    where: { orgId },
    select: { testedAt: true },
  });
  return conn?.testedAt != null;
}

async function userCounts(services: Services, orgId: string) {
  const rows = await services.db.prisma.user.groupBy({
    by: ["role", "status"],
    where: { orgId },
    _count: true,
  });
  const byRole: Record<Role | "none", number> = { Admin: 0, Support: 0, Viewer: 0, none: 0 };
  const byStatus: Record<UserStatus, number> = { invited: 0, active: 0, deactivated: 0, blocked: 0 };
  let activeAdmins = 0;
  for (const r of rows) {
    byRole[r.role ?? "none"] += r._count;
    byStatus[r.status] += r._count;
    if (r.role === "Admin" && r.status === "active") activeAdmins += r._count;
  }
  return { byRole, byStatus, activeAdmins, total: rows.reduce((n, r) => n + r._count, 0) };
}

export async function setupState(services: Services, ctx: Ctx): Promise<SetupState> {
  const prisma = services.db.prisma;
  const orgId = ctx.orgId;
  const now = services.clock();
  const since = new Date(now.getTime() - DAY_MS);
  const [sso, tested, tokens, scimUser, mappings, counts, refused, lastSignIn, scimErrors] =
    await Promise.all([
      ssoSummaryOf(prisma, orgId),
      testSignInPassed(services, orgId),
      prisma.scimToken.aggregate({
        where: { orgId, revokedAt: null },
        _count: true,
        _max: { lastUsedAt: true },
      }),
      prisma.user.findFirst({ where: { orgId, provisionedBy: "scim" }, select: { id: true } }),
      services.roles.getMappings(ctx),
      userCounts(services, orgId),
      countRefusedSince(prisma, orgId, since),
      prisma.user.aggregate({ where: { orgId }, _max: { lastSignInAt: true } }),
      prisma.scimError.count({ where: { orgId, createdAt: { gte: since } } }),
    ]);

  const steps: SetupStep[] = [
    { key: "connection", done: sso.state !== "not_set_up" },
    { key: "test", done: tested },
    { key: "scim_token", done: tokens._count > 0 },
    { key: "first_user", done: scimUser !== null },
    { key: "admin_group", done: mappings.rules.some((r) => r.role === "Admin") },
    { key: "sso_on", done: sso.state === "on" },
  ];

  const attention: Attention[] = [];
  const cert = certificateWarning(sso, now);
  if (cert) attention.push({ kind: "certificate", daysLeft: cert.daysLeft });
  if (refused > 0) attention.push({ kind: "refused_sign_ins", count: refused });
  if (scimErrors > 0) attention.push({ kind: "scim_errors", count: scimErrors });
  if (counts.activeAdmins === 0) attention.push({ kind: "no_admin" });

  return {
    sso,
    steps,
    attention,
    usersByRole: counts.byRole,
    usersByStatus: counts.byStatus,
    totalUsers: counts.total,
    lastScimCallAt: tokens._max.lastUsedAt,
    lastSignInAt: lastSignIn._max.lastSignInAt,
  };
}
