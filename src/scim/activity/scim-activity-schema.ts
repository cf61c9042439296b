// GET /api/v1/orgs/{org}/scim-activity answers this (ScimActivity in scim-activity.ts).
import { z } from "zod";

const count = z.number().int();

export const scimActivitySchema = z
  .object({
    lastCallAt: z.iso.datetime().nullable().describe("When the IdP's SCIM client last called"),
    since: z.iso.datetime().describe("The start of the 24 hours counted"),
    counts: z.object({
      creates: count,
      updates: count,
      deactivations: count,
      deletions: count,
      errors: count,
    }),
    latestErrors: z.array(
      z.object({
        at: z.iso.datetime(),
        status: z.number().int(),
        scimType: z.string().nullable(),
        detail: z.string(),
        method: z.string(),
        path: z.string(),
        requestId: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: "ScimActivity" });
