// The envelope every event travels in, on webhooks and in the feed alike (CONTRACT section 8):
// {id, type, occurredAt, organization: {id, slug}, data}, built from an outbox row. `id` is the
// row's id in decimal: the Standard Webhooks `webhook-id` and the feed's `after` cursor.
import { z } from "zod";
import { OUTBOX_TYPES, type OutboxType } from "./outbox-types";

export interface OutboxRow {
  id: bigint | number | string;
  type: string;
  payload: unknown;
  createdAt: Date;
}

export interface Envelope {
  id: string;
  type: OutboxType;
  occurredAt: string;
  organization: { id: string; slug: string };
  data: Record<string, unknown>;
}

/** The envelope of an outbox row of the organization `org`: the payload is `data`, as stored. */
export function envelopeOf(row: OutboxRow, org: { id: string; slug: string }): Envelope {
  return {
    id: String(row.id),
    type: row.type as OutboxType,
    occurredAt: row.createdAt.toISOString(),
    organization: { id: org.id, slug: org.slug },
    data: row.payload as Record<string, unknown>,
  };
}

/** The envelope's schema, for the routes that answer it (the data's own schemas: outbox-types.ts). */
export const envelopeSchema = z.object({
  id: z.string().regex(/^\d+$/),
  type: z.enum(OUTBOX_TYPES as [OutboxType, ...OutboxType[]]),
  occurredAt: z.iso.datetime(),
  organization: z.object({ id: z.uuid(), slug: z.string() }),
  data: z.record(z.string(), z.unknown()),
});
