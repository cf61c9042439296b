// The permission table (docs/users.md), the only place that says what a role may do.
// The admin API, the portal and GET /api/v1/me all read it from here.
import type { Role } from "../generated/prisma/enums";

export const PERMISSIONS = [
  "users:read",
  "users:write",
  "sso:write",
  "scim:write",
  "mappings:write",
  "audit:read",
  "apikeys:write",
  "portal:read",
  "tickets:read",
  "tickets:write",
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = Object.freeze({
  Admin: PERMISSIONS,
  Support: ["portal:read", "tickets:read", "tickets:write"],
  Viewer: ["portal:read"],
});

/** Admin > Support > Viewer: a higher rank wins when several rules apply. */
export const ROLE_RANK: Readonly<Record<Role, number>> = Object.freeze({ Admin: 3, Support: 2, Viewer: 1 });

export const ROLES = ["Admin", "Support", "Viewer"] as const satisfies readonly Role[];

export const permissionsOf = (role: Role | null | undefined): Permission[] =>
  role ? [...ROLE_PERMISSIONS[role]] : [];

export const hasPermission = (role: Role | null | undefined, permission: Permission): boolean =>
  !!role && ROLE_PERMISSIONS[role].includes(permission);
