// Profile (everyone): own names, role and why, password, and two-factor enrolment with a QR
// code drawn on the server and recovery codes shown once. The same services as PATCH /me,
// POST /me/password and /auth/mfa/enroll; names and password are the IdP's while SSO is on.
import type { Request, Response, Router } from "express";
import type { Services } from "../../services";
import { authOf, ctxOf } from "../../http/auth";
import { cookieValue } from "../../shared/cookies";
import { formBody } from "../../http/csrf";
import { SESSION_COOKIE } from "../../sessions/sessions-service";
import { requireSsoOff } from "../../http/require-sso-off";
import { profilePatch } from "../../users/update-user";
import { changePasswordBody } from "../../auth/change-password";
import { codeBody } from "../../auth/mfa";
import { AppError } from "../../shared/errors";
import { Field, FlashMessage, PostForm, RelTime, SSO_MANAGED } from "../components";
import { signedIn, viewerOf } from "../guards";
import { page } from "../page";
import { viewOf } from "../viewer";
import { attempt, sentence } from "../form-result";
import { roleSentence } from "../role-words";
import { EnrolStep, RecoveryCodes } from "./sign-in-views";

const DONE: Record<string, string> = {
  names: "Your name was saved.",
  password: "Your password was changed.",
};

export function profilePages(router: Router, services: Services): void {
  const write = [formBody, services.csrf.verify, signedIn];
  const ssoGuard = requireSsoOff(services.db.prisma);

  async function session(req: Request) {
    const s = await services.sessions.resolve(cookieValue(req, SESSION_COOKIE));
    if (!s) throw new AppError("unauthorized", "sign in first");
    return s;
  }

  async function render(req: Request, res: Response, flash: { error?: string; status?: number } = {}) {
    const view = viewOf(res);
    const me = viewerOf(res);
    const ctx = ctxOf(res);
    const [user, explanation] = await Promise.all([
      services.users.get(me.org.id, me.user.id),
      services.roles.explainRole(ctx, me.user.id),
    ]);
    const totpSince =
      authOf(res)?.kind === "session"
        ? (authOf(res) as { user: { totpEnabledAt: Date | null } }).user.totpEnabledAt
        : null;
    const managed = me.sso === "on";
    const done = typeof req.query.done === "string" ? (DONE[req.query.done] ?? null) : null;
    await page(
      res,
      { view, title: "Your profile", nav: "profile", status: flash.status },
      <>
        <h1>Your profile</h1>
        <FlashMessage error={flash.error} success={flash.error ? null : done} />
        <section class="panel" aria-labelledby="role-title">
          <h2 id="role-title">Your role</h2>
          <p class="stat">{user.role ?? "No role"}</p>
          {explanation ? <p safe>{roleSentence(explanation)}</p> : ""}
        </section>
        <PostForm action="/profile/names" csrf={view.csrf} class="panel">
          <h2>Name</h2>
          {managed ? <p class="hint">{SSO_MANAGED}</p> : ""}
          <p>
            Email: <span safe>{user.email}</span>
          </p>
          <Field
            label="First name"
            name="firstName"
            value={user.firstName}
            disabled={managed}
            autocomplete="given-name"
          />
          <Field
            label="Last name"
            name="lastName"
            value={user.lastName}
            disabled={managed}
            autocomplete="family-name"
          />
          <button type="submit" disabled={managed}>
            Save name
          </button>
        </PostForm>
        <PostForm action="/profile/password" csrf={view.csrf} class="panel">
          <h2>Password</h2>
          {managed ? <p class="hint">{SSO_MANAGED}</p> : ""}
          <Field
            label="Current password"
            name="currentPassword"
            type="password"
            required
            disabled={managed}
            autocomplete="current-password"
          />
          <Field
            label="New password"
            name="newPassword"
            type="password"
            required
            disabled={managed}
            autocomplete="new-password"
            minlength={12}
            hint="At least 12 characters."
          />
          <button type="submit" disabled={managed}>
            Change password
          </button>
        </PostForm>
        <section class="panel" aria-labelledby="mfa-title">
          <h2 id="mfa-title">Two-factor authentication</h2>
          {totpSince ? (
            <p>
              On since <RelTime at={totpSince} now={view.now} />. To replace your authenticator, ask an Admin
              to reset it.
            </p>
          ) : (
            <PostForm action="/profile/mfa" csrf={view.csrf}>
              <p>Off. Password sign-in then asks only for your password.</p>
              <button type="submit">Set up an authenticator app</button>
            </PostForm>
          )}
        </section>
      </>,
    );
  }

  router.get("/profile", signedIn, (req, res) => render(req, res));

  router.post("/profile/names", ...write, ssoGuard, async (req, res) => {
    const b = (req.body ?? {}) as Record<string, string | undefined>;
    const result = await attempt(() =>
      services.users.updateProfile(
        ctxOf(res),
        viewerOf(res).user.id,
        profilePatch.parse({ firstName: b.firstName || null, lastName: b.lastName || null }),
      ),
    );
    if (!result.ok)
      return render(req, res, { error: sentence(result.error.message), status: result.error.status });
    res.redirect(303, "/profile?done=names");
  });

  router.post("/profile/password", ...write, ssoGuard, async (req, res) => {
    const a = authOf(res);
    if (a?.kind !== "session") throw new AppError("unauthorized", "sign in first");
    const b = (req.body ?? {}) as Record<string, string | undefined>;
    const result = await attempt(() =>
      services.auth.changePassword(
        ctxOf(res),
        { userId: a.user.id, sessionId: a.sessionId },
        changePasswordBody.parse({ currentPassword: b.currentPassword, newPassword: b.newPassword }),
      ),
    );
    if (!result.ok)
      return render(req, res, { error: sentence(result.error.message), status: result.error.status });
    res.redirect(303, "/profile?done=password");
  });

  async function enrolPage(req: Request, res: Response, error?: string, status = 200) {
    const view = viewOf(res);
    const started = await attempt(async () => services.auth.startEnrollment(await session(req)));
    if (!started.ok)
      return render(req, res, { error: sentence(started.error.message), status: started.error.status });
    const safeSteps = await EnrolStep({
      csrf: view.csrf,
      returnTo: "/profile",
      action: "/profile/mfa/confirm",
      secret: started.value.secret,
      otpauthUrl: started.value.otpauthUrl,
      label: "QR code for your authenticator app",
      error,
    });
    await page(
      res,
      { view, title: "Set up two-factor authentication", nav: "profile", status },
      <>
        <h1>Set up two-factor authentication</h1>
        {safeSteps}
      </>,
    );
  }
  router.post("/profile/mfa", ...write, (req, res) => enrolPage(req, res));
  router.post("/profile/mfa/confirm", ...write, async (req, res) => {
    const s = await session(req);
    const result = await attempt(() =>
      services.auth.confirmEnrollment(s, codeBody.parse({ code: req.body?.code }), res.locals.requestId),
    );
    if (!result.ok)
      return enrolPage(
        req,
        res,
        `${sentence(result.error.message)} Scan the new code and try again.`,
        result.error.status,
      );
    await page(
      res,
      { view: viewOf(res), title: "Recovery codes", nav: "profile" },
      <RecoveryCodes codes={result.value.recoveryCodes} next="/profile" />,
    );
  });
}
