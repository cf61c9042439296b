// The admin API under /api/v1. Each capability contributes a router;
// everything under /orgs/{org} is authenticated and scoped to that organization first.
import { Router } from "express";
import { authenticate, requireAuth, requireOrg } from "../http/auth";
import type { Services } from "../services";
import { meRoutes } from "./me-routes";
import { settingsRoutes } from "./settings-routes";
import { credentialsRoutes } from "./credentials-routes";
import { auditRoutes } from "./audit-routes";
import { mount } from "../http/mount";
import { ssoConnectionRoutes } from "./sso-connection-routes";
import { usersRoutes } from "./users-routes";
import { invitationsRoutes } from "./invitations-routes";
import { meWriteRoutes } from "./me-write-routes";
import { roleMappingsRoutes } from "./role-mappings-routes";
import { groupsRoutes } from "./groups-routes";
import { activityRoutes } from "./activity-routes";
import { openApiRoute } from "./openapi-route";
import { buildOpenApi } from "./openapi";
import { typedRouter } from "../http/typed-route";

export function createApiRouter(services: Services): Router {
  const api = Router();
  const docs = typedRouter();
  // Built once, on first request: the specs do not change while the process runs.
  let document: Record<string, unknown> | undefined;
  docs.add(openApiRoute, async () => (document ??= { ...buildOpenApi() }));
  api.use(docs.router);
  api.use(authenticate(services));
  api.use(meRoutes(services));
  api.use(meWriteRoutes(services));

  mount(
    api,
    "/orgs/:org",
    requireAuth,
    requireOrg(services.orgs),
    settingsRoutes(services),
    credentialsRoutes(services),
    auditRoutes(services),
    ssoConnectionRoutes(services),
    roleMappingsRoutes(services),
    groupsRoutes(services),
    usersRoutes(services),
    invitationsRoutes(services),
    activityRoutes(services),
  );
  return api;
}
