// GET /api/v1/me: who the caller is, in which organization, with which role and why, and
// what that role permits.
import { Router } from "express";
import { requireAuth, requireAuthOf } from "../http/auth";
import { permissionsOf } from "../roles/permissions";
import { groupsOf, toUserDto, USER_GROUPS_INCLUDE } from "../users/present";
import type { Services } from "../services";

export function meRoutes(services: Services): Router {
  const router = Router();

  router.get("/me", requireAuth, async (_req, res) => {
    const auth = requireAuthOf(res);
    // A session already carries its organization; only an API key needs it read.
    const org =
      auth.kind === "session"
        ? auth.org
        : await services.db.prisma.organization.findUniqueOrThrow({ where: { id: auth.orgId } });
    const organization = { id: org.id, slug: org.slug, name: org.name, plan: org.plan };
    if (auth.kind === "api_key") {
      res.json({
        user: null,
        apiKey: { id: auth.credentialId, name: auth.name },
        organization,
        role: auth.role,
        roleSource: null,
        permissions: permissionsOf(auth.role),
      });
      return;
    }
    const user = await services.db.prisma.user.findUniqueOrThrow({
      where: { id: auth.user.id },
      include: USER_GROUPS_INCLUDE,
    });
    const dto = toUserDto(user, groupsOf(user));
    // A break-glass session acts as Admin; the user's own role and its source stay visible.
    res.json({
      user: dto,
      organization,
      role: auth.role,
      roleSource: dto.roleSource,
      permissions: permissionsOf(auth.role),
      ...(auth.breakGlass ? { breakGlass: true } : {}),
    });
  });

  return router;
}
