// GET /api/v1/orgs/{org}/audit-events: newest first, cursor pages on the event sequence,
// filtered by actor, action, target user and time range. GET /api/v1/orgs/{org}/events: the
// downstream application's events in commit order (src/events/feed.ts). Both need audit:read:
// the audit log and the event history are the organization's record (CONTRACT section 2).
import { orgOf } from "../http/auth";
import { defineRoute, typedRouter } from "../http/typed-route";
import { auditQuery, listAuditEvents } from "../audit/list-events";
import { auditEventSchema } from "../audit/audit-schema";
import { feedPage, feedQuery, readFeed } from "../events/feed";
import type { Services } from "../services";
import { orgParams, pageOf } from "./schemas";

export const listAuditEventsRoute = defineRoute({
  method: "get",
  path: "/orgs/{org}/audit-events",
  summary: "The audit log, newest first; filter by actor, action, target user and time range [from, to)",
  tags: ["Audit"],
  permission: "audit:read",
  params: orgParams,
  query: auditQuery,
  responses: { 200: pageOf(auditEventSchema) },
});

export const eventsFeedRoute = defineRoute({
  method: "get",
  path: "/orgs/{org}/events",
  summary: "The events sent to webhooks, in commit order, after an event id (30 days kept)",
  description:
    "Poll with `after` set to the last `nextCursor`; an empty page means nothing new yet. No event committed later ever appears before a cursor already handed out.",
  tags: ["Events"],
  permission: "audit:read",
  params: orgParams,
  query: feedQuery,
  responses: { 200: feedPage },
  errors: { 410: "`after` names no event of the last 30 days: replay from the start of the feed" },
});

export const AUDIT_ROUTES = [listAuditEventsRoute, eventsFeedRoute];

export function auditRoutes(services: Services) {
  const { router, add } = typedRouter("/orgs/{org}");
  add(listAuditEventsRoute, async ({ query, res }) =>
    listAuditEvents(services.db.prisma, orgOf(res).id, query),
  );
  add(eventsFeedRoute, async ({ query, res }) => {
    const org = orgOf(res);
    return readFeed(services.db.read, { id: org.id, slug: org.slug }, query);
  });
  return router;
}
