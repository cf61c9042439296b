// The audit log of one organization, newest first, in cursor pages on the event sequence;
// optionally only one action, one actor or the events about one target (a user's trail).
// The admin API and the portal read it through this one function.
import { z } from "zod";
import type { Db } from "../db/client";
import { decodeCursor, page, pageQuery } from "../shared/pagination";

export const auditQuery = pageQuery.extend({
  action: z.string().trim().max(100).optional(),
  /** An actor's id or name (an Admin's email, a token's name), exactly. */
  actor: z.string().trim().max(254).optional(),
  targetId: z.string().trim().max(100).optional(),
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
  query: unknown,
): Promise<{ data: AuditEventView[]; nextCursor: string | null }> {
  const q = auditQuery.parse(query);
  const after = decodeCursor(q.cursor, seqCursor);
  const rows = await db.auditEvent.findMany({
    where: {
      orgId,
      ...(q.action ? { action: q.action } : {}),
      ...(q.actor ? { OR: [{ actorName: q.actor }, { actorId: q.actor }] } : {}),
      ...(q.targetId ? { targetId: q.targetId } : {}),
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
