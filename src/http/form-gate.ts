// What a cross-site page can post without asking (the "simple" content types: a form, a
// multipart form, text/plain) is taken only where one of our forms, or the IdP's, posts: the
// SAML ACS, the sign-in, invitation and break-glass forms (urlencoded), and the portal's pages
// (whose routers parse forms with formBody). The admin API, SCIM and the rest of /auth and /sso
// answer 415, so that a forged form can never reach a JSON route, not even one that needs no
// body, whatever headers the browser sent.
import type { Request, RequestHandler } from "express";
import { AppError } from "../shared/errors";
import type { ErrorFormat } from "./render";

// The IdP posts the SAMLResponse from its own origin (HTTP-POST binding): the signature,
// audience, Destination, InResponseTo and one-time-use checks protect the ACS, which is
// therefore also the one write exempt from the Origin check (same-origin.ts).
export const SAML_ACS = /^\/sso\/[^/]+\/saml\/acs\/?$/i;

const FORM_ROUTES = [
  SAML_ACS,
  /^\/auth\/login\/?$/i,
  /^\/auth\/invitations\/[^/]+\/accept\/?$/i,
  /^\/auth\/recover\/[^/]+\/?$/i,
];
// Surfaces that take JSON only (outside FORM_ROUTES); every other path is the portal's.
const JSON_SURFACES = /^\/(api|scim|sso|auth)(\/|$)/i;

const FORM = "application/x-www-form-urlencoded";
const SIMPLE_TYPES = [FORM, "multipart/form-data", "text/plain"];

// By header, not req.is(): a form with no fields posts no body, and req.is() is null then.
const contentType = (req: Request): string => (req.get("content-type") ?? "").trim().toLowerCase();
export const isForm = (req: Request): boolean => contentType(req).startsWith(FORM);

/** The error format of the surface a request is for, decided before its router runs. */
export function surfaceFormatOf(req: Request, locals: Record<string, unknown>): ErrorFormat {
  const set = locals.errorFormat as ErrorFormat | undefined;
  if (set) return set;
  if (/^\/api(\/|$)/i.test(req.path)) return "problem";
  if (/^\/auth(\/|$)/i.test(req.path)) return isForm(req) ? "html" : "problem";
  return "html";
}

export const formsOnlyWhereExpected: RequestHandler = (req, res, next) => {
  const type = contentType(req);
  const simple = SIMPLE_TYPES.find((t) => type.startsWith(t));
  if (!simple || !JSON_SURFACES.test(req.path)) return next();
  const formRoute = FORM_ROUTES.some((r) => r.test(req.path));
  if (simple === FORM && formRoute) return next();
  res.locals.errorFormat = surfaceFormatOf(req, res.locals);
  const takes = formRoute ? `${FORM} or JSON` : "JSON";
  next(new AppError("unsupported_media_type", `this endpoint takes ${takes}, not ${simple}`));
};
