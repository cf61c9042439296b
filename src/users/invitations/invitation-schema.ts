// The admin API's invitation objects: a pending invitation as listed, and the answer to a create
// or resend (its id and, outside production only, the link that was mailed).
import { z } from "zod";
import { roleSchema } from "../../roles/roles-schema";

export const invitationSchema = z
  .object({
    id: z.uuid(),
    userId: z.uuid(),
    email: z.string(),
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
    role: roleSchema,
    status: z.enum(["pending", "expired"]),
    expiresAt: z.iso.datetime(),
    invitedBy: z.string().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: "Invitation" });

export const sentInvitationSchema = z
  .object({
    id: z.uuid(),
    userId: z.uuid(),
    email: z.string(),
    role: roleSchema,
    expiresAt: z.iso.datetime(),
    invitationUrl: z.string().optional().describe("The link that was mailed; outside production only"),
  })
  .meta({ id: "SentInvitation" });
