// Security headers of every response: helmet's set for the pages and APIs a browser may open, and
// for SCIM (/scim) the few that matter to a JSON API only IdPs call (OWASP REST Security Cheat
// Sheet, "Security headers"): its answers are application/scim+json to bearer-authenticated
// requests, never a document a browser renders, frames or navigates from, so the document
// headers (X-Frame-Options, Referrer-Policy, COOP, CORP, Origin-Agent-Cluster, the legacy X-*
// ones) protect nothing there, while each header costs every request of an IdP's sync its
// setting and its bytes (docs/decisions.md, "SCIM answers carry an API's security headers").
import type { RequestHandler } from "express";
import helmet from "helmet";

/** What a SCIM answer carries: no sniffing it into HTML, and nothing to load or frame if opened. */
export const SCIM_CSP = "default-src 'none'; frame-ancestors 'none'";
// helmet's own HSTS value, so that both surfaces announce the same policy.
const HSTS = "max-age=31536000; includeSubDomains";

export function securityHeaders(https: boolean): RequestHandler {
  // Over plain http (development), HSTS and upgrade-insecure-requests would break the portal.
  const pages = helmet({
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
