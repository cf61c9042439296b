// GET /api/v1/orgs/{org}/audit-events: newest first, cursor pagination on the event sequence.
import { Router } from "express";
import { orgOf, requirePermission } from "../http/auth";
import { listAuditEvents } from "../audit/list-events";
import type { Services } from "../services";

export function auditRoutes(services: Services): Router {
  const router = Router({ mergeParams: true });
  router.get("/audit-events", requirePermission("audit:read"), async (req, res) => {
    res.json(await listAuditEvents(services.db.prisma, orgOf(res).id, req.query));
  });
  return router;
}
