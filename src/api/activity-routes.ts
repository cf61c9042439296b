// The portal's activity reads as admin API: GET /api/v1/orgs/{org}/sign-ins (sign-ins and
// refusals, ?result=succeeded|refused, cursor pages) and GET .../scim-activity (last call,
// 24-hour counts, latest error answers). Both are Admin reads (audit:read).
import { Router } from "express";
import { orgOf, requirePermission } from "../http/auth";
import type { Services } from "../services";
import { listSignInPage } from "../audit/sign-in-activity";
import { readScimActivity } from "../scim/activity/scim-activity";

export function activityRoutes(services: Services): Router {
  const router = Router({ mergeParams: true });
  const read = requirePermission("audit:read");

  router.get("/sign-ins", read, async (req, res) => {
    res.json(await listSignInPage(services.db.prisma, orgOf(res).id, req.query));
  });

  router.get("/scim-activity", read, async (_req, res) => {
    res.json(await readScimActivity(services.db, orgOf(res).id, services.clock()));
  });
  return router;
}
