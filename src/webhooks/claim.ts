// Claims deliveries to send now. A delivery can be claimed when it is due, its endpoint is
// enabled, no other worker's claim on it still holds, and it is the oldest pending delivery of
// its (endpoint, subject): a later event about the same user waits until the earlier one is
// delivered or given up. FOR UPDATE SKIP LOCKED lets several instances claim at once without
// taking the same row; the claim (a token and an expiry longer than the request's timeout)
// keeps others off it while it is sent, and lapses if its worker dies.
import { randomUUID } from "node:crypto";
import { Prisma } from "../generated/prisma/client";
import type { Database } from "../db/client";

export interface ClaimedDelivery {
  id: string;
  token: string;
  attempt: number;
  createdAt: Date;
  endpointId: string;
  url: string;
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: Date | null;
  orgId: string;
  orgSlug: string;
  eventId: string;
  type: string;
  payload: unknown;
  occurredAt: Date;
}

export async function claimDeliveries(
  db: Pick<Database, "transaction">,
  input: { now: Date; leaseMs: number; limit: number },
): Promise<ClaimedDelivery[]> {
  const token = randomUUID();
  const until = new Date(input.now.getTime() + input.leaseMs);
  const rows = await db.transaction((tx) =>
    tx.$queryRaw<Omit<ClaimedDelivery, "token">[]>(Prisma.sql`
      WITH next AS (
        SELECT d.id FROM webhook_deliveries d
        JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.enabled
        WHERE d.status = 'pending' AND d.next_attempt_at <= ${input.now}
          AND (d.claimed_until IS NULL OR d.claimed_until < ${input.now})
          AND NOT EXISTS (
            SELECT 1 FROM webhook_deliveries p
            WHERE p.endpoint_id = d.endpoint_id AND p.subject_key = d.subject_key
              AND p.event_id < d.event_id AND p.status = 'pending')
        ORDER BY d.next_attempt_at, d.event_id
        LIMIT ${input.limit}
        FOR UPDATE OF d SKIP LOCKED
      ), claimed AS (
        UPDATE webhook_deliveries d
        SET claim_token = ${token}::uuid, claimed_until = ${until}, attempts = d.attempts + 1
        FROM next WHERE d.id = next.id
        RETURNING d.id, d.attempts, d.created_at, d.endpoint_id, d.event_id
      )
      SELECT c.id::text AS id, c.attempts AS attempt, c.created_at AS "createdAt",
        c.endpoint_id::text AS "endpointId", e.url, e.secret, e.previous_secret AS "previousSecret",
        e.previous_secret_expires_at AS "previousSecretExpiresAt", o.org_id::text AS "orgId",
        org.slug AS "orgSlug", o.id::text AS "eventId", o.type, o.payload, o.created_at AS "occurredAt"
      FROM claimed c
      JOIN webhook_endpoints e ON e.id = c.endpoint_id
      JOIN outbox_events o ON o.id = c.event_id
      JOIN organizations org ON org.id = o.org_id
      ORDER BY c.event_id`),
  );
  return rows.map((r) => ({ ...r, token }));
}

/** Gives claims back unsent (the worker is stopping): the deliveries are due again at once. */
export async function releaseClaims(
  db: Pick<Database, "direct">,
  ids: string[],
  token: string,
): Promise<void> {
  if (ids.length === 0) return;
  await db.direct.$executeRaw(Prisma.sql`
    UPDATE webhook_deliveries SET claim_token = NULL, claimed_until = NULL, attempts = attempts - 1
    WHERE id = ANY(${ids}::uuid[]) AND claim_token = ${token}::uuid`);
}
