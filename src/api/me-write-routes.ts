// PATCH /api/v1/me (own names and avatar) and POST /api/v1/me/password, for a signed-in user
// (an API key has no profile). Both sit behind the SSO guard: while SSO is on, the profile
// comes from the IdP and there is no local password to change.
import type { RequestHandler, Response } from "express";
import { ctxOf, requireAuth, requireAuthOf } from "../http/auth";
import { defineRoute, typedRouter } from "../http/typed-route";
import { AppError } from "../shared/errors";
import { requireSsoOff } from "../http/require-sso-off";
import { profilePatch } from "../users/update-user";
import { userObjectSchema } from "../users/user-schema";
import { changePasswordBody } from "../auth/change-password";
import type { Services } from "../services";

const tags = ["Me"];
const NO_PROFILE = "The caller is an API key, which has no profile";

function sessionUser(res: Response) {
  const auth = requireAuthOf(res);
  if (auth.kind !== "session")
    throw new AppError("forbidden", "an API key has no profile: sign in as a user");
  return auth;
}

/** Before the body is read: an API key is refused whatever it sends. */
const sessionOnly: RequestHandler = (_req, res, next) => {
  sessionUser(res);
  next();
};

export const updateMeRoute = defineRoute({
  method: "patch",
  path: "/me",
  summary: "Change your own names and avatar (refused while SSO is on)",
  tags,
  body: profilePatch,
  responses: { 200: userObjectSchema },
  errors: { 403: NO_PROFILE, 409: "SSO is on (sso_enforced): the profile comes from the identity provider" },
});

export const changePasswordRoute = defineRoute({
  method: "post",
  path: "/me/password",
  summary: "Change your own password; your other sessions end (refused while SSO is on)",
  tags,
  body: changePasswordBody,
  responses: { 204: null },
  errors: {
    403: NO_PROFILE,
    409: "SSO is on (sso_enforced), or the account signs in through the identity provider only",
    429: "Too many wrong passwords for this account; try again later",
  },
});

export const ME_WRITE_ROUTES = [updateMeRoute, changePasswordRoute];

export function meWriteRoutes(services: Services) {
  const { router, add } = typedRouter();
  const guard = requireSsoOff(services.db.prisma);

  add(updateMeRoute, requireAuth, guard, sessionOnly, async ({ body, res }) => {
    const auth = sessionUser(res);
    return services.users.updateProfile(ctxOf(res), auth.user.id, body);
  });
  add(changePasswordRoute, requireAuth, guard, sessionOnly, async ({ body, res }) => {
    const auth = sessionUser(res);
    await services.auth.changePassword(ctxOf(res), { userId: auth.user.id, sessionId: auth.sessionId }, body);
  });
  return router;
}
