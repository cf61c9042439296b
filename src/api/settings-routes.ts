// GET|PATCH /api/v1/orgs/{org}/settings. Reading is open to every member of the org;
// changing needs users:write (an Admin's).
import { Router } from "express";
import { ctxOf, orgOf, requirePermission } from "../http/auth";
import { settingsPatch } from "../orgs/orgs-service";
import type { Services } from "../services";

export function settingsRoutes(services: Services): Router {
  const router = Router({ mergeParams: true });
  router.get("/settings", requirePermission("portal:read"), async (_req, res) => {
    res.json(await services.orgs.getSettings(orgOf(res).id));
  });
  router.patch("/settings", requirePermission("users:write"), async (req, res) => {
    res.json(await services.orgs.updateSettings(ctxOf(res), settingsPatch.parse(req.body ?? {})));
  });
  return router;
}
