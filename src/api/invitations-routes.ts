// /api/v1/orgs/{org}/invitations: list (users:read); create, resend and rescind (users:write,
// behind the SSO guard). Create and resend answer each invitation's id and, outside
// production, its invitationUrl.
import { Router } from "express";
import { z } from "zod";
import { ctxOf, orgOf, requirePermission } from "../http/auth";
import { requireSsoOff } from "../http/require-sso-off";
import type { Services } from "../services";

const idParam = z.uuid({ error: "is not an invitation id" });

export function invitationsRoutes(services: Services): Router {
  const router = Router({ mergeParams: true });
  const write = [requirePermission("users:write"), requireSsoOff(services.db.prisma)];

  router.get("/invitations", requirePermission("users:read"), async (req, res) => {
    res.json(await services.users.listInvitations(orgOf(res).id, req.query));
  });
  router.post("/invitations", ...write, async (req, res) => {
    res.status(201).json(await services.users.invite(ctxOf(res), req.body ?? {}));
  });
  router.post("/invitations/:id/resend", ...write, async (req, res) => {
    res.json(await services.users.resendInvitation(ctxOf(res), idParam.parse(req.params.id)));
  });
  router.delete("/invitations/:id", ...write, async (req, res) => {
    await services.users.rescindInvitation(ctxOf(res), idParam.parse(req.params.id));
    res.status(204).end();
  });
  return router;
}
