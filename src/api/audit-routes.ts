// GET /api/v1/orgs/{org}/audit-events: newest first, cursor pagination on the event sequence.
import { orgOf } from "../http/auth";
import { defineRoute, typedRouter } from "../http/typed-route";
import { auditQuery, listAuditEvents } from "../audit/list-events";
import { auditEventSchema } from "../audit/audit-schema";
import type { Services } from "../services";
import { orgParams, pageOf } from "./schemas";

export const listAuditEventsRoute = defineRoute({
  method: "get",
  path: "/orgs/{org}/audit-events",
  summary: "The audit log, newest first; optionally one action, one actor or one target's events",
  tags: ["Audit"],
  permission: "audit:read",
  params: orgParams,
  query: auditQuery,
  responses: { 200: pageOf(auditEventSchema) },
});

export const AUDIT_ROUTES = [listAuditEventsRoute];

export function auditRoutes(services: Services) {
  const { router, add } = typedRouter("/orgs/{org}");
  add(listAuditEventsRoute, async ({ query, res }) =>
    listAuditEvents(services.db.prisma, orgOf(res).id, query),
  );
  return router;
}
