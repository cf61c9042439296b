// The organization row is the lock that serialises changes which read and act on
// organization-wide facts: seats left, active Admins, the role rules. "update" (exclusive)
// for seat and last-Admin checks and whole-org role recomputes; "share" for single-user role
// recomputes, so they never compute from a rules change's old state. NO KEY UPDATE (not
// UPDATE) so that inserts referencing the organization (audit events, sessions) stay unblocked.
import { Prisma } from "../generated/prisma/client";
import type { SqlTx } from "../db/client";

export async function lockOrg(tx: SqlTx, orgId: string, mode: "share" | "update" = "update"): Promise<void> {
  const lock = mode === "update" ? Prisma.sql`FOR NO KEY UPDATE` : Prisma.sql`FOR SHARE`;
  await tx.$queryRaw`SELECT id FROM organizations WHERE id = ${orgId}::uuid ${lock}`;
}
