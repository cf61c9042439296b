// Cross-origin writes are refused before any body is read: a state change (POST, PUT, PATCH,
// DELETE) that a browser sent from a page not ours never reaches a route. SameSite=Lax alone
// lets a sibling origin of the same site (another port, another subdomain) post with the
// admin's cookie, and login CSRF needs no victim cookie at all, so the check runs on every
// write that does not carry a bearer token. Browsers send Origin on every cross-origin POST
// (Fetch standard, "append a request Origin header") and Sec-Fetch-Site where they have it;
// a request with neither is not a browser's cross-site request (curl, SDKs, tests), and goes
// on as before. The same rule as Go's net/http CrossOriginProtection.
import type { Request, RequestHandler } from "express";
import { AppError } from "../shared/errors";
import { STATE_CHANGING } from "./csrf";
import { SAML_ACS, surfaceFormatOf } from "./form-gate";

// API keys and SCIM tokens travel in a header a cross-site page cannot make a browser send.
// Basic credentials (a proxy's) can be replayed by the browser, so only Bearer counts.
const hasBearer = (req: Request): boolean => /^Bearer\s/i.test(req.get("authorization") ?? "");

function sentByUs(req: Request, ourOrigin: string): boolean {
  const origin = req.get("origin");
  const site = req.get("sec-fetch-site");
  // A page under Referrer-Policy no-referrer (helmet's default; the /auth pages) makes Chrome send
  // "Origin: null" on its own form posts: then Sec-Fetch-Site, which the browser sets, decides.
  if (origin === "null" && site !== undefined) return site === "same-origin";
  if (origin !== undefined) return origin.toLowerCase() === ourOrigin;
  // "none": the person started the request (address bar, bookmark), not a page.
  if (site !== undefined) return site === "same-origin" || site === "none";
  return true;
}

export function sameOriginWrites(baseUrl: string): RequestHandler {
  const ourOrigin = new URL(baseUrl).origin;
  return (req, res, next) => {
    if (!STATE_CHANGING.has(req.method) || hasBearer(req) || SAML_ACS.test(req.path)) return next();
    if (sentByUs(req, ourOrigin)) return next();
    res.locals.errorFormat = surfaceFormatOf(req, res.locals);
    next(
      new AppError(
        "csrf_failed",
        `this request came from another site; only pages of ${ourOrigin} may send it`,
      ),
    );
  };
}
