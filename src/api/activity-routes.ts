// The portal's activity reads as admin API: GET /api/v1/orgs/{org}/sign-ins (sign-ins and
// refusals, ?result=succeeded|refused, cursor pages) and GET .../scim-activity (last call,
// 24-hour counts, latest error answers). Both are Admin reads (audit:read).
import { orgOf } from "../http/auth";
import { defineRoute, typedRouter } from "../http/typed-route";
import type { Services } from "../services";
import { listSignInPage, signInsQuery } from "../audit/sign-in-activity";
import { signInEntrySchema } from "../audit/audit-schema";
import { readScimActivity } from "../scim/activity/scim-activity";
import { scimActivitySchema } from "../scim/activity/scim-activity-schema";
import { orgParams, pageOf } from "./schemas";

const tags = ["Activity"];

export const listSignInsRoute = defineRoute({
  method: "get",
  path: "/orgs/{org}/sign-ins",
  summary: "SSO and password sign-ins and refusals, newest first",
  tags,
  permission: "audit:read",
  params: orgParams,
  query: signInsQuery,
  responses: { 200: pageOf(signInEntrySchema) },
});

export const scimActivityRoute = defineRoute({
  method: "get",
  path: "/orgs/{org}/scim-activity",
  summary: "Provisioning at a glance: the last SCIM call, the last 24 hours' changes, the latest errors",
  tags,
  permission: "audit:read",
  params: orgParams,
  responses: { 200: scimActivitySchema },
});

export const ACTIVITY_ROUTES = [listSignInsRoute, scimActivityRoute];

export function activityRoutes(services: Services) {
  const { router, add } = typedRouter("/orgs/{org}");
  add(listSignInsRoute, async ({ query, res }) => listSignInPage(services.db.prisma, orgOf(res).id, query));
  add(scimActivityRoute, async ({ res }) => readScimActivity(services.db, orgOf(res).id, services.clock()));
  return router;
}
