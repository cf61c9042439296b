// GET and PATCH /api/v1/orgs/{org}/settings answer this (OrgSettings in orgs-service.ts).
import { z } from "zod";

export const orgSettingsSchema = z
  .object({
    slug: z.string(),
    name: z.string(),
    plan: z.enum(["free", "team", "enterprise"]),
    seatLimit: z
      .number()
      .int()
      .nullable()
      .describe("Active users and pending invitations allowed; null: no limit"),
    seatsUsed: z.number().int(),
    requireMfa: z.boolean(),
    invitationTtlHours: z.number().int(),
    ssoEnabled: z.boolean(),
  })
  .meta({ id: "OrgSettings" });
