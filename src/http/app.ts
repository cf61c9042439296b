// createApp wires the HTTP surfaces over the services. Order matters: request id first (so
// every later log line has it), then metrics, security headers, the error format of each
// surface (before the body parsers, whose errors must come out in that format), the refusal
// of cross-origin writes and of unexpected forms, the JSON parser with its size limit (forms
// are parsed by the routes that take them: csrf.ts formBody), the routers, and last the 404
// and the one error handler.
import express, { type Express } from "express";
import type { Services } from "../services";
import { requestId } from "./middleware/request-id";
import { chain } from "./middleware/chain";
import { securityHeaders } from "./security-headers";
import { createHttpMetrics } from "./middleware/metrics";
import { errorFormat, errorHandler, notFound } from "./error-handler";
import { rejectHostileUrl, rejectNulInJson, requireJsonBody } from "./middleware/hostile-input";
import { healthRoutes } from "./health-routes";
import { createApiRouter } from "../api/router";
import { mount } from "./mount";
import { scimRouter } from "../scim/router";
import { authPageFormat, authRoutes } from "./auth-routes";
import { createSsoRouter } from "../sso/routes";
import { createPortalRouter } from "../portal/router";
import { sameOriginWrites } from "./same-origin";
import { formsOnlyWhereExpected } from "./form-gate";
import { SIGN_IN_PATHS } from "./rate-limit";
import { formBody } from "./csrf";

export const JSON_TYPES = ["application/json", "application/scim+json", "application/*+json"];
export const BODY_LIMIT = "1mb";

export function createApp(services: Services): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", services.config.trustProxy);
  // Flat parameters are all any surface takes (node:querystring, Express 5's default): qs's nesting
  // would only cost every request more.
  app.set("query parser", "simple");

  const metrics = createHttpMetrics(services.logger);
  // One layer of the router for what every request passes (middleware/chain.ts: each layer costs).
  app.use(
    chain(
      requestId,
      metrics.middleware,
      securityHeaders(services.config.secureCookies),
      ["/scim", errorFormat("scim")],
      ["/sso", errorFormat("html")],
      ["/auth", authPageFormat],
      // Before any work: a request that would only wait for a database connection is refused (503).
      services.rateLimits.databaseQueue,
      rejectHostileUrl,
      // Before any body is read: writes from another site's pages, and forms where none is expected.
      sameOriginWrites(services.config.baseUrl),
      formsOnlyWhereExpected,
      ["/scim", requireJsonBody(JSON_TYPES, "application/scim+json")],
      ["/api", requireJsonBody(JSON_TYPES, "application/json")],
      express.json({ limit: BODY_LIMIT, type: JSON_TYPES, verify: rejectNulInJson }),
    ),
  );

  // SCIM first: it carries most of the traffic, and every router a request passes through
  // costs it (a router that matches nothing hands the request on in a later event-loop turn).
  mount(app.router, "/scim/v2/:org", scimRouter(services));
  app.use(SIGN_IN_PATHS, services.rateLimits.signIn);
  // The SAML ACS is the one form under /sso (formsOnlyWhereExpected refused any other); the IdP
  // posts it, and encrypted responses run to tens of kilobytes.
  app.use("/sso", formBody);
  mount(app.router, "/sso/:org", createSsoRouter(services));
  mount(app.router, "/auth", authRoutes(services));
  mount(app.router, "/api/v1", createApiRouter(services));
  app.use(healthRoutes(services.db, metrics.registry));
  // The portal last: it owns every other path, and browsers get its HTML 404 page.
  app.use(createPortalRouter(services));

  app.use(notFound);
  app.use(errorHandler(services.logger));
  return app;
}
