// GET /api/v1/orgs/{org}/audit-events: newest first, cursor pagination on the event sequence.
import { Router } from "express";
import { z } from "zod";
import { orgOf, requirePermission } from "../http/auth";
import { decodeCursor, page, pageQuery } from "./pagination";
import type { Services } from "../services";

// seq is a bigint column: a larger number would be a database error, not an empty page.
const MAX_SEQ = 9223372036854775807n;
const cursorSchema = z.object({
  seq: z
    .string()
    .regex(/^\d{1,19}$/)
    .refine((s) => BigInt(s) <= MAX_SEQ),
});

export function auditRoutes(services: Services): Router {
  const router = Router({ mergeParams: true });
  router.get("/audit-events", requirePermission("audit:read"), async (req, res) => {
    const q = pageQuery.extend({ action: z.string().max(100).optional() }).parse(req.query);
    const after = decodeCursor(q.cursor, cursorSchema);
    const rows = await services.db.prisma.auditEvent.findMany({
      where: {
        orgId: orgOf(res).id,
        ...(q.action ? { action: q.action } : {}),
        ...(after ? { seq: { lt: BigInt(after.seq) } } : {}),
      },
      orderBy: { seq: "desc" },
      take: q.limit + 1,
    });
    const result = page(rows, q.limit, (r) => ({ seq: r.seq.toString() }));
    res.json({
      data: result.data.map(({ seq: _seq, orgId: _orgId, ...e }) => ({
        ...e,
        createdAt: e.createdAt.toISOString(),
      })),
      nextCursor: result.nextCursor,
    });
  });
  return router;
}
