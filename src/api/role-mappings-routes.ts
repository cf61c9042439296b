// /api/v1/orgs/{org}/role-mappings: GET (users:read), PUT and POST .../preview (mappings:write).
// PUT answers {changed, byRole}; ?force=true accepts a rule set that leaves no active Admin.
import { ctxOf } from "../http/auth";
import { defineRoute, typedRouter } from "../http/typed-route";
import { forceQuery, roleMappingsInput } from "../roles/mappings-input";
import { mappingsPreviewSchema, roleChangesSchema } from "../roles/roles-schema";
import type { Services } from "../services";
import { orgParams } from "./schemas";

const tags = ["Roles"];

export const getMappingsRoute = defineRoute({
  method: "get",
  path: "/orgs/{org}/role-mappings",
  summary: "The rules mapping IdP groups to roles, in order, and the default role",
  tags,
  permission: "users:read",
  params: orgParams,
  responses: { 200: roleMappingsInput },
});

export const putMappingsRoute = defineRoute({
  method: "put",
  path: "/orgs/{org}/role-mappings",
  summary: "Replace the rules and the default role; every user's role is recomputed",
  tags,
  permission: "mappings:write",
  params: orgParams,
  query: forceQuery,
  body: roleMappingsInput,
  responses: { 200: roleChangesSchema },
  errors: {
    409: "SSO is on and the rules leave no active Admin (would_remove_last_admin); repeat with ?force=true",
  },
});

export const previewMappingsRoute = defineRoute({
  method: "post",
  path: "/orgs/{org}/role-mappings/preview",
  summary: "What a rule set would change, changing nothing",
  tags,
  permission: "mappings:write",
  params: orgParams,
  body: roleMappingsInput,
  responses: { 200: mappingsPreviewSchema },
});

export const ROLE_MAPPINGS_ROUTES = [getMappingsRoute, putMappingsRoute, previewMappingsRoute];

export function roleMappingsRoutes(services: Services) {
  const { router, add } = typedRouter("/orgs/{org}");
  add(getMappingsRoute, async ({ res }) => services.roles.getMappings(ctxOf(res)));
  add(putMappingsRoute, async ({ query, body, res }) =>
    services.roles.putMappings(ctxOf(res), body, { force: query.force === "true" }),
  );
  add(previewMappingsRoute, async ({ body, res }) => services.roles.previewMappings(ctxOf(res), body));
  return router;
}
