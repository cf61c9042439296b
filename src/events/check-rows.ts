// Rows as the database holds them, checked against the catalogue: an audit row's action, target
// type and data; an outbox row's type and payload, and its subject being the payload's id.
import { z } from "zod";
import { AUDIT_ACTIONS, AUDIT_ACTION_NAMES, type AuditAction } from "./audit-actions";
import { outboxEventSchema } from "./outbox-types";

const auditEntry = (action: AuditAction) =>
  z.object({
    action: z.literal(action),
    targetType: z.literal(AUDIT_ACTIONS[action].target),
    data: AUDIT_ACTIONS[action].data,
  });

/** Every audit row: a discriminated union on `action`. */
export const auditRowSchema = z.discriminatedUnion(
  "action",
  AUDIT_ACTION_NAMES.map(auditEntry) as unknown as [
    ReturnType<typeof auditEntry>,
    ...ReturnType<typeof auditEntry>[],
  ],
);

export interface RowProblem {
  id: string;
  problem: string;
}

const describe = (e: unknown): string => (e instanceof z.ZodError ? z.prettifyError(e) : String(e));

export function checkAuditRow(row: {
  id: string;
  action: string;
  targetType: string | null;
  data: unknown;
}): RowProblem | null {
  const parsed = auditRowSchema.safeParse(row);
  return parsed.success ? null : { id: row.id, problem: `${row.action}: ${describe(parsed.error)}` };
}

export function checkOutboxRow(row: {
  id: bigint | string;
  type: string;
  subjectId: string | null;
  payload: unknown;
}): RowProblem | null {
  const parsed = outboxEventSchema.safeParse({ type: row.type, payload: row.payload });
  if (!parsed.success) return { id: String(row.id), problem: `${row.type}: ${describe(parsed.error)}` };
  if (parsed.data.payload.id !== row.subjectId)
    return {
      id: String(row.id),
      problem: `${row.type}: subject_id ${row.subjectId} is not the payload's id`,
    };
  return null;
}
