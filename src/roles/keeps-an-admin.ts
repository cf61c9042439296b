// Embedded database only: would a candidate rule set leave the organization an active Admin?
// Decided before the change commits (the sweep that follows cannot be rolled back), read-only, in
// chunks of the sweep's size with a pause between them, and stopping at the first Admin found:
// first among today's active Admins (usually one keeps the role), then everyone in id order.
import { Prisma } from "../generated/prisma/client";
import type { Database } from "../db/client";
import type { RoleMappingsInput } from "./mappings-input";
import { computedCte, type RuleSet, type Target } from "./recompute-sql";
import { SWEEP_CHUNK_USERS } from "./sweep";
import { pauseAsLongAsSince } from "../db/fair-share";

type Row = { admins: number; users: number; last: string | null };

export async function keepsAnAdmin(
  db: Pick<Database, "prisma">,
  orgId: string,
  candidate: RoleMappingsInput,
): Promise<boolean> {
  const set: RuleSet = { kind: "candidate", rules: candidate.rules, defaultRole: candidate.defaultRole };
  const chunk = async (target: Target) => {
    const started = performance.now();
    const [row] = await db.prisma.$queryRaw<Row[]>(Prisma.sql`${computedCte(orgId, set, target)}
      SELECT (SELECT count(*)::int FROM computed WHERE status = 'active' AND new_role = 'Admin') AS admins,
        (SELECT count(*)::int FROM target) AS users,
        (SELECT id::text FROM target ORDER BY id DESC LIMIT 1) AS last`);
    await pauseAsLongAsSince(started);
    return row!;
  };
  const admins = await db.prisma.user.findMany({
    where: { orgId, role: "Admin", status: "active" },
    select: { id: true },
    take: SWEEP_CHUNK_USERS,
  });
  if (admins.length > 0 && (await chunk({ kind: "users", ids: admins.map((a) => a.id) })).admins > 0)
    return true;
  for (let after: string | null = null; ;) {
    const row = await chunk({ kind: "range", after, limit: SWEEP_CHUNK_USERS });
    if (row.admins > 0) return true;
    if (row.users < SWEEP_CHUNK_USERS) return false;
    after = row.last;
  }
}
