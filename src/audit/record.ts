// Audit events are written inside the transaction of the change they describe, so a change
// and its audit record commit or roll back together.
import type { Db } from "../db/client";
import type { Ctx } from "../shared/context";
import type { InputJsonValue } from "../generated/prisma/internal/prismaNamespace";

export interface AuditInput {
  action: string;
  targetType?: string;
  targetId?: string;
  data?: Record<string, unknown>;
}

const row = (ctx: Ctx, event: AuditInput) => ({
  orgId: ctx.orgId,
  actorType: ctx.actor.type,
  actorId: ctx.actor.id ?? null,
  actorName: ctx.actor.name ?? null,
  action: event.action,
  targetType: event.targetType ?? null,
  targetId: event.targetId ?? null,
  data: (event.data ?? {}) as InputJsonValue,
  requestId: ctx.requestId ?? null,
});

export async function recordAudit(db: Db, ctx: Ctx, event: AuditInput): Promise<void> {
  await db.auditEvent.create({ data: row(ctx, event) });
}

/** Many audit events in one statement (set-based changes such as a rules PUT). */
export async function recordAuditMany(db: Db, ctx: Ctx, events: AuditInput[]): Promise<void> {
  if (events.length === 0) return;
  await db.auditEvent.createMany({ data: events.map((event) => row(ctx, event)) });
}
