// Manual user management as one service: the admin API and the
// CLI call these functions; each write checks its guards (SSO off, last Admin, seats) inside
// its own transaction together with its audit and outbox events.
import type { Database } from "../db/client";
import type { Mailer } from "../mail/mailer";
import type { SessionsService } from "../sessions/sessions-service";
import type { Ctx } from "../shared/context";
import type { Logger } from "../shared/logger";
import type { z } from "zod";
import { listUsers, type listUsersQuery } from "./list-users";
import { userDto } from "./load-user";
import { updateProfile, updateUser, type profilePatch, type userPatch } from "./update-user";
import { runLifecycleAction, type LifecycleAction } from "./lifecycle";
import { deleteUser, type deleteBody } from "./delete-user";
import { inviteUsers, type inviteBody } from "./invitations/invite-users";
import {
  listInvitations,
  rescindInvitation,
  resendInvitation,
  type listInvitationsQuery,
} from "./invitations/manage-invitations";
import type { InvitationDeps } from "./invitations/deps";

export function createUsersService(deps: {
  db: Pick<Database, "prisma">;
  sessions: Pick<SessionsService, "revokeAllForUser">;
  mailer: Pick<Mailer, "enqueue" | "deliver" | "usesSmtp">;
  logger: Logger;
  baseUrl: string;
  production: boolean;
  clock: () => Date;
}) {
  const inv: InvitationDeps = deps;
  return {
    list: (orgId: string, query: z.output<typeof listUsersQuery>) => listUsers(deps.db, orgId, query),
    get: (orgId: string, id: string) => userDto(deps.db.prisma, orgId, id),
    update: (ctx: Ctx, id: string, patch: z.output<typeof userPatch>) => updateUser(deps.db, ctx, id, patch),
    updateProfile: (ctx: Ctx, userId: string, patch: z.output<typeof profilePatch>) =>
      updateProfile(deps.db, ctx, userId, patch),
    act: (ctx: Ctx, id: string, action: LifecycleAction) =>
      runLifecycleAction({ db: deps.db, revokeAllForUser: deps.sessions.revokeAllForUser }, ctx, id, action),
    delete: (ctx: Ctx, id: string, body: z.output<typeof deleteBody>) => deleteUser(deps.db, ctx, id, body),
    invite: (ctx: Ctx, body: z.output<typeof inviteBody>) => inviteUsers(inv, ctx, body),
    listInvitations: (orgId: string, query: z.output<typeof listInvitationsQuery>) =>
      listInvitations(inv, orgId, query),
    resendInvitation: (ctx: Ctx, id: string) => resendInvitation(inv, ctx, id),
    rescindInvitation: (ctx: Ctx, id: string) => rescindInvitation(inv, ctx, id),
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
