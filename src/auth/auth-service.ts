// Local sign-in: password, TOTP, invitation acceptance, break-glass
// links, logout and password change, as one service over the sessions table.
import type { Database } from "../db/client";
import type { SessionsService, ResolvedSession } from "../sessions/sessions-service";
import type { Cipher } from "../shared/crypto";
import type { Ctx } from "../shared/context";
import { emit } from "../events";
import { createThrottle } from "./throttle";
import { createSqlAttemptStore } from "./attempt-store";
import type { z } from "zod";
import { login, type loginBody } from "./local-login";
import { confirmEnrollment, startEnrollment, verifyStep, type codeBody } from "./mfa";
import { acceptInvitation, liveInvitation, type acceptBody } from "./accept-invitation";
import { issueRecoveryLink, peekRecoveryLink, useRecoveryLink, type recoverInput } from "./login-links";
import { changePassword, type changePasswordBody } from "./change-password";
import type { AuthDeps } from "./deps";

export function createAuthService(input: {
  db: Pick<Database, "prisma">;
  sessions: Pick<SessionsService, "create" | "resolve" | "revoke">;
  cipher: Cipher;
  baseUrl: string;
  clock: () => Date;
}) {
  const throttle = createThrottle({ store: createSqlAttemptStore(input.db.prisma), clock: input.clock });
  const deps: AuthDeps = { ...input, throttle };
  return {
    login: (body: z.output<typeof loginBody>, ip: string, requestId?: string) =>
      login(deps, body, ip, requestId),
    startEnrollment: (s: ResolvedSession) => startEnrollment(deps, s),
    confirmEnrollment: (s: ResolvedSession, body: z.output<typeof codeBody>, requestId?: string) =>
      confirmEnrollment(deps, s, body, requestId),
    verifyStep: (s: ResolvedSession, body: z.output<typeof codeBody>, ip: string, requestId?: string) =>
      verifyStep(deps, s, body, ip, requestId),
    inspectInvitation: (token: string) => liveInvitation(deps, token),
    acceptInvitation: (token: string, body: z.output<typeof acceptBody>, requestId?: string) =>
      acceptInvitation(deps, token, body, requestId),
    issueRecoveryLink: (ctx: Ctx, body: z.output<typeof recoverInput>) => issueRecoveryLink(deps, ctx, body),
    peekRecoveryLink: (token: string) => peekRecoveryLink(deps, token),
    useRecoveryLink: (token: string, requestId?: string) => useRecoveryLink(deps, token, requestId),
    changePassword: (
      ctx: Ctx,
      session: { userId: string; sessionId: string },
      body: z.output<typeof changePasswordBody>,
    ) => changePassword(deps, ctx, session, body),
    purgeExpiredAttempts: () => throttle.purgeExpired(),

    async logout(s: ResolvedSession, requestId?: string): Promise<void> {
      await input.sessions.revoke(s.session.id);
      await emit(
        input.db.prisma,
        { orgId: s.org.id, actor: { type: "user", id: s.user.id, name: s.user.email }, requestId },
        { action: "auth.signed_out", targetId: s.user.id },
      );
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
