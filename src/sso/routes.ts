// The browser side of SSO under /sso/{org}: GET /login dispatches to the organization's
// protocol; each protocol adds its own endpoints (saml/metadata, saml/acs, oidc/callback).
// Errors here render as HTML pages (app.ts sets the /sso error format).
import { Router } from "express";
import type { SsoDeps } from "./deps";
import { protocolOf, type ProtocolRegistry } from "./registry";
import { parseReturnTo } from "./return-to";
import { ssoTargetOf } from "./target";
import { isTestRequest, testSessionOf } from "./test-sign-in/test-session";

export interface SsoRouterDeps extends Pick<SsoDeps, "db" | "cipher" | "orgs" | "sessions"> {
  ssoProtocols: ProtocolRegistry;
}

export function createSsoRouter(deps: SsoRouterDeps): Router {
  const router = Router({ mergeParams: true });
  const registry = deps.ssoProtocols;

  router.get("/login", async (req, res) => {
    const returnTo = parseReturnTo(req.query.returnTo);
    // A test sign-in (issue 19 item 4) works while SSO is off, for an Admin's session only.
    const test = isTestRequest(req);
    const { org, connection } = await ssoTargetOf(deps, req, { requireEnabled: !test });
    const testSessionId = test ? await testSessionOf(deps, req, org) : null;
    await protocolOf(registry, connection.protocol).startLogin(req, res, {
      org,
      connection,
      returnTo,
      testSessionId,
    });
  });

  for (const protocol of registry.values()) if (protocol.routes) router.use(protocol.routes);
  return router;
}
