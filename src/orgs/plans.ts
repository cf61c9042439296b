// Seat limits per plan. Active, invited, blocked and deactivated users
// all hold a seat; deleted users do not. An organization may override its plan's limit.
import { Prisma } from "../generated/prisma/client";
import type { Plan } from "../generated/prisma/enums";

export const PLAN_SEAT_LIMITS: Readonly<Record<Plan, number | null>> = Object.freeze({
  free: 10,
  team: 100,
  enterprise: null,
});

export const seatLimitOf = (org: { plan: Plan; seatLimit: number | null }): number | null =>
  org.seatLimit ?? PLAN_SEAT_LIMITS[org.plan];

/** SQL over an `organizations` row: true when seatLimitOf would answer null (no limit). */
export const seatsUnlimitedSql: Prisma.Sql = Prisma.sql`(seat_limit IS NULL AND plan::text IN (${Prisma.join(
  Object.entries(PLAN_SEAT_LIMITS)
    .filter(([, limit]) => limit === null)
    .map(([plan]) => plan),
)}))`;
