// Organizations: creation (CLI), lookup by slug, and the settings an Admin may change.
import { z } from "zod";
import type { Database } from "../db/client";
import type { Organization } from "../generated/prisma/client";
import { AppError, isUniqueViolation } from "../shared/errors";
import type { Ctx } from "../shared/context";
import { emit } from "../events";
import { seatLimitOf } from "./plans";
import type { orgSettingsSchema } from "./settings-schema";

export const slugSchema = z.string().regex(/^[a-z0-9-]{2,63}$/, "must be 2-63 characters of a-z, 0-9 and -");

export const createOrgInput = z.object({
  slug: slugSchema,
  name: z.string().trim().min(1, "is required").max(200),
  plan: z.enum(["free", "team", "enterprise"]).default("free"),
});

export const settingsPatch = z
  .object({
    name: z.string().trim().min(1).max(200),
    requireMfa: z.boolean(),
    invitationTtlHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 30),
  })
  .partial()
  .strict();

export type OrgSettings = z.infer<typeof orgSettingsSchema>;

export function createOrgsService({ db }: { db: Pick<Database, "prisma"> }) {
  const prisma = db.prisma;

  async function settingsOf(org: Organization): Promise<OrgSettings> {
    const [seatsUsed, sso] = await Promise.all([
      prisma.user.count({ where: { orgId: org.id } }),
      prisma.ssoConnection.findUnique({ where: { orgId: org.id }, select: { enabled: true } }),
    ]);
    return {
      slug: org.slug,
      name: org.name,
      plan: org.plan,
      seatLimit: seatLimitOf(org),
      seatsUsed,
      requireMfa: org.requireMfa,
      invitationTtlHours: org.invitationTtlHours,
      ssoEnabled: sso?.enabled ?? false,
    };
  }

  return {
    async createOrg(data: z.output<typeof createOrgInput>, actorName = "sso-bridge CLI") {
      try {
        return await prisma.$transaction(async (tx) => {
          const org = await tx.organization.create({ data });
          await emit(
            tx,
            { orgId: org.id, actor: { type: "cli", name: actorName } },
            {
              action: "org.created",
              targetId: org.id,
              data: { slug: org.slug, plan: org.plan },
            },
          );
          return org;
        });
      } catch (e) {
        if (isUniqueViolation(e))
          throw new AppError("conflict", `an organization with slug "${data.slug}" already exists`);
        throw e;
      }
    },

    /** Every organization, oldest first (the CLI's `org list`). */
    listOrgs: () => prisma.organization.findMany({ orderBy: [{ createdAt: "asc" }, { id: "asc" }] }),

    findBySlug: (slug: string) => prisma.organization.findUnique({ where: { slug } }),

    async getBySlug(slug: string): Promise<Organization> {
      const org = await prisma.organization.findUnique({ where: { slug } });
      if (!org) throw new AppError("not_found", `no organization "${slug}"`);
      return org;
    },

    async getSettings(orgId: string): Promise<OrgSettings> {
      return settingsOf(await prisma.organization.findUniqueOrThrow({ where: { id: orgId } }));
    },

    async updateSettings(ctx: Ctx, patch: z.infer<typeof settingsPatch>): Promise<OrgSettings> {
      const org = await prisma.$transaction(async (tx) => {
        const updated = await tx.organization.update({ where: { id: ctx.orgId }, data: patch });
        await emit(tx, ctx, {
          action: "org.settings_updated",
          targetId: ctx.orgId,
          data: patch,
        });
        return updated;
      });
      return settingsOf(org);
    },
  };
}

export type OrgsService = ReturnType<typeof createOrgsService>;
