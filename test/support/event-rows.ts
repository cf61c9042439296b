// Every audit and outbox row in a test file's database, checked against the event catalogue
// (src/events): the integration suites, run through it, are the check that every writer of an
// event writes what the catalogue declares. Throws one error listing every row that fails.
import { Prisma } from "../../src/generated/prisma/client";
import type { Database } from "../../src/db/client";
import { checkAuditRow, checkOutboxRow, type RowProblem } from "../../src/events";

export async function assertEventRowsValid(db: Pick<Database, "read">): Promise<void> {
  const audits = await db.read<{ id: string; action: string; targetType: string | null; data: unknown }>(
    Prisma.sql`SELECT id::text AS id, action, target_type AS "targetType", data FROM audit_events ORDER BY seq`,
  );
  const outbox = await db.read<{ id: string; type: string; subjectId: string | null; payload: unknown }>(
    Prisma.sql`SELECT id::text AS id, type, subject_id AS "subjectId", payload FROM outbox_events ORDER BY id`,
  );
  const problems: RowProblem[] = [
    ...audits.map(checkAuditRow).filter((p) => p !== null),
    ...outbox.map(checkOutboxRow).filter((p) => p !== null),
  ];
  if (problems.length > 0)
    throw new Error(
      `${problems.length} audit/outbox row(s) do not match the event catalogue (src/events):\n` +
        problems.map((p) => `- row ${p.id}: ${p.problem}`).join("\n"),
    );
}
