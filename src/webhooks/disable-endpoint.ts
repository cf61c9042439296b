// The bridge disables an endpoint on its own (a 410 answer, or no success for 24 h) and says so
// in the audit log, in the transaction that records the attempt.
import { Prisma } from "../generated/prisma/client";
import type { SqlTx } from "../db/client";
import { emit } from "../events";
import { systemActor } from "../shared/context";

export async function disableEndpoint(
  tx: SqlTx,
  input: { orgId: string; endpointId: string; reason: "gone" | "failing"; now: Date },
): Promise<void> {
  const disabled = await tx.$executeRaw(Prisma.sql`
    UPDATE webhook_endpoints SET enabled = false, disabled_reason = ${input.reason}, updated_at = ${input.now}
    WHERE id = ${input.endpointId}::uuid AND org_id = ${input.orgId}::uuid AND enabled`);
  if (disabled === 0) return;
  await emit(
    tx,
    { orgId: input.orgId, actor: systemActor("webhook worker") },
    { action: "webhook.disabled", targetId: input.endpointId, data: { reason: input.reason } },
  );
}
