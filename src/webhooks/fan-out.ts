// Turns committed outbox events into deliveries: one per enabled endpoint of the event's
// organization that subscribes to its type and was created before it. An event is handed out
// once (dispatched_at); rows still being written by an open transaction are invisible here and
// picked up by a later pass, so none is skipped whatever order transactions commit in. One
// instance at a time does this (a transaction-scoped advisory lock), in event id order.
import { Prisma } from "../generated/prisma/client";
import type { Database } from "../db/client";

// Any constant: it names this lock among the advisory locks of the database.
const FAN_OUT_LOCK = 0x5eb400c5;

export const FAN_OUT_BATCH = 500;

/** Hands out up to `batch` events; returns how many it handled (0 when none or another instance holds the lock). */
export async function fanOut(
  db: Pick<Database, "transaction">,
  now: Date,
  batch = FAN_OUT_BATCH,
): Promise<number> {
  return db.transaction(async (tx) => {
    const [lock] = await tx.$queryRaw<{ got: boolean }[]>(
      Prisma.sql`SELECT pg_try_advisory_xact_lock(${FAN_OUT_LOCK}) AS got`,
    );
    if (!lock?.got) return 0;
    const handled = await tx.$queryRaw<{ n: number }[]>(Prisma.sql`
      WITH batch AS (
        SELECT id, org_id, type, subject_id FROM outbox_events
        WHERE dispatched_at IS NULL ORDER BY id LIMIT ${batch}
      ), deliveries AS (
        INSERT INTO webhook_deliveries (id, endpoint_id, event_id, subject_key, next_attempt_at, created_at)
        SELECT gen_random_uuid(), e.id, b.id, COALESCE(b.subject_id, 'event:' || b.id::text), ${now}, ${now}
        FROM batch b
        JOIN webhook_endpoints e ON e.org_id = b.org_id AND e.enabled AND e.after_event_id < b.id
          AND (e.events @> ARRAY[b.type]::text[] OR e.events @> ARRAY['*']::text[])
        ON CONFLICT (endpoint_id, event_id) DO NOTHING
      ), marked AS (
        UPDATE outbox_events o SET dispatched_at = ${now} FROM batch b WHERE o.id = b.id RETURNING 1
      )
      SELECT count(*)::int AS n FROM marked`);
    return handled[0]?.n ?? 0;
  });
}
