// The user object of the admin API, in one place for every route.
import type { Role, User } from "../generated/prisma/client";
import type { RoleSource } from "../roles/resolve";

export interface UserGroupRef {
  id: string;
  displayName: string;
  source: string;
}

export interface UserDto {
  id: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  avatarUrl: string | null;
  status: User["status"];
  role: Role | null;
  roleSource: RoleSource;
  groups: UserGroupRef[];
  provisionedBy: User["provisionedBy"];
  lastSignInAt: string | null;
  createdAt: string;
}

export function toUserDto(user: User, groups: UserGroupRef[] = []): UserDto {
  return {
    id: user.id,
    email: user.email,
    firstName: user.firstName,
    lastName: user.lastName,
    avatarUrl: user.avatarUrl,
    status: user.status,
    role: user.role,
    roleSource: user.roleSource as unknown as RoleSource,
    groups,
    provisionedBy: user.provisionedBy,
    lastSignInAt: user.lastSignInAt?.toISOString() ?? null,
    createdAt: user.createdAt.toISOString(),
  };
}

/** Prisma include that loads what toUserDto needs for groups. */
export const USER_GROUPS_INCLUDE = {
  memberships: { select: { group: { select: { id: true, displayName: true, source: true } } } },
} as const;

export const groupsOf = (user: { memberships: { group: UserGroupRef }[] }): UserGroupRef[] =>
  user.memberships.map((m) => m.group).sort((a, b) => a.displayName.localeCompare(b.displayName));
