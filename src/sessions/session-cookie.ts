// The session cookie, set and cleared in one place for every way of signing in (password,
// invitation, break-glass link, SAML, OIDC): HttpOnly (no script reads it), SameSite=Lax
// (sent on the top-level redirect back from the IdP, not on cross-site sub-requests), and
// Secure whenever BASE_URL is https.
import type { CookieOptions, Response } from "express";
import { SESSION_COOKIE } from "./sessions-service";

const options = (secure: boolean): CookieOptions => ({ httpOnly: true, sameSite: "lax", secure, path: "/" });

export function setSessionCookie(
  res: Response,
  secure: boolean,
  session: { cookieValue: string; expiresAt: Date },
): void {
  res.cookie(SESSION_COOKIE, session.cookieValue, { ...options(secure), expires: session.expiresAt });
}

export function clearSessionCookie(res: Response, secure: boolean): void {
  res.clearCookie(SESSION_COOKIE, options(secure));
}
