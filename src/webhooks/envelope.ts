// The envelope every webhook carries, built from an outbox row:
// {id, type, occurredAt, organization: {id, slug}, data} (contract section 8).
// The event catalogue (src/events/) owns the payload; this only wraps it.

export interface OutboxRow {
  id: bigint | string;
  type: string;
  payload: unknown;
  createdAt: Date;
}

export interface Envelope {
  id: string;
  type: string;
  occurredAt: string;
  organization: { id: string; slug: string };
  data: unknown;
}

export function envelopeOf(row: OutboxRow, organization: { id: string; slug: string }): Envelope {
  return {
    id: String(row.id),
    type: row.type,
    occurredAt: row.createdAt.toISOString(),
    organization: { id: organization.id, slug: organization.slug },
    data: row.payload,
  };
}
