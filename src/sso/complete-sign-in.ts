// The one place that decides the outcome of an SSO sign-in, for SAML and OIDC alike (issue 6
// point 4): in one transaction the user is found or created just in time, the sign-in's groups
// recorded, the role recomputed, the person checked, a session created and the success audited.
// A refusal rolls all of that back, is audited on its own, and is thrown as the error page.
// The transaction is the driver's (Database.transaction), every statement raw SQL: through the
// Prisma client's interactive transaction it was the largest part of a sign-in's CPU
// (docs/benchmarks.md, "Load").
import type { Response } from "express";
import type { Role } from "../generated/prisma/client";
import type { Organization } from "../generated/prisma/client";
import { committing, type SqlTx } from "../db/client";
import type { SsoDeps } from "./deps";
import type { Ctx } from "../shared/context";
import { emit } from "../events";
import { isUniqueViolation } from "../shared/errors";
import type { RoleSource } from "../roles/resolve";
import { setSessionCookie } from "../sessions/session-cookie";
import { recomputeRoles } from "../roles/recompute";
import type { SsoConnectionRecord, SsoProtocolName } from "./protocol";
import { RefusedSignIn, refuseSignIn } from "./refusal";
import { upsertSignInUser, type IdentityClaims, type SignInUser } from "./sign-in-user";
import { localPathOrNull } from "./return-to";

export interface SignInInput extends IdentityClaims {
  org: Pick<Organization, "id" | "slug" | "plan" | "seatLimit">;
  connection: Pick<SsoConnectionRecord, "id" | "jit">;
  protocol: SsoProtocolName;
  requestId: string;
  /** Local path; anything else falls back to "/". */
  returnTo: string;
  /** Extra facts for the audit events (assertion id, issuer...): never secrets or bodies. */
  auditData?: Record<string, unknown>;
}

export interface SignInSuccess {
  userId: string;
  role: Role;
  session: { cookieValue: string; expiresAt: Date };
  redirect: string;
}

export interface SignInPreview {
  outcome: "signed_in" | "refused";
  reason: string | null;
  message: string | null;
  userId: string | null;
  wouldCreateUser: boolean;
  role: Role | null;
  roleSource: RoleSource | null;
}

export type SignInDeps = Pick<SsoDeps, "db" | "sessions" | "clock">;

class RollbackPreview extends Error {
  constructor(readonly preview: SignInPreview) {
    super("preview rollback");
  }
}

const idpCtx = (input: SignInInput): Ctx => ({
  orgId: input.org.id,
  actor: { type: "idp", name: input.protocol },
  requestId: input.requestId,
});

/** Everything up to (not including) the session: shared by the real sign-in and the preview. */
async function admit(tx: SqlTx, deps: SignInDeps, input: SignInInput) {
  const ctx = idpCtx(input);
  // It takes the role seam's shared lock before the user's row, the order of every writer of
  // roles (organization, then users): a rules change holds the organization and then updates
  // every user, so a sign-in that held its user while waiting for the organization deadlocked
  // with it. The recompute below relies on that lock.
  const { user, created, profileChanged } = await upsertSignInUser(
    tx,
    input.org,
    input.connection.jit,
    input,
    deps.clock(),
  );
  // Before the recompute: its user.role_changed must reach consumers after the user.created.
  if (created)
    await emit(tx, ctx, {
      action: "user.created",
      targetId: user.id,
      data: { via: "sso", email: user.email },
    });
  // The recompute answers the role and roleSource it wrote, when they changed: no read back.
  const [change] = await recomputeRoles(tx, ctx, [user.id], { lockHeld: true });
  const fresh = change
    ? { ...user, role: change.to, roleSource: change.roleSource as unknown as SignInUser["roleSource"] }
    : user;
  if (!fresh.role) {
    throw new RefusedSignIn(
      "no_role",
      "You signed in at your identity provider, but none of your groups gives you a role here. Ask your administrator to map one of your groups to a role.",
    );
  }
  return { ctx, user: fresh, role: fresh.role, created, profileChanged };
}

/**
 * Signs the person in or throws the refusal (an AppError whose extra.reason is the reason
 * code, already audited). Retries once when a concurrent sign-in created the same user.
 */
export async function completeSignIn(deps: SignInDeps, input: SignInInput): Promise<SignInSuccess> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await deps.db.transaction(async (tx) => {
        const { ctx, user, role, created, profileChanged } = await admit(tx, deps, input);
        if (!created && profileChanged)
          await emit(tx, ctx, {
            action: "user.updated",
            targetId: user.id,
            data: { via: "sso", email: user.email },
          });
        // The session and its audit event in one statement, and COMMIT sent with it: the last
        // statement, nothing below may fail.
        const session = deps.sessions.prepare({ orgId: ctx.orgId, userId: user.id, method: input.protocol });
        await emit(
          committing(tx),
          ctx,
          {
            action: "sso.sign_in",
            targetId: user.id,
            data: {
              protocol: input.protocol,
              subject: input.subject,
              email: user.email,
              role,
              groups: user.ssoGroups,
              overage: input.overage,
              jitCreated: created,
              sessionId: session.id,
              ...(input.auditData ?? {}),
            },
          },
          session.insert,
        );
        return {
          userId: user.id,
          role,
          session: { cookieValue: session.cookieValue, expiresAt: session.expiresAt },
          redirect: localPathOrNull(input.returnTo) ?? "/",
        };
      });
    } catch (e) {
      if (isUniqueViolation(e) && attempt === 0) continue;
      if (!(e instanceof RefusedSignIn)) throw e;
      throw await refuseSignIn(deps.db.prisma, {
        orgId: input.org.id,
        protocol: input.protocol,
        reason: e.reason,
        message: e.message,
        status: e.status,
        requestId: input.requestId,
        subject: input.subject,
        email: input.email,
        detail: { ...(input.auditData ?? {}), ...e.detail },
      });
    }
  }
}

/** What completeSignIn would decide, computed in a transaction that is always rolled back. */
export async function previewSignIn(deps: SignInDeps, input: SignInInput): Promise<SignInPreview> {
  try {
    await deps.db.transaction(async (tx) => {
      const { user, role, created } = await admit(tx, deps, input);
      throw new RollbackPreview({
        outcome: "signed_in",
        reason: null,
        message: null,
        userId: created ? null : user.id,
        wouldCreateUser: created,
        role,
        roleSource: user.roleSource as unknown as RoleSource,
      });
    });
  } catch (e) {
    if (e instanceof RollbackPreview) return e.preview;
    if (e instanceof RefusedSignIn) {
      return {
        outcome: "refused",
        reason: e.reason,
        message: e.message,
        userId: null,
        wouldCreateUser: false,
        role: null,
        roleSource: null,
      };
    }
    throw e;
  }
  throw new Error("unreachable: the preview transaction always rolls back");
}

/** Sets the session cookie and redirects (302) to the checked returnTo. */
export function sendSignedIn(res: Response, success: SignInSuccess, secureCookies: boolean): void {
  setSessionCookie(res, secureCookies, success.session);
  res.redirect(302, success.redirect);
}
