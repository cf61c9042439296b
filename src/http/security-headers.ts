// Security headers of every response: helmet's set for the pages and APIs a browser may open, and
// for SCIM (/scim) the few that matter to a JSON API only IdPs call (OWASP REST Security Cheat
// Sheet, "Security headers"): its answers are application/scim+json to bearer-authenticated
// requests, never a document a browser renders, frames or navigates from, so the document
// headers (X-Frame-Options, Referrer-Policy, COOP, CORP, Origin-Agent-Cluster, the legacy X-*
// ones) protect nothing there, while each header costs every request of an IdP's sync its
// setting and its bytes (docs/decisions.md, "SCIM answers carry an API's security headers").
import type { RequestHandler, Response } from "express";
import helmet, { type HelmetOptions } from "helmet";

/** What a SCIM answer carries: no sniffing it into HTML, and nothing to load or frame if opened. */
export const SCIM_CSP = "default-src 'none'; frame-ancestors 'none'";
// helmet's own HSTS value, so that both surfaces announce the same policy.
const HSTS = "max-age=31536000; includeSubDomains";

/**
 * helmet's middleware for `options`, run once at start-up on a recorder: helmet only sets and
 * removes headers, the same on every response while no option is a function (no per-request CSP
 * nonce), and its dozen middlewares run per request cost more than setting their result.
 */
function helmetOnce(options: HelmetOptions): RequestHandler {
  const set: [string, string][] = [];
  const removed: string[] = [];
  const recorder = {
    setHeader: (name: string, value: string) => void set.push([name, String(value)]),
    removeHeader: (name: string) => void removed.push(name),
  };
  let ran = false;
  helmet(options)({} as never, recorder as unknown as Response, (err?: unknown) => {
    if (err) throw err;
    ran = true;
  });
  if (!ran) throw new Error("helmet did not answer synchronously: its headers cannot be computed once");
  return (_req, res, next) => {
    for (const name of removed) res.removeHeader(name);
    for (const [name, value] of set) res.setHeader(name, value);
    next();
  };
}

export function securityHeaders(https: boolean): RequestHandler {
  // Over plain http (development), HSTS and upgrade-insecure-requests would break the portal.
  const pages = helmetOnce({
    strictTransportSecurity: https,
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: https ? [] : null } },
  });
  return (req, res, next) => {
    if (!req.url.startsWith("/scim/")) return pages(req, res, next);
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Content-Security-Policy", SCIM_CSP);
    if (https) res.setHeader("Strict-Transport-Security", HSTS);
    next();
  };
}
