// /auth: local sign-in. JSON callers get JSON and problem+json errors;
// a browser following a link (GET) or posting one of our forms gets HTML pages and, on
// success, a 303 to the portal. Every session cookie is HttpOnly, SameSite=Lax, path "/",
// and Secure behind https.
import { Router, type Request, type RequestHandler, type Response } from "express";
import { z } from "zod";
import type { Services } from "../services";
import { cookieValue } from "../shared/cookies";
import { SESSION_COOKIE } from "../sessions/sessions-service";
import { clearSessionCookie, setSessionCookie } from "../sessions/session-cookie";
import { AppError } from "../shared/errors";
import { assertSsoOff } from "../users/guards";
import { invitationPage, recoveryPage } from "./auth-pages";
import type { SignedIn } from "../auth/deps";
import { formBody } from "./csrf";
import { isForm } from "./form-gate";
import { loginBody } from "../auth/local-login";
import { codeBody } from "../auth/mfa";
import { acceptBody } from "../auth/accept-invitation";

const tokenParam = z.string().min(1).max(200);

/** Pages for browsers (a GET, one of our forms), JSON for the rest; never cached. createApp
 * runs it before its own refusals too, so that they come in the same format. */
export const authPageFormat: RequestHandler = (req, res, next) => {
  if (req.method === "GET" || isForm(req)) res.locals.errorFormat = "html";
  res.set("Cache-Control", "no-store");
  next();
};

export function authRoutes(services: Services): Router {
  const router = Router({ mergeParams: true });
  const auth = services.auth;
  const secureCookies = services.config.secureCookies;

  router.use(authPageFormat);

  // Our forms carry a CSRF token (a forged sign-in would put the victim in the attacker's
  // account); JSON callers are covered by the Origin check in front of every write.
  const form: RequestHandler[] = [
    formBody,
    (req, res, next) => (isForm(req) ? services.csrf.verify(req, res, next) : next()),
  ];

  function signedIn(req: Request, res: Response, result: SignedIn): void {
    setSessionCookie(res, secureCookies, result);
    if (isForm(req) && result.stage === "full") res.redirect(303, "/");
    else res.json({ stage: result.stage, userId: result.userId });
  }

  async function sessionOf(req: Request) {
    const s = await services.sessions.resolve(cookieValue(req, SESSION_COOKIE));
    if (!s) throw new AppError("unauthorized", "sign in first");
    return s;
  }

  router.post("/login", ...form, async (req, res) => {
    signedIn(
      req,
      res,
      await auth.login(loginBody.parse(req.body ?? {}), req.ip ?? "unknown", res.locals.requestId),
    );
  });

  router.post("/logout", async (req, res) => {
    const s = await services.sessions.resolve(cookieValue(req, SESSION_COOKIE));
    if (s) await auth.logout(s, res.locals.requestId);
    clearSessionCookie(res, secureCookies);
    res.status(204).end();
  });

  router.post("/mfa/enroll", async (req, res) => {
    res.json(await auth.startEnrollment(await sessionOf(req)));
  });
  router.post("/mfa/enroll/confirm", async (req, res) => {
    res.json(
      await auth.confirmEnrollment(
        await sessionOf(req),
        codeBody.parse(req.body ?? {}),
        res.locals.requestId,
      ),
    );
  });
  router.post("/mfa/verify", async (req, res) => {
    const s = await sessionOf(req);
    res.json(
      await auth.verifyStep(s, codeBody.parse(req.body ?? {}), req.ip ?? "unknown", res.locals.requestId),
    );
  });

  router.get("/invitations/:token", async (req, res) => {
    const token = tokenParam.parse(req.params.token);
    const inv = await auth.inspectInvitation(token);
    // While SSO is on the invitee signs in through the IdP: say so now, not after they typed a password.
    await assertSsoOff(services.db.prisma, inv.orgId);
    res.type("html").send(
      invitationPage({
        orgName: inv.org.name,
        email: inv.email,
        action: `/auth/invitations/${encodeURIComponent(token)}/accept`,
        expiresAt: inv.expiresAt,
        csrfToken: services.csrf.token(req, res),
      }),
    );
  });
  router.post("/invitations/:token/accept", ...form, async (req, res) => {
    const token = tokenParam.parse(req.params.token);
    signedIn(
      req,
      res,
      await auth.acceptInvitation(token, acceptBody.parse(req.body ?? {}), res.locals.requestId),
    );
  });

  router.get("/recover/:token", async (req, res) => {
    const token = tokenParam.parse(req.params.token);
    const link = await auth.peekRecoveryLink(token);
    res.type("html").send(
      recoveryPage({
        action: `/auth/recover/${encodeURIComponent(token)}`,
        expiresAt: link.expiresAt,
        csrfToken: services.csrf.token(req, res),
      }),
    );
  });
  router.post("/recover/:token", ...form, async (req, res) => {
    const token = tokenParam.parse(req.params.token);
    signedIn(req, res, await auth.useRecoveryLink(token, res.locals.requestId));
  });

  return router;
}
