// Sign-in and sign-out for people (contract section 5): the organization first, then "Continue
// with SSO" while its SSO is on, or email and password (the same sign-in service, throttling
// and audit as POST /auth/login), then the second factor the session still owes.
import type { Request, Response, Router } from "express";
import type { Services } from "../../services";
import { authOf } from "../../http/auth";
import { cookieValue } from "../../shared/cookies";
import { formBody } from "../../http/csrf";
import { SESSION_COOKIE } from "../../sessions/sessions-service";
import { clearSessionCookie, setSessionCookie } from "../../sessions/session-cookie";
import { localPathOrNull } from "../../sso/return-to";
import { ssoStateOf } from "../../sso/sso-state";
import { AppError } from "../../shared/errors";
import { loginBody } from "../../auth/local-login";
import { codeBody } from "../../auth/mfa";
import { attempt, sentence } from "../form-result";
import { page } from "../page";
import { viewOf } from "../viewer";
import { EnrolStep, OrgStep, PasswordStep, RecoveryCodes, SsoStep, TotpStep } from "./sign-in-views";

const str = (v: unknown): string => (typeof v === "string" ? v : "");
const returnToOf = (req: Request): string =>
  localPathOrNull(str(req.body?.returnTo) || str(req.query.returnTo)) ?? "/";
const withReturn = (path: string, returnTo: string) =>
  returnTo === "/" ? path : `${path}?returnTo=${encodeURIComponent(returnTo)}`;

export function signInPages(router: Router, services: Services): void {
  const secure = services.config.secureCookies;
  const verify = [formBody, services.csrf.verify];

  async function pendingSession(req: Request, stage: "mfa_verify" | "mfa_enroll") {
    const s = await services.sessions.resolve(cookieValue(req, SESSION_COOKIE));
    if (!s || s.session.stage !== stage) throw new AppError("unauthorized", "sign in first");
    return s;
  }

  async function orgPage(req: Request, res: Response, slug: string, error?: string, status = 200) {
    const view = viewOf(res);
    const returnTo = returnToOf(req);
    const props = { csrf: view.csrf, returnTo, error };
    const org = slug ? await services.orgs.findBySlug(slug) : null;
    const title = "Sign in";
    if (!org) {
      const unknown = slug ? `There is no organization "${slug}". Check its short name.` : undefined;
      return page(
        res,
        { view, title, narrow: true, status: slug ? 404 : status },
        OrgStep({ ...props, org: slug, error: error ?? unknown }),
      );
    }
    const ssoOn = (await ssoStateOf(services.db.prisma, org.id)) === "on";
    const step = ssoOn
      ? SsoStep({ ...props, org })
      : PasswordStep({ ...props, org, email: str(req.body?.email) });
    return page(res, { view, title, narrow: true, status }, step);
  }

  router.get("/login", async (req, res) => {
    const view = viewOf(res);
    // Already signed in: nothing to do here.
    if (view.viewer) return res.redirect(303, returnToOf(req));
    const notice = req.query.signedOut === "1" ? "You are signed out." : null;
    const slug = str(req.query.org).trim().toLowerCase();
    if (!slug)
      return page(
        res,
        { view, title: "Sign in", narrow: true },
        OrgStep({ csrf: view.csrf, returnTo: returnToOf(req), notice }),
      );
    await orgPage(req, res, slug);
  });

  router.post("/login", ...verify, async (req, res) => {
    const returnTo = returnToOf(req);
    const result = await attempt(() =>
      services.auth.login(
        loginBody.parse({ org: req.body?.org, email: req.body?.email, password: req.body?.password }),
        req.ip ?? "unknown",
        res.locals.requestId,
      ),
    );
    if (!result.ok)
      return orgPage(req, res, str(req.body?.org), sentence(result.error.message), result.error.status);
    setSessionCookie(res, secure, result.value);
    if (result.value.stage === "mfa_verify") return res.redirect(303, withReturn("/login/mfa", returnTo));
    if (result.value.stage === "mfa_enroll")
      return res.redirect(303, withReturn("/login/mfa/enroll", returnTo));
    res.redirect(303, returnTo);
  });

  router.get("/login/mfa", async (req, res) => {
    await pendingSession(req, "mfa_verify");
    const view = viewOf(res);
    await page(
      res,
      { view, title: "Two-factor authentication", narrow: true },
      TotpStep({ csrf: view.csrf, returnTo: returnToOf(req) }),
    );
  });

  router.post("/login/mfa", ...verify, async (req, res) => {
    const s = await pendingSession(req, "mfa_verify");
    const result = await attempt(() =>
      services.auth.verifyStep(s, codeBody.parse({ code: req.body?.code }), res.locals.requestId),
    );
    if (result.ok) return res.redirect(303, returnToOf(req));
    const view = viewOf(res);
    await page(
      res,
      { view, title: "Two-factor authentication", narrow: true, status: result.error.status },
      TotpStep({ csrf: view.csrf, returnTo: returnToOf(req), error: sentence(result.error.message) }),
    );
  });

  // The organization requires two-factor authentication and this person has none yet.
  async function enrolPage(req: Request, res: Response, error?: string, status = 200) {
    const s = await pendingSession(req, "mfa_enroll");
    const view = viewOf(res);
    const { secret, otpauthUrl } = await services.auth.startEnrollment(s);
    const safeSteps = await EnrolStep({
      csrf: view.csrf,
      returnTo: returnToOf(req),
      action: "/login/mfa/enroll",
      secret,
      otpauthUrl,
      label: "QR code for your authenticator app",
      error,
    });
    const body = (
      <>
        <h1>Set up two-factor authentication</h1>
        <p safe>{`${s.org.name} requires a second factor for password sign-in.`}</p>
        {safeSteps}
      </>
    );
    await page(res, { view, title: "Set up two-factor authentication", narrow: true, status }, body);
  }
  router.get("/login/mfa/enroll", (req, res) => enrolPage(req, res));
  router.post("/login/mfa/enroll", ...verify, async (req, res) => {
    const s = await pendingSession(req, "mfa_enroll");
    const result = await attempt(() =>
      services.auth.confirmEnrollment(s, codeBody.parse({ code: req.body?.code }), res.locals.requestId),
    );
    if (!result.ok) return enrolPage(req, res, sentence(result.error.message), result.error.status);
    const view = viewOf(res);
    await page(
      res,
      { view, title: "Recovery codes", narrow: true },
      RecoveryCodes({ codes: result.value.recoveryCodes, next: returnToOf(req) }),
    );
  });

  router.post("/logout", ...verify, async (req, res) => {
    const s = await services.sessions.resolve(cookieValue(req, SESSION_COOKIE));
    if (s) await services.auth.logout(s, res.locals.requestId);
    clearSessionCookie(res, secure);
    res.redirect(303, "/login?signedOut=1");
  });

  // A signed-in person who opens / is an Admin (overview) or goes to their profile.
  router.get("/", (req, res, next) => {
    const auth = authOf(res);
    if (auth?.kind === "session" && auth.stage === "mfa_verify") return res.redirect(303, "/login/mfa");
    if (auth?.kind === "session" && auth.stage === "mfa_enroll")
      return res.redirect(303, "/login/mfa/enroll");
    next();
  });
}
