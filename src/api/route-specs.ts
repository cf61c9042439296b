// Every route of the admin API, for the OpenAPI document. A test holds this list equal to the
// routes the app serves, so a route cannot be added without being described.
import type { RouteSpec } from "../http/typed-route";
import { openApiRoute } from "./openapi-route";
import { ME_ROUTES } from "./me-routes";
import { ME_WRITE_ROUTES } from "./me-write-routes";
import { SETTINGS_ROUTES } from "./settings-routes";
import { CREDENTIALS_ROUTES } from "./credentials-routes";
import { AUDIT_ROUTES } from "./audit-routes";
import { SSO_CONNECTION_ROUTES } from "./sso-connection-routes";
import { ROLE_MAPPINGS_ROUTES } from "./role-mappings-routes";
import { GROUPS_ROUTES } from "./groups-routes";
import { USERS_ROUTES } from "./users-routes";
import { INVITATIONS_ROUTES } from "./invitations-routes";
import { ACTIVITY_ROUTES } from "./activity-routes";

export const API_ROUTE_SPECS: readonly RouteSpec[] = [
  openApiRoute,
  ...ME_ROUTES,
  ...ME_WRITE_ROUTES,
  ...SETTINGS_ROUTES,
  ...CREDENTIALS_ROUTES,
  ...AUDIT_ROUTES,
  ...SSO_CONNECTION_ROUTES,
  ...ROLE_MAPPINGS_ROUTES,
  ...GROUPS_ROUTES,
  ...USERS_ROUTES,
  ...INVITATIONS_ROUTES,
  ...ACTIVITY_ROUTES,
];
