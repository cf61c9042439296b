// POST .../webhooks/{id}/test: a `webhook.test` event sent now, outside the outbox and its
// order, signed like any other; the attempt is recorded and answered.
import { randomUUID } from "node:crypto";
import type { Database } from "../db/client";
import type { Cipher } from "../shared/crypto";
import { AppError } from "../shared/errors";
import type { GuardedFetch } from "../shared/guarded-fetch";
import { presentAttempt } from "./present";
import { sendMessage } from "./send";

export interface TestEventDeps {
  db: Pick<Database, "prisma">;
  cipher: Cipher;
  fetch: GuardedFetch;
  clock: () => Date;
  timeoutMs: number;
}

export async function sendTestEvent(
  deps: TestEventDeps,
  org: { id: string; slug: string },
  endpointId: string,
) {
  const endpoint = await deps.db.prisma.webhookEndpoint.findFirst({
    where: { id: endpointId, orgId: org.id },
  });
  if (!endpoint) throw new AppError("not_found", "No such webhook endpoint in this organization");
  const now = deps.clock();
  const secrets = [deps.cipher.decrypt(endpoint.secret)];
  if (endpoint.previousSecret && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > now) {
    secrets.push(deps.cipher.decrypt(endpoint.previousSecret));
  }
  const id = `test_${randomUUID()}`;
  const envelope = {
    id,
    type: "webhook.test",
    occurredAt: now.toISOString(),
    organization: { id: org.id, slug: org.slug },
    data: { endpointId: endpoint.id, message: "A test event from sso-bridge" },
  };
  const result = await sendMessage(deps, endpoint.url, { id, body: JSON.stringify(envelope), secrets });
  const attempt = await deps.db.prisma.webhookAttempt.create({
    data: {
      orgId: org.id,
      endpointId: endpoint.id,
      messageId: id,
      eventType: envelope.type,
      attempt: 1,
      outcome: result.ok ? "test_delivered" : "test_failed",
      responseStatus: result.status,
      latencyMs: result.latencyMs,
      responseExcerpt: result.excerpt,
      error: result.error,
      createdAt: now,
    },
  });
  return presentAttempt(attempt);
}
