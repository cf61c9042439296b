// What the webhook routes take and answer (contract section 8), as zod schemas shared by the
// service, the routes and the OpenAPI document.
import { z } from "zod";
import { OUTBOX_TYPES } from "../events/outbox-types";

/** The event types an endpoint may subscribe to: the catalogue's (contract section 8). */
const WEBHOOK_EVENT_TYPES = OUTBOX_TYPES;

const eventsList = z
  .array(
    z.enum([...WEBHOOK_EVENT_TYPES, "*"], { error: `must be one of ${WEBHOOK_EVENT_TYPES.join(", ")} or *` }),
  )
  .min(1, "must name at least one event type, or *")
  .max(WEBHOOK_EVENT_TYPES.length)
  .transform((events) => (events.includes("*") ? ["*"] : [...new Set(events)]));

const url = z.string().trim().min(1).max(2000);
const description = z.string().trim().max(500);

export const createWebhookBody = z.strictObject({
  url,
  events: eventsList,
  description: description.optional(),
});

export const updateWebhookBody = z
  .strictObject({
    url: url.optional(),
    events: eventsList.optional(),
    description: description.nullable().optional(),
    enabled: z.boolean().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, {
    message: "must change at least one of url, events, description, enabled",
  });

export type CreateWebhookInput = z.output<typeof createWebhookBody>;
export type UpdateWebhookInput = z.output<typeof updateWebhookBody>;

export const webhookSchema = z.object({
  id: z.uuid(),
  url: z.string(),
  description: z.string().nullable(),
  events: z.array(z.string()),
  enabled: z.boolean(),
  disabledReason: z
    .enum(["gone", "failing"])
    .nullable()
    .describe(
      "Why the bridge disabled it: gone (the receiver answered 410) or failing (no success for 24 h)",
    ),
  createdAt: z.iso.datetime({ offset: true }),
});

export const webhookWithSecretSchema = webhookSchema.extend({
  secret: z.string().describe("The whsec_… signing secret, shown only in this answer"),
  previousSecretExpiresAt: z.iso
    .datetime({ offset: true })
    .nullable()
    .describe("Until then the previous secret signs too (a second signature in webhook-signature)"),
});

export const attemptSchema = z.object({
  id: z.uuid(),
  eventId: z.string().describe("The webhook-id sent: the event id, or test_… for a test event"),
  eventType: z.string(),
  attempt: z.number().int(),
  outcome: z
    .enum(["delivered", "retrying", "failed", "disabled", "test_delivered", "test_failed"])
    .describe("delivered; retrying (another attempt is scheduled); failed (given up); disabled (410)"),
  responseStatus: z.number().int().nullable(),
  latencyMs: z.number().int(),
  responseExcerpt: z.string().nullable().describe("The first 500 characters of the response body"),
  error: z.string().nullable(),
  attemptedAt: z.iso.datetime({ offset: true }),
});

export type AttemptView = z.input<typeof attemptSchema>;
