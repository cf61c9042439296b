// GET /api/v1/orgs/{org}/groups: the org's groups by name, with source, member count and the
// role the mapping gives their members; cursor pagination.
import { ctxOf } from "../http/auth";
import { defineRoute, typedRouter } from "../http/typed-route";
import { groupSchema } from "../roles/roles-schema";
import { pageQuery } from "../shared/pagination";
import type { Services } from "../services";
import { orgParams, pageOf } from "./schemas";

export const listGroupsRoute = defineRoute({
  method: "get",
  path: "/orgs/{org}/groups",
  summary: "The groups by name, with their source, member count and mapped role",
  tags: ["Roles"],
  permission: "users:read",
  params: orgParams,
  query: pageQuery,
  responses: { 200: pageOf(groupSchema) },
});

export const GROUPS_ROUTES = [listGroupsRoute];

export function groupsRoutes(services: Services) {
  const { router, add } = typedRouter("/orgs/{org}");
  add(listGroupsRoute, async ({ query, res }) => services.roles.listGroups(ctxOf(res), query));
  return router;
}
