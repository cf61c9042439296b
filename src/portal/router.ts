// The admin portal at / (contract section 7): server-rendered pages over the same services as
// the admin API. Mounted last: requests for the other surfaces pass straight through, and an
// unknown URL answers a portal 404 page to a browser and the app's problem+json to others.
// Each page's routes live in pages/*.tsx; this file wires the shared steps in order: assets,
// the portal CSP, who is signed in, the pages, and the portal's own error pages.
import { Router, type RequestHandler } from "express";
import { authenticate } from "../http/auth";
import type { Services } from "../services";
import { assetsRouter } from "./assets";
import { portalErrorHandler, portalNotFound } from "./errors";
import { loadView } from "./viewer";
import type { View } from "./view";
import { signInPages } from "./pages/sign-in";
import { homePages } from "./pages/overview";
import { usersPages } from "./pages/users";
import { groupsPages } from "./pages/groups";
import { invitationsPages } from "./pages/invitations";
import { auditPages } from "./pages/audit";
import { settingsPages } from "./pages/settings";
import { profilePages } from "./pages/profile";
import { ssoSetupPages } from "./pages/sso-setup";
import { scimSetupPages } from "./pages/scim-setup";
import { activityPages } from "./pages/activity";

const OTHER_SURFACES = /^\/(api|scim|sso|auth|healthz|readyz|metrics)(\/|$)/;

// Stricter than the app-wide policy: no inline style either (the portal has none), and the
// portal is never framed.
function portalCsp(https: boolean): RequestHandler {
  const policy = [
    "default-src 'self'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "img-src 'self' data:",
    "object-src 'none'",
    "script-src 'self'",
    "script-src-attr 'none'",
    "style-src 'self'",
    "style-src-attr 'none'",
    ...(https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
  return (_req, res, next) => {
    res.set("Content-Security-Policy", policy);
    next();
  };
}

export const wantsHtml = (accept: string | undefined): boolean => /text\/html/i.test(accept ?? "");

/** Each page module adds its routes to the portal router. */
export type PageModule = (router: Router, services: Services) => void;

export const PAGE_MODULES: PageModule[] = [
  signInPages,
  homePages,
  usersPages,
  groupsPages,
  invitationsPages,
  auditPages,
  settingsPages,
  profilePages,
  ssoSetupPages,
  scimSetupPages,
  activityPages,
];

export function createPortalRouter(services: Services, modules: PageModule[] = PAGE_MODULES): Router {
  const portal = Router();
  portal.use((req, _res, next) => next(OTHER_SURFACES.test(req.path) ? "router" : undefined));
  portal.use(assetsRouter());
  // Browsers ask for it on every page of the site; the pages link none.
  portal.get("/favicon.ico", (_req, res) => {
    res.status(204).set("Cache-Control", "public, max-age=86400").end();
  });
  portal.use(portalCsp(services.config.secureCookies));
  portal.use((_req, res, next) => {
    res.locals.errorFormat = "html";
    next();
  });
  portal.use(authenticate(services));
  portal.use(async (req, res, next) => {
    await loadView(services, req, res);
    next();
  });

  const pages = Router();
  for (const add of modules) add(pages, services);
  portal.use(pages);

  // Unknown URLs: a page for browsers; anything else falls through to the app's 404.
  portal.use((req, res, next) => {
    if (wantsHtml(req.get("accept"))) return portalNotFound(req, res, next);
    res.locals.errorFormat = undefined;
    next("router");
  });
  const fallbackView = (_req: unknown, res: { locals: Record<string, unknown> }): View => ({
    viewer: null,
    csrf: "",
    requestId: String(res.locals.requestId ?? ""),
    now: services.clock(),
  });
  portal.use(portalErrorHandler(services.logger, fallbackView));
  return portal;
}
