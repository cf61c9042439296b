// CSRF tokens for our own forms and scripted requests: a double-submit token bound to a
// random per-browser cookie by an HMAC under the server secret. A cross-site page can make
// the browser send the cookie but can read neither the cookie nor the page holding the
// token, and cannot compute the token without the secret (OWASP CSRF cheat sheet, "signed
// double-submit cookie"). The Origin check (same-origin.ts) runs in front of it: a sibling
// subdomain that plants its own sb_csrf cookie is still refused there for not being us.
import { createHmac, hkdfSync, randomBytes } from "node:crypto";
import express, { type Request, type RequestHandler, type Response } from "express";
import { AppError } from "../shared/errors";
import { safeEqual } from "../shared/crypto";
import { cookieValue } from "../shared/cookies";
import { rejectNulInForm } from "./middleware/hostile-input";

export const CSRF_FIELD = "_csrf";
export const CSRF_HEADER = "x-csrf-token";
export const CSRF_COOKIE = "sb_csrf";

export interface Csrf {
  /** The token for this browser: sets a random `sb_csrf` cookie (HttpOnly, SameSite=Lax, Secure behind https, Path=/) when absent; token = HMAC(secret, cookie value) in base64url. */
  token(req: Request, res: Response): string;
  /** Middleware: on POST/PUT/PATCH/DELETE requires CSRF_FIELD in the (urlencoded) body or CSRF_HEADER to match; else next(AppError("csrf_failed")). */
  verify: RequestHandler;
}

export const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

// 32 random bytes in base64url: anything else in the cookie was not set by us.
const COOKIE_SHAPE = /^[A-Za-z0-9_-]{43}$/;
const LOCALS_KEY = "csrfCookie";

export function createCsrf(secretKey: string, opts: { secureCookies: boolean }): Csrf {
  // A key of its own, so that a token can never be mistaken for any other MAC we compute.
  const key = Buffer.from(hkdfSync("sha256", secretKey, "sso-bridge", "csrf v1", 32));
  const sign = (cookie: string): string => createHmac("sha256", key).update(cookie).digest("base64url");

  const presentedCookie = (req: Request): string | undefined => {
    const value = cookieValue(req, CSRF_COOKIE);
    return value && COOKIE_SHAPE.test(value) ? value : undefined;
  };

  return {
    token(req, res) {
      // Several forms on one page share the cookie this response sets.
      let cookie = (res.locals[LOCALS_KEY] as string | undefined) ?? presentedCookie(req);
      if (!cookie) {
        cookie = randomBytes(32).toString("base64url");
        res.cookie(CSRF_COOKIE, cookie, {
          httpOnly: true,
          sameSite: "lax",
          secure: opts.secureCookies,
          path: "/",
        });
      }
      res.locals[LOCALS_KEY] = cookie;
      return sign(cookie);
    },

    verify(req, _res, next) {
      if (!STATE_CHANGING.has(req.method)) return next();
      const cookie = presentedCookie(req);
      const body = req.body as Record<string, unknown> | undefined;
      const fromBody = body && typeof body === "object" ? body[CSRF_FIELD] : undefined;
      const presented = typeof fromBody === "string" ? fromBody : req.get(CSRF_HEADER);
      if (!cookie) return next(new AppError("csrf_failed", "reload the page and try again (no CSRF cookie)"));
      if (!presented || !safeEqual(presented, sign(cookie))) {
        return next(
          new AppError("csrf_failed", "reload the page and try again (missing or wrong CSRF token)"),
        );
      }
      next();
    },
  };
}

/** Form bodies, only where a form is expected (the SAML ACS, sign-in and invitation forms, the portal). */
export const formBody: RequestHandler = express.urlencoded({
  limit: "1mb",
  extended: false,
  verify: rejectNulInForm,
});
