// The state behind the Overview's set-up checklist and its "needs attention" list, read from
// the real rows (issue 19 item 0): each line ticks itself, nothing is stored twice.
import type { Database } from "../db/client";
import type { Cipher } from "../shared/crypto";
import { countRefusedSince } from "../audit/sign-in-activity";
import { countActiveAdmins } from "../roles/read-mappings";
import { certificateDaysLeft, certificateNeedsWarning } from "../sso/connection-health";
import { loadConnection } from "../sso/connection-store";

const DAY_MS = 86_400_000;

export interface SetupState {
  steps: {
    connectionConfigured: boolean;
    testSignInPassed: boolean;
    scimTokenCreated: boolean;
    firstUserProvisioned: boolean;
    adminGroupMapped: boolean;
    ssoOn: boolean;
  };
  testedAt: string | null;
  attention: {
    /** Days until the soonest IdP signing certificate expires (null: none to watch). */
    certificateDaysLeft: number | null;
    certificateExpiring: boolean;
    scimErrors24h: number;
    refusedSignIns24h: number;
    noAdminLeft: boolean;
  };
}

export async function setupState(
  deps: { db: Pick<Database, "prisma">; cipher: Cipher },
  orgId: string,
  now: Date,
): Promise<SetupState> {
  const prisma = deps.db.prisma;
  const since = new Date(now.getTime() - DAY_MS);
  const [connection, token, scimUser, adminRule, scimErrors24h, refused, admins] = await Promise.all([
    loadConnection(prisma, deps.cipher, orgId),
    prisma.scimToken.findFirst({ where: { orgId, revokedAt: null }, select: { id: true } }),
    prisma.user.findFirst({ where: { orgId, provisionedBy: "scim" }, select: { id: true } }),
    prisma.roleMappingRule.findFirst({ where: { orgId, role: "Admin" }, select: { id: true } }),
    prisma.scimError.count({ where: { orgId, createdAt: { gte: since } } }),
    countRefusedSince(prisma, orgId, since),
    countActiveAdmins(prisma, orgId),
  ]);
  const daysLeft = connection ? certificateDaysLeft(connection, now) : null;
  return {
    steps: {
      connectionConfigured: connection !== null,
      testSignInPassed: connection?.testedAt != null,
      scimTokenCreated: token !== null,
      firstUserProvisioned: scimUser !== null,
      adminGroupMapped: adminRule !== null,
      ssoOn: connection?.enabled === true,
    },
    testedAt: connection?.testedAt?.toISOString() ?? null,
    attention: {
      certificateDaysLeft: daysLeft,
      certificateExpiring: certificateNeedsWarning(daysLeft),
      scimErrors24h,
      refusedSignIns24h: refused,
      noAdminLeft: admins === 0,
    },
  };
}
