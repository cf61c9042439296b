// Events for the downstream application, written to the outbox in the
// same transaction as the change. The webhook dispatcher delivers them later, in order per
// subject.
import type { Db } from "../db/client";
import type { InputJsonValue } from "../generated/prisma/internal/prismaNamespace";

export const EVENT_TYPES = [
  "user.created",
  "user.updated",
  "user.role_changed",
  "user.deactivated",
  "user.deleted",
  "group.updated",
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export interface OutboxInput {
  type: EventType;
  subjectId: string;
  payload: Record<string, unknown>;
}

export async function enqueueEvent(db: Db, orgId: string, event: OutboxInput): Promise<void> {
  await db.outboxEvent.create({
    data: { orgId, type: event.type, subjectId: event.subjectId, payload: event.payload as InputJsonValue },
  });
}

export async function enqueueEvents(db: Db, orgId: string, events: OutboxInput[]): Promise<void> {
  if (events.length === 0) return;
  await db.outboxEvent.createMany({
    data: events.map((e) => ({
      orgId,
      type: e.type,
      subjectId: e.subjectId,
      payload: e.payload as InputJsonValue,
    })),
  });
}
