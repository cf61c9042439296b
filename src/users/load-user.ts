// Shared steps of the user use cases: load a user of the caller's organization (404 for any
// other) and the DTO after a change.
import type { Db } from "../db/client";
import type { User } from "../generated/prisma/client";
import type { Ctx } from "../shared/context";
import { AppError } from "../shared/errors";
import { groupsOf, toUserDto, USER_GROUPS_INCLUDE, type UserDto } from "./present";

export async function loadUser(db: Db, ctx: Pick<Ctx, "orgId">, id: string): Promise<User> {
  const user = await db.user.findFirst({ where: { id, orgId: ctx.orgId } });
  if (!user) throw new AppError("not_found", "no such user in this organization");
  return user;
}

export async function userDto(db: Db, orgId: string, id: string): Promise<UserDto> {
  const user = await db.user.findFirst({ where: { id, orgId }, include: USER_GROUPS_INCLUDE });
  if (!user) throw new AppError("not_found", "no such user in this organization");
  return toUserDto(user, groupsOf(user));
}
