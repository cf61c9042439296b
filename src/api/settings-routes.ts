// GET|PATCH /api/v1/orgs/{org}/settings. Reading is open to every member of the org;
// changing needs users:write (an Admin's).
import { ctxOf, orgOf } from "../http/auth";
import { defineRoute, typedRouter } from "../http/typed-route";
import { settingsPatch } from "../orgs/orgs-service";
import { orgSettingsSchema } from "../orgs/settings-schema";
import type { Services } from "../services";
import { orgParams } from "./schemas";

const tags = ["Settings"];

export const getSettingsRoute = defineRoute({
  method: "get",
  path: "/orgs/{org}/settings",
  summary: "The organization's settings, plan and seats",
  tags,
  permission: "portal:read",
  params: orgParams,
  responses: { 200: orgSettingsSchema },
});

export const updateSettingsRoute = defineRoute({
  method: "patch",
  path: "/orgs/{org}/settings",
  summary: "Change the organization's name, MFA requirement or invitation lifetime",
  tags,
  permission: "users:write",
  params: orgParams,
  body: settingsPatch,
  responses: { 200: orgSettingsSchema },
});

export const SETTINGS_ROUTES = [getSettingsRoute, updateSettingsRoute];

export function settingsRoutes(services: Services) {
  const { router, add } = typedRouter("/orgs/{org}");
  add(getSettingsRoute, async ({ res }) => services.orgs.getSettings(orgOf(res).id));
  add(updateSettingsRoute, async ({ body, res }) => services.orgs.updateSettings(ctxOf(res), body));
  return router;
}
