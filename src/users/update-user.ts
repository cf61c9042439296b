// PATCH /users/{id} (an Admin edits names, avatar and role) and PATCH /me (anyone edits their
// own names and avatar). A role set by hand is kept as assignedRole and is the effective role
// while SSO is off; users provisioned by SCIM or SSO take their role from the IdP mapping only.
import { z } from "zod";
import type { Database, Tx } from "../db/client";
import type { Role, User } from "../generated/prisma/client";
import type { Ctx } from "../shared/context";
import { AppError } from "../shared/errors";
import { emit } from "../events";
import { ROLES } from "../roles/permissions";
import { recomputeRoles } from "../roles/recompute";
import { assertNotLastAdmin, assertSsoOff, lockOrg } from "./guards";
import { loadUser, userDto } from "./load-user";

const name = z.string().trim().max(100).nullable();
const avatarUrl = z
  .url({ protocol: /^https?$/, error: "must be an http or https URL" })
  .max(2048)
  .nullable();

export const profilePatch = z
  .object({ firstName: name, lastName: name, avatarUrl })
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, "send at least one of firstName, lastName, avatarUrl");

export const userPatch = z
  .object({ firstName: name, lastName: name, avatarUrl, role: z.enum(ROLES) })
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, "send at least one of firstName, lastName, avatarUrl, role");

type Profile = Pick<z.infer<typeof userPatch>, "firstName" | "lastName" | "avatarUrl">;

async function applyProfile(tx: Tx, ctx: Ctx, user: User, profile: Profile): Promise<User> {
  const changed = Object.fromEntries(
    Object.entries(profile).filter(([k, v]) => v !== undefined && v !== user[k as keyof Profile]),
  ) as Profile;
  if (Object.keys(changed).length === 0) return user;
  const updated = await tx.user.update({
    where: { id: user.id },
    data: { ...changed, version: { increment: 1 } },
  });
  await emit(tx, ctx, { action: "user.updated", targetId: user.id, data: { via: "admin", ...changed } });
  return updated;
}

async function applyRole(tx: Tx, ctx: Ctx, user: User, role: Role): Promise<void> {
  if (user.provisionedBy !== "invite")
    throw new AppError(
      "conflict",
      `this user was provisioned by ${user.provisionedBy === "scim" ? "SCIM" : "SSO sign-in"}: their role comes from the role mapping of their identity-provider groups; change the mapping or their groups instead`,
      { extra: { reason: "role_from_idp" } },
    );
  if (user.role === role && user.assignedRole === role) return;
  if (role !== "Admin") await assertNotLastAdmin(tx, user, "demote");
  await tx.user.update({
    where: { id: user.id },
    data: { assignedRole: role, manualRole: true, version: { increment: 1 } },
  });
  // A pending invitation shows the role the invitee will have.
  await tx.invitation.updateMany({
    where: { userId: user.id, orgId: ctx.orgId, acceptedAt: null, rescindedAt: null, replacedAt: null },
    data: { role },
  });
  // The role seam makes assignedRole the effective role (SSO is off here) and writes the
  // user.role_changed audit and outbox events when the role actually changes.
  await recomputeRoles(tx, ctx, [user.id]);
}

export async function updateUser(
  db: Pick<Database, "prisma">,
  ctx: Ctx,
  id: string,
  { role, ...profile }: z.output<typeof userPatch>,
) {
  await db.prisma.$transaction(async (tx) => {
    await assertSsoOff(tx, ctx.orgId);
    await lockOrg(tx, ctx.orgId);
    const user = await loadUser(tx, ctx, id);
    if (role !== undefined) await applyRole(tx, ctx, user, role);
    await applyProfile(tx, ctx, await loadUser(tx, ctx, id), profile);
  });
  return userDto(db.prisma, ctx.orgId, id);
}

/** PATCH /api/v1/me: the signed-in user's own names and avatar. */
export async function updateProfile(
  db: Pick<Database, "prisma">,
  ctx: Ctx,
  userId: string,
  profile: z.output<typeof profilePatch>,
) {
  await db.prisma.$transaction(async (tx) => {
    await assertSsoOff(tx, ctx.orgId);
    await applyProfile(tx, ctx, await loadUser(tx, ctx, userId), profile);
  });
  return userDto(db.prisma, ctx.orgId, userId);
}
