// /api/v1/orgs/{org}/role-mappings: GET (users:read), PUT and POST .../preview (mappings:write).
// PUT answers {changed, byRole}; ?force=true accepts a rule set that leaves no active Admin.
import { Router } from "express";
import { ctxOf, requirePermission } from "../http/auth";
import { forceQuery, roleMappingsInput } from "../roles/mappings-input";
import type { Services } from "../services";

export function roleMappingsRoutes(services: Services): Router {
  const router = Router({ mergeParams: true });
  router.get("/role-mappings", requirePermission("users:read"), async (_req, res) => {
    res.json(await services.roles.getMappings(ctxOf(res)));
  });
  router.put("/role-mappings", requirePermission("mappings:write"), async (req, res) => {
    const input = roleMappingsInput.parse(req.body ?? {});
    const { force } = forceQuery.parse(req.query);
    res.json(await services.roles.putMappings(ctxOf(res), input, { force: force === "true" }));
  });
  router.post("/role-mappings/preview", requirePermission("mappings:write"), async (req, res) => {
    res.json(await services.roles.previewMappings(ctxOf(res), roleMappingsInput.parse(req.body ?? {})));
  });
  return router;
}
