// The portal's activity reads as admin API: GET /api/v1/orgs/{org}/sign-ins (sign-ins and
// refusals, ?result=succeeded|refused, cursor pages) and GET .../scim-activity (last call,
// 24-hour counts, latest error answers). Both are Admin reads (audit:read).
import { Router } from "express";
import { z } from "zod";
import { orgOf, requirePermission } from "../http/auth";
import type { Services } from "../services";
import { listSignIns } from "../audit/sign-in-activity";
import { readScimActivity } from "../scim/activity/scim-activity";
import { decodeCursor, page, pageQuery } from "./pagination";

const cursorSchema = z.object({ seq: z.string().regex(/^\d+$/) });
const signInsQuery = pageQuery.extend({ result: z.enum(["succeeded", "refused"]).optional() });

export function activityRoutes(services: Services): Router {
  const router = Router({ mergeParams: true });
  const read = requirePermission("audit:read");

  router.get("/sign-ins", read, async (req, res) => {
    const q = signInsQuery.parse(req.query);
    const after = decodeCursor(q.cursor, cursorSchema);
    const { rows } = await listSignIns(services.db.prisma, orgOf(res).id, {
      result: q.result,
      beforeSeq: after ? BigInt(after.seq) : undefined,
      limit: q.limit + 1,
    });
    const result = page(rows, q.limit, (r) => ({ seq: r.seq.toString() }));
    res.json({ data: result.data.map(({ seq: _seq, ...r }) => r), nextCursor: result.nextCursor });
  });

  router.get("/scim-activity", read, async (_req, res) => {
    res.json(await readScimActivity(services.db, orgOf(res).id, services.clock()));
  });
  return router;
}
