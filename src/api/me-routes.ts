// GET /api/v1/me: who the caller is, in which organization, with which role and why, and
// what that role permits.
import { z } from "zod";
import { requireAuth, requireAuthOf } from "../http/auth";
import { defineRoute, typedRouter } from "../http/typed-route";
import { PERMISSIONS, permissionsOf } from "../roles/permissions";
import { roleSchema } from "../roles/roles-schema";
import { groupsOf, toUserDto, USER_GROUPS_INCLUDE } from "../users/present";
import { roleSourceSchema, userObjectSchema } from "../users/user-schema";
import type { Services } from "../services";

const organization = z.object({
  id: z.uuid(),
  slug: z.string(),
  name: z.string(),
  plan: z.enum(["free", "team", "enterprise"]),
});
const permissions = z.array(z.enum(PERMISSIONS));

const signedInUser = z
  .object({
    user: userObjectSchema,
    organization,
    role: roleSchema.nullable().describe("The role acted with (Admin for a break-glass session)"),
    roleSource: roleSourceSchema,
    permissions,
    breakGlass: z.literal(true).optional().describe("Signed in with a break-glass link"),
  })
  .meta({ id: "MeUser", description: "A signed-in user" });

const apiKeyCaller = z
  .object({
    user: z.null(),
    apiKey: z.object({ id: z.uuid(), name: z.string() }),
    organization,
    role: roleSchema,
    roleSource: z.null(),
    permissions,
  })
  .meta({ id: "MeApiKey", description: "An API key" });

export const getMeRoute = defineRoute({
  method: "get",
  path: "/me",
  summary: "Who the caller is: user or API key, organization, role and why, permissions",
  tags: ["Me"],
  responses: { 200: z.union([signedInUser, apiKeyCaller]) },
});

export const ME_ROUTES = [getMeRoute];

export function meRoutes(services: Services) {
  const { router, add } = typedRouter();

  add(getMeRoute, requireAuth, async ({ res }) => {
    const auth = requireAuthOf(res);
    // A session already carries its organization; only an API key needs it read.
    const org =
      auth.kind === "session"
        ? auth.org
        : await services.db.prisma.organization.findUniqueOrThrow({ where: { id: auth.orgId } });
    const organization = { id: org.id, slug: org.slug, name: org.name, plan: org.plan };
    if (auth.kind === "api_key") {
      return {
        user: null,
        apiKey: { id: auth.credentialId, name: auth.name },
        organization,
        role: auth.role,
        roleSource: null,
        permissions: permissionsOf(auth.role),
      };
    }
    const user = await services.db.prisma.user.findUniqueOrThrow({
      where: { id: auth.user.id },
      include: USER_GROUPS_INCLUDE,
    });
    const dto = toUserDto(user, groupsOf(user));
    // A break-glass session acts as Admin; the user's own role and its source stay visible.
    return {
      user: dto,
      organization,
      role: auth.role,
      roleSource: dto.roleSource,
      permissions: permissionsOf(auth.role),
      ...(auth.breakGlass ? { breakGlass: true as const } : {}),
    };
  });

  return router;
}
