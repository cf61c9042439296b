// Records what one attempt of a claimed delivery did, in one transaction, only while the claim is
// still this worker's (a worker whose claim lapsed must not overwrite the next one's result):
// - 2xx: delivered; the endpoint's failure streak ends.
// - 410 Gone: the receiver asked to stop; the endpoint is disabled (audited), the delivery stays
//   pending so that re-enabling the endpoint resumes where it stopped.
// - anything else: retried on the schedule of retry.ts, or failed once its window has passed;
//   an endpoint without a success for disableAfterMs is disabled (audited).
import { randomUUID } from "node:crypto";
import { Prisma } from "../generated/prisma/client";
import type { Database, SqlTx } from "../db/client";
import type { ClaimedDelivery } from "./claim";
import type { SendResult } from "./send";
import { nextAttemptAt, retryAfterMs, type RetryPolicy } from "./retry";
import { disableEndpoint } from "./disable-endpoint";

export type Outcome = "delivered" | "retrying" | "failed" | "disabled";

const attemptValues = (d: ClaimedDelivery, r: SendResult, outcome: Outcome, now: Date) => Prisma.sql`
  ${randomUUID()}::uuid, ${d.orgId}::uuid, ${d.endpointId}::uuid, ${d.id}::uuid, ${d.eventId}, ${d.type},
  ${d.attempt}, ${outcome}, ${r.status}::int, ${r.latencyMs}::int, ${r.excerpt}, ${r.error}, ${now}`;

const ATTEMPT_COLUMNS = Prisma.sql`(id, org_id, endpoint_id, delivery_id, message_id, event_type, attempt, outcome,
  response_status, latency_ms, response_excerpt, error, created_at)`;

const insertAttempt = (tx: SqlTx, d: ClaimedDelivery, r: SendResult, outcome: Outcome, now: Date) =>
  tx.$executeRaw(
    Prisma.sql`INSERT INTO webhook_attempts ${ATTEMPT_COLUMNS} VALUES (${attemptValues(d, r, outcome, now)})`,
  );

/** The common case in one statement: delivered, its attempt, the endpoint's failure streak ended. */
async function finishDelivered(db: Pick<Database, "direct">, d: ClaimedDelivery, r: SendResult, now: Date) {
  const [row] = await db.direct.$queryRaw<{ n: number }[]>(Prisma.sql`
    WITH done AS (
      UPDATE webhook_deliveries SET status = 'delivered', claim_token = NULL, claimed_until = NULL,
        response_status = ${r.status}::int, last_error = NULL, delivered_at = ${now}
      WHERE id = ${d.id}::uuid AND claim_token = ${d.token}::uuid RETURNING id
    ), attempt AS (
      INSERT INTO webhook_attempts ${ATTEMPT_COLUMNS}
      SELECT ${attemptValues(d, r, "delivered", now)} FROM done
    ), endpoint AS (
      UPDATE webhook_endpoints SET failing_since = NULL
      WHERE id = ${d.endpointId}::uuid AND failing_since IS NOT NULL AND EXISTS (SELECT 1 FROM done)
    )
    SELECT count(*)::int AS n FROM done`);
  return row?.n ? "delivered" : null;
}

/** Writes the attempt and the delivery's new state; returns the outcome, or null if the claim had lapsed. */
export async function finishAttempt(
  db: Pick<Database, "transaction" | "direct">,
  input: {
    delivery: ClaimedDelivery;
    result: SendResult;
    now: Date;
    policy: RetryPolicy;
    random?: () => number;
  },
): Promise<Outcome | null> {
  const { delivery: d, result: r, now, policy } = input;
  if (r.ok) return finishDelivered(db, d, r, now);
  const gone = r.status === 410;
  const retryAt =
    r.ok || gone
      ? null
      : nextAttemptAt(
          policy,
          {
            createdAt: d.createdAt,
            now,
            failedAttempts: d.attempt,
            retryAfterMs: retryAfterMs(r.retryAfter, now),
          },
          input.random,
        );
  const outcome: Outcome = r.ok ? "delivered" : gone ? "disabled" : retryAt ? "retrying" : "failed";
  const status = r.ok ? "delivered" : outcome === "failed" ? "failed" : "pending";
  return db.transaction(async (tx) => {
    const updated = await tx.$executeRaw(Prisma.sql`
      UPDATE webhook_deliveries SET status = ${status}, claim_token = NULL, claimed_until = NULL,
        next_attempt_at = ${retryAt ?? now}, response_status = ${r.status}, last_error = ${r.error},
        delivered_at = ${r.ok ? now : null}
      WHERE id = ${d.id}::uuid AND claim_token = ${d.token}::uuid`);
    if (updated === 0) return null;
    await insertAttempt(tx, d, r, outcome, now);
    const [endpoint] = await tx.$queryRaw<{ failingSince: Date }[]>(Prisma.sql`
      UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, ${now})
      WHERE id = ${d.endpointId}::uuid RETURNING failing_since AS "failingSince"`);
    const failingTooLong =
      !!endpoint && now.getTime() - endpoint.failingSince.getTime() >= policy.disableAfterMs;
    if (gone || failingTooLong) {
      await disableEndpoint(tx, {
        orgId: d.orgId,
        endpointId: d.endpointId,
        reason: gone ? "gone" : "failing",
        now,
      });
    }
    return outcome;
  });
}
