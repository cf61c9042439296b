// GET /orgs/{org}/events: the organization's outbox, in the order a consumer can rely on. An
// autoincrement id is not commit order: a transaction that took id 10 may commit after one
// that took id 11 was read, and a consumer past 11 would never see 10. So the feed hands out
// only rows whose writing transaction (txid, xid8) is older than every transaction still
// running (pg_snapshot_xmin of the statement's snapshot): no row can appear later below that
// horizon. Rows come in (txid, id) order, and the cursor is an event id standing for its
// (txid, id). A long transaction holds the horizon back (events wait; none is lost).
import { z } from "zod";
import { Prisma } from "../generated/prisma/client";
import type { Reader } from "../db/client";
import { AppError } from "../shared/errors";
import { envelopeOf, envelopeSchema, type Envelope } from "./envelope";

/** How long events stay readable; the periodic purge removes older ones (pruneOutbox). */
export const FEED_RETENTION_DAYS = 30;

export const feedQuery = z.strictObject({
  after: z
    .string()
    .regex(/^\d{1,18}$/, "an event id (the id of the last event you read)")
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const feedPage = z.object({
  data: z.array(envelopeSchema),
  nextCursor: z.string().nullable(),
});

interface FeedRow {
  id: string;
  type: string;
  payload: unknown;
  createdAt: Date;
}

/**
 * The events after `after` (exclusive) that no later commit can precede. `nextCursor` is the
 * last event's id, or `after` again on an empty page (nothing new yet: poll again with it).
 */
export async function readFeed(
  read: Reader,
  org: { id: string; slug: string },
  query: z.infer<typeof feedQuery>,
): Promise<{ data: Envelope[]; nextCursor: string | null }> {
  if (query.after !== undefined) {
    const [known] = await read<{ id: string }>(
      Prisma.sql`SELECT id::text AS id FROM outbox_events WHERE id = ${query.after}::bigint AND org_id = ${org.id}::uuid`,
    );
    if (!known)
      throw new AppError(
        "gone",
        `no event ${query.after} in this organization: it is older than ${FEED_RETENTION_DAYS} days or was never one. Read from the start (no after) and dedupe on the event id.`,
        { extra: { reason: "events_cursor_unknown" } },
      );
  }
  const cursor =
    query.after === undefined
      ? Prisma.empty
      : Prisma.sql`AND (o.txid, o.id) > (SELECT c.txid, c.id FROM outbox_events c WHERE c.id = ${query.after}::bigint)`;
  const rows = await read<FeedRow>(Prisma.sql`
    SELECT o.id::text AS id, o.type, o.payload, o.created_at AS "createdAt"
    FROM outbox_events o
    WHERE o.org_id = ${org.id}::uuid AND o.txid < pg_snapshot_xmin(pg_current_snapshot()) ${cursor}
    ORDER BY o.txid, o.id
    LIMIT ${query.limit}`);
  const data = rows.map((r) => envelopeOf(r, org));
  return { data, nextCursor: data.at(-1)?.id ?? query.after ?? null };
}

/**
 * Deletes the outbox rows older than the retention that no webhook delivery still waits for
 * (their deliveries go with them). Answers how many went.
 */
export async function pruneOutbox(
  db: { $executeRaw(q: Prisma.Sql): Promise<number> },
  now: Date,
): Promise<number> {
  const before = new Date(now.getTime() - FEED_RETENTION_DAYS * 86_400_000);
  return db.$executeRaw(Prisma.sql`
    DELETE FROM outbox_events o WHERE o.created_at < ${before}
      AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = o.id AND d.status = 'pending')`);
}
