// /api/v1/orgs/{org}/users: list and detail (users:read), and the manual writes (users:write),
// each behind the one SSO guard: while SSO is on they answer 409 sso_enforced.
import { Router } from "express";
import { z } from "zod";
import { ctxOf, orgOf, requirePermission } from "../http/auth";
import { requireSsoOff } from "../http/require-sso-off";
import { LIFECYCLE_ACTIONS } from "../users/lifecycle";
import type { Services } from "../services";

const idParam = z.uuid({ error: "is not a user id" });

export function usersRoutes(services: Services): Router {
  const router = Router({ mergeParams: true });
  const read = requirePermission("users:read");
  const write = [requirePermission("users:write"), requireSsoOff(services.db.prisma)];

  router.get("/users", read, async (req, res) => {
    res.json(await services.users.list(orgOf(res).id, req.query));
  });
  router.get("/users/:id", read, async (req, res) => {
    res.json(await services.users.get(orgOf(res).id, idParam.parse(req.params.id)));
  });
  router.patch("/users/:id", ...write, async (req, res) => {
    res.json(await services.users.update(ctxOf(res), idParam.parse(req.params.id), req.body ?? {}));
  });
  router.delete("/users/:id", ...write, async (req, res) => {
    await services.users.delete(ctxOf(res), idParam.parse(req.params.id), req.body ?? {});
    res.status(204).end();
  });
  for (const action of LIFECYCLE_ACTIONS) {
    router.post(`/users/:id/${action}`, ...write, async (req, res) => {
      res.json(await services.users.act(ctxOf(res), idParam.parse(req.params.id), action));
    });
  }
  return router;
}
