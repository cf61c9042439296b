// PATCH /api/v1/me (own names and avatar) and POST /api/v1/me/password, for a signed-in user
// (an API key has no profile). Both sit behind the SSO guard: while SSO is on, the profile
// comes from the IdP and there is no local password to change.
import { Router, type Response } from "express";
import { ctxOf, requireAuth, requireAuthOf } from "../http/auth";
import { AppError } from "../shared/errors";
import { requireSsoOff } from "../http/require-sso-off";
import type { Services } from "../services";

function sessionUser(res: Response) {
  const auth = requireAuthOf(res);
  if (auth.kind !== "session")
    throw new AppError("forbidden", "an API key has no profile: sign in as a user");
  return auth;
}

export function meWriteRoutes(services: Services): Router {
  const router = Router();
  const guard = requireSsoOff(services.db.prisma);

  router.patch("/me", requireAuth, guard, async (req, res) => {
    const auth = sessionUser(res);
    res.json(await services.users.updateProfile(ctxOf(res), auth.user.id, req.body ?? {}));
  });
  router.post("/me/password", requireAuth, guard, async (req, res) => {
    const auth = sessionUser(res);
    await services.auth.changePassword(
      ctxOf(res),
      { userId: auth.user.id, sessionId: auth.sessionId },
      req.body ?? {},
    );
    res.status(204).end();
  });
  return router;
}
