// Every route of the admin API, for the OpenAPI document. A test holds this list equal to the
// routes the app serves, so a route cannot be added without being described.
import type { RouteSpec } from "../http/typed-route";
import { USERS_ROUTES } from "./users-routes";

export const API_ROUTE_SPECS: readonly RouteSpec[] = [...USERS_ROUTES];
