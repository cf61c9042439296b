// Admin API authentication and authorization.
// A request is authenticated by an API key (Authorization: Bearer sbk_...) or by the session
// cookie. Authorization is by organization (the key's or the user's org must be the org in
// the path; otherwise 403 without saying whether that org exists) and by permission, read
// from the single role -> permission table.
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { cookieValue } from "../shared/cookies";
import type { Organization, Role, User } from "../generated/prisma/client";
import { AppError } from "../shared/errors";
import type { Ctx } from "../shared/context";
import { hasPermission, type Permission } from "../roles/permissions";
import { SESSION_COOKIE, type SessionsService, type SessionStage } from "../sessions/sessions-service";
import type { CredentialsService } from "../credentials/credentials-service";
import type { OrgsService } from "../orgs/orgs-service";

export type AdminAuth =
  | { kind: "api_key"; orgId: string; credentialId: string; name: string; role: Role }
  | {
      kind: "session";
      orgId: string;
      sessionId: string;
      stage: SessionStage;
      user: User;
      org: Organization;
      role: Role | null;
      breakGlass: boolean;
    };

export const authOf = (res: Response): AdminAuth | null => (res.locals.auth as AdminAuth | undefined) ?? null;

export function requireAuthOf(res: Response): AdminAuth {
  const auth = authOf(res);
  if (!auth) throw new AppError("unauthorized", "sign in or send an API key");
  return auth;
}

export const orgOf = (res: Response): Organization => res.locals.org as Organization;

export function ctxOf(res: Response): Ctx {
  const auth = requireAuthOf(res);
  return {
    orgId: auth.orgId,
    requestId: res.locals.requestId as string,
    actor:
      auth.kind === "api_key"
        ? { type: "api_key", id: auth.credentialId, name: auth.name }
        : { type: "user", id: auth.user.id, name: auth.user.email },
  };
}

export function authenticate(deps: {
  credentials: CredentialsService;
  sessions: SessionsService;
}): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const header = req.get("authorization");
    if (header) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      const key = match ? await deps.credentials.authenticateApiKey(match[1] as string) : null;
      if (!key) throw new AppError("unauthorized", "the API key is not valid");
      res.locals.auth = {
        kind: "api_key",
        orgId: key.orgId,
        credentialId: key.id,
        name: key.name,
        role: "Admin",
      } satisfies AdminAuth;
      return next();
    }
    const resolved = await deps.sessions.resolve(cookieValue(req, SESSION_COOKIE));
    if (resolved) {
      res.locals.auth = {
        kind: "session",
        orgId: resolved.org.id,
        sessionId: resolved.session.id,
        stage: resolved.session.stage as SessionStage,
        user: resolved.user,
        org: resolved.org,
        // A break-glass session (sso-bridge recover) acts as Admin whatever the mapping says:
        // it exists to repair a mapping or an SSO connection that locked everyone out.
        role: resolved.session.method === "recovery" ? "Admin" : resolved.user.role,
        breakGlass: resolved.session.method === "recovery",
      } satisfies AdminAuth;
    }
    next();
  };
}

/** Authenticated with full access (a session still owing an MFA step is not enough). */
export const requireAuth: RequestHandler = (_req, res, next) => {
  const auth = requireAuthOf(res);
  if (auth.kind === "session" && auth.stage !== "full") {
    throw new AppError("unauthorized", "finish signing in (multi-factor step pending)", {
      extra: { stage: auth.stage },
    });
  }
  next();
};

/** Loads the org of the path and checks the caller belongs to it. Unknown org and foreign org look alike. */
export function requireOrg(orgs: OrgsService): RequestHandler {
  return async (req, res, next) => {
    const auth = requireAuthOf(res);
    const org = await orgs.findBySlug(String(req.params.org));
    if (!org || org.id !== auth.orgId)
      throw new AppError("forbidden", "you have no access to this organization");
    res.locals.org = org;
    next();
  };
}

export const requirePermission =
  (permission: Permission): RequestHandler =>
  (_req, res, next) => {
    const auth = requireAuthOf(res);
    if (!hasPermission(auth.role, permission)) {
      throw new AppError("forbidden", `this needs the ${permission} permission`, { extra: { permission } });
    }
    next();
  };
