// What the portal's SCIM page and the Overview say about provisioning: when the IdP last
// called (the tokens' last-used time, refreshed at most once a minute by SCIM auth), what it
// changed over the last 24 hours (from the audit events SCIM writes with every change), and
// the latest error answers (scim_errors).
import type { Database } from "../../db/client";
import { Prisma } from "../../generated/prisma/client";
import type { ScimErrorRow } from "./record-error";

const DAY_MS = 86_400_000;

/** Audit actions written by SCIM, grouped as an admin counts them. */
const KIND_OF_ACTION: Record<string, "creates" | "updates" | "deactivations" | "deletions"> = {
  "user.created": "creates",
  "group.created": "creates",
  "user.updated": "updates",
  "user.reactivated": "updates",
  "group.updated": "updates",
  "user.deactivated": "deactivations",
  "user.deleted": "deletions",
  "group.deleted": "deletions",
};

export interface ScimActivity {
  lastCallAt: string | null;
  since: string;
  counts: { creates: number; updates: number; deactivations: number; deletions: number; errors: number };
  latestErrors: (ScimErrorRow & { at: string })[];
}

export async function readScimActivity(
  db: Pick<Database, "prisma">,
  orgId: string,
  now: Date,
  errorLimit = 20,
): Promise<ScimActivity> {
  const since = new Date(now.getTime() - DAY_MS);
  const [lastUsed, actions, errors24h, latest] = await Promise.all([
    db.prisma.scimToken.aggregate({ where: { orgId }, _max: { lastUsedAt: true } }),
    db.prisma.$queryRaw<{ action: string; n: bigint }[]>(Prisma.sql`
      SELECT action, count(*) AS n FROM audit_events
      WHERE org_id = ${orgId}::uuid AND actor_type = 'scim_token' AND created_at >= ${since}
      GROUP BY action`),
    db.prisma.scimError.count({ where: { orgId, createdAt: { gte: since } } }),
    db.prisma.scimError.findMany({ where: { orgId }, orderBy: { createdAt: "desc" }, take: errorLimit }),
  ]);
  const counts = { creates: 0, updates: 0, deactivations: 0, deletions: 0, errors: errors24h };
  for (const { action, n } of actions) {
    const kind = KIND_OF_ACTION[action];
    if (kind) counts[kind] += Number(n);
  }
  return {
    lastCallAt: lastUsed._max.lastUsedAt?.toISOString() ?? null,
    since: since.toISOString(),
    counts,
    latestErrors: latest.map((e) => ({
      at: e.createdAt.toISOString(),
      status: e.status,
      scimType: e.scimType,
      detail: e.detail,
      method: e.method,
      path: e.path,
      requestId: e.requestId,
    })),
  };
}
