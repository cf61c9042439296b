// The audit log's and the sign-in activity's entries as the admin API answers them.
import { z } from "zod";
import { AUDIT_ACTION_NAMES } from "../events";

const datetime = z.iso.datetime();

export const auditEventSchema = z
  .object({
    id: z.uuid(),
    actorType: z.string().describe("user, api_key, scim_token, system, cli or idp"),
    actorId: z.string().nullable(),
    actorName: z.string().nullable(),
    action: z.string().describe(`What happened: one of ${AUDIT_ACTION_NAMES.join(", ")}`),
    targetType: z.string().nullable(),
    targetId: z.string().nullable(),
    data: z.unknown().describe("The action's details (never a secret)"),
    requestId: z.string().nullable(),
    createdAt: datetime,
  })
  .meta({ id: "AuditEvent" });

export const signInEntrySchema = z
  .object({
    id: z.uuid(),
    at: datetime,
    result: z.enum(["succeeded", "refused"]),
    method: z.enum(["saml", "oidc", "password", "break-glass"]),
    userId: z.string().nullable(),
    who: z.string().nullable().describe("The email, else the NameID or subject the IdP sent"),
    subject: z.string().nullable(),
    reason: z.string().nullable().describe("Why a sign-in was refused"),
    requestId: z.string().nullable(),
  })
  .meta({ id: "SignIn" });
