// Guards shared by every manual user-management write.
import type { Db, SqlTx } from "../db/client";
import { AppError } from "../shared/errors";
import { seatLimitOf } from "../orgs/plans";
import type { Organization } from "../generated/prisma/client";

/** True while the organization's SSO connection is enabled ("SSO on"). */
export async function isSsoOn(db: Db, orgId: string): Promise<boolean> {
  const conn = await db.ssoConnection.findUnique({ where: { orgId }, select: { enabled: true } });
  return conn?.enabled === true;
}

/** While SSO is on, the IdP is the source of truth; manual writes are refused. */
export async function assertSsoOff(db: Db, orgId: string): Promise<void> {
  if (await isSsoOn(db, orgId)) {
    throw new AppError(
      "sso_enforced",
      "SSO is on for this organization: manage users and their roles in your identity provider (Okta or Entra ID)",
    );
  }
}

/** Every user row except deleted ones holds a seat: active, invited, blocked and deactivated alike. */
export async function seatsLeft(
  db: SqlTx,
  org: Pick<Organization, "id" | "plan" | "seatLimit">,
): Promise<number | null> {
  const limit = seatLimitOf(org);
  if (limit === null) return null;
  const [row] = await db.$queryRaw<{ used: number }[]>`SELECT count(*)::int AS used FROM users
    WHERE org_id = ${org.id}::uuid`;
  return Math.max(0, limit - row!.used);
}

export async function assertSeatsAvailable(
  db: Db,
  org: Pick<Organization, "id" | "plan" | "seatLimit">,
  needed: number,
): Promise<void> {
  const left = await seatsLeft(db, org);
  if (left !== null && needed > left) {
    const limit = seatLimitOf(org);
    throw new AppError(
      "seat_limit",
      `the ${org.plan} plan allows ${limit} users (active, blocked, deactivated and invited together): ${left} seat${left === 1 ? "" : "s"} left, ${needed} needed`,
      { extra: { seatLimit: limit, seatsLeft: left } },
    );
  }
}

/** Seat and last-Admin checks run under the organization lock (src/orgs/lock-org.ts). */
export { lockOrg } from "../orgs/lock-org";

/** Refuses a change that would leave the organization without an active Admin. */
export async function assertNotLastAdmin(
  db: Db,
  user: { id: string; orgId: string; role: string | null; status: string },
  action: string,
): Promise<void> {
  if (user.role !== "Admin" || user.status !== "active") return;
  const others = await db.user.count({
    where: { orgId: user.orgId, role: "Admin", status: "active", id: { not: user.id } },
  });
  if (others === 0) {
    throw new AppError(
      "last_admin",
      `cannot ${action} the last active Admin of this organization: make another user Admin first`,
    );
  }
}
