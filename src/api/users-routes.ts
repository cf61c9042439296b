// /api/v1/orgs/{org}/users: list and detail (users:read), and the manual writes (users:write),
// each behind the one SSO guard: while SSO is on they answer 409 sso_enforced.
import { z } from "zod";
import { ctxOf, orgOf } from "../http/auth";
import { defineRoute, typedRouter } from "../http/typed-route";
import { requireSsoOff } from "../http/require-sso-off";
import { LIFECYCLE_ACTIONS } from "../users/lifecycle";
import { listUsersQuery } from "../users/list-users";
import { userPatch } from "../users/update-user";
import { deleteBody } from "../users/delete-user";
import { userObjectSchema } from "../users/user-schema";
import { pageOf, orgParams } from "./schemas";
import type { Services } from "../services";

const userParams = orgParams.extend({ id: z.uuid({ error: "is not a user id" }) });
const tags = ["Users"];
const NO_USER = "No such user in this organization";
const SSO_ON = "SSO is on (sso_enforced): users are managed by the identity provider";

export const listUsersRoute = defineRoute({
  method: "get",
  path: "/orgs/{org}/users",
  summary: "List the organization's users, oldest first",
  tags,
  permission: "users:read",
  params: orgParams,
  query: listUsersQuery,
  responses: { 200: pageOf(userObjectSchema) },
});

export const getUserRoute = defineRoute({
  method: "get",
  path: "/orgs/{org}/users/{id}",
  summary: "One user, with their role and why",
  tags,
  permission: "users:read",
  params: userParams,
  responses: { 200: userObjectSchema },
  errors: { 404: NO_USER },
});

export const updateUserRoute = defineRoute({
  method: "patch",
  path: "/orgs/{org}/users/{id}",
  summary: "Change a user's names, avatar or role by hand (refused while SSO is on)",
  tags,
  permission: "users:write",
  params: userParams,
  body: userPatch,
  responses: { 200: userObjectSchema },
  errors: {
    404: NO_USER,
    409: `${SSO_ON}; or the last active Admin would be demoted (last_admin); or the role comes from the IdP`,
  },
});

export const deleteUserRoute = defineRoute({
  method: "delete",
  path: "/orgs/{org}/users/{id}",
  summary: "Delete a user for good; the body confirms with the user's email",
  tags,
  permission: "users:write",
  params: userParams,
  body: deleteBody,
  responses: { 204: null },
  errors: { 404: NO_USER, 409: `${SSO_ON}; or the user is the last active Admin (last_admin)` },
});

export const lifecycleRoutes = LIFECYCLE_ACTIONS.map((action) => ({
  action,
  spec: defineRoute({
    method: "post",
    path: `/orgs/{org}/users/{id}/${action}`,
    summary: `${action} a user (refused while SSO is on)`,
    tags,
    permission: "users:write",
    params: userParams,
    responses: { 200: userObjectSchema },
    errors: { 404: NO_USER, 409: `${SSO_ON}; or the change would remove the last active Admin (last_admin)` },
  }),
}));

export const USERS_ROUTES = [
  listUsersRoute,
  getUserRoute,
  updateUserRoute,
  deleteUserRoute,
  ...lifecycleRoutes.map((r) => r.spec),
];

export function usersRoutes(services: Services) {
  const { router, add } = typedRouter("/orgs/{org}");
  const ssoOff = requireSsoOff(services.db.prisma);

  add(listUsersRoute, async ({ query, res }) => services.users.list(orgOf(res).id, query));
  add(getUserRoute, async ({ params, res }) => services.users.get(orgOf(res).id, params.id));
  add(updateUserRoute, ssoOff, async ({ params, body, res }) =>
    services.users.update(ctxOf(res), params.id, body),
  );
  add(deleteUserRoute, ssoOff, async ({ params, body, res }) => {
    await services.users.delete(ctxOf(res), params.id, body);
  });
  for (const { action, spec } of lifecycleRoutes) {
    add(spec, ssoOff, async ({ params, res }) => services.users.act(ctxOf(res), params.id, action));
  }
  return router;
}
