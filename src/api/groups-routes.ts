// GET /api/v1/orgs/{org}/groups: the org's groups by name, with source, member count and the
// role the mapping gives their members; cursor pagination.
import { Router } from "express";
import { ctxOf, requirePermission } from "../http/auth";
import { pageQuery } from "../shared/pagination";
import type { Services } from "../services";

export function groupsRoutes(services: Services): Router {
  const router = Router({ mergeParams: true });
  router.get("/groups", requirePermission("users:read"), async (req, res) => {
    res.json(await services.roles.listGroups(ctxOf(res), pageQuery.parse(req.query)));
  });
  return router;
}
