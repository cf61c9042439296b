// Rows of webhook_endpoints and webhook_attempts as the admin API shows them.
import type { WebhookAttempt, WebhookEndpoint } from "../generated/prisma/client";
import type { AttemptView } from "./schemas";

export const presentEndpoint = (e: WebhookEndpoint) => ({
  id: e.id,
  url: e.url,
  description: e.description,
  events: e.events,
  enabled: e.enabled,
  disabledReason: (e.disabledReason ?? null) as "gone" | "failing" | null,
  createdAt: e.createdAt.toISOString(),
});

export const presentAttempt = (a: WebhookAttempt): AttemptView => ({
  id: a.id,
  eventId: a.messageId,
  eventType: a.eventType,
  attempt: a.attempt,
  outcome: a.outcome as AttemptView["outcome"],
  responseStatus: a.responseStatus,
  latencyMs: a.latencyMs,
  responseExcerpt: a.responseExcerpt,
  error: a.error,
  attemptedAt: a.createdAt.toISOString(),
});
