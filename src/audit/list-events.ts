// The audit log of one organization, newest first, in cursor pages on the event sequence;
// optionally only one action, one actor, the events about one target (a user's trail) and a
// time range [from, to). Rows are append-only (migration events_feed_order).
// The admin API and the portal read it through this one function.
import { z } from "zod";
import type { Db } from "../db/client";
import { decodeCursor, page, pageQuery } from "../shared/pagination";

export const auditQuery = pageQuery.extend({
  action: z.string().trim().max(100).optional(),
  /** An actor's id or name (an Admin's email, a token's name), exactly. */
  actor: z.string().trim().max(254).optional(),
  targetId: z.string().trim().max(100).optional(),
  /** The events about one user (targetType user). */
  targetUser: z.string().trim().max(100).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});

// seq is a bigint column: a larger number would be a database error, not an empty page.
const MAX_SEQ = 9223372036854775807n;
/** A cursor on the audit sequence (the audit log, the sign-in activity read from it). */
export const seqCursor = z.object({
  seq: z
    .string()
    .regex(/^\d{1,19}$/)
    .refine((s) => BigInt(s) <= MAX_SEQ),
});

export interface AuditEventView {
  id: string;
  actorType: string;
  actorId: string | null;
  actorName: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  data: unknown;
  requestId: string | null;
  createdAt: string;
}

export async function listAuditEvents(
  db: Db,
  orgId: string,
  q: z.output<typeof auditQuery>,
): Promise<{ data: AuditEventView[]; nextCursor: string | null }> {
  const after = decodeCursor(q.cursor, seqCursor);
  const rows = await db.auditEvent.findMany({
    where: {
      orgId,
      ...(q.action ? { action: q.action } : {}),
      ...(q.actor ? { OR: [{ actorName: q.actor }, { actorId: q.actor }] } : {}),
      ...(q.targetId ? { targetId: q.targetId } : {}),
      ...(q.targetUser ? { targetType: "user", targetId: q.targetUser } : {}),
      ...(q.from || q.to
        ? {
            createdAt: {
              ...(q.from ? { gte: new Date(q.from) } : {}),
              ...(q.to ? { lt: new Date(q.to) } : {}),
            },
          }
        : {}),
      ...(after ? { seq: { lt: BigInt(after.seq) } } : {}),
    },
    orderBy: { seq: "desc" },
    take: q.limit + 1,
  });
  const result = page(rows, q.limit, (r) => ({ seq: r.seq.toString() }));
  return {
    data: result.data.map(({ seq: _seq, orgId: _orgId, ...e }) => ({
      ...e,
      createdAt: e.createdAt.toISOString(),
    })),
    nextCursor: result.nextCursor,
  };
}
