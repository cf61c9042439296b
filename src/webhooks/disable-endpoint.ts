// The bridge disables an endpoint on its own (a 410 answer, or no success for 24 h) and says so
// in the audit log, in the transaction that records the attempt.
import { randomUUID } from "node:crypto";
import { Prisma } from "../generated/prisma/client";
import type { SqlTx } from "../db/client";

export async function disableEndpoint(
  tx: SqlTx,
  input: { orgId: string; endpointId: string; reason: "gone" | "failing"; now: Date },
): Promise<void> {
  const disabled = await tx.$executeRaw(Prisma.sql`
    UPDATE webhook_endpoints SET enabled = false, disabled_reason = ${input.reason}, updated_at = ${input.now}
    WHERE id = ${input.endpointId}::uuid AND org_id = ${input.orgId}::uuid AND enabled`);
  if (disabled === 0) return;
  await tx.$executeRaw(Prisma.sql`
    INSERT INTO audit_events (id, org_id, actor_type, actor_name, action, target_type, target_id, data, created_at)
    VALUES (${randomUUID()}::uuid, ${input.orgId}::uuid, 'system', 'webhook worker', 'webhook.disabled',
      'webhook_endpoint', ${input.endpointId}, ${JSON.stringify({ reason: input.reason })}::jsonb, ${input.now})`);
}
