// OIDC as an SSO protocol (src/sso/protocol.ts): settings checked against discovery at PUT,
// GET /sso/{org}/login → authorization request (code flow, PKCE S256, state, nonce), and
// GET /sso/{org}/oidc/callback → finishOidcSignIn → the shared completeSignIn.
import { Router, type Response } from "express";
import * as client from "openid-client";
import type { SsoDeps } from "../deps";
import { cookieValue } from "../../shared/cookies";
import { sendSignedIn } from "../complete-sign-in";
import { inputOf, type SsoProtocol } from "../protocol";
import { ssoTargetOf } from "../target";
import { AppError } from "../../shared/errors";
import { sendToTestResult } from "../test-sign-in/record-result";
import { AUTH_REQUEST_TTL_MS, BROWSER_COOKIE, createAuthRequest, isTestState } from "./auth-requests";
import { finishOidcSignIn } from "./finish-sign-in";
import { createProviderCache } from "./provider-cache";
import { callbackUrl, oidcConnectionOf, parseOidcConnection, presentOidc } from "./settings";

export function createOidcProtocol(deps: SsoDeps): SsoProtocol {
  const { config, db, cipher, clock } = deps;
  const network = { allowPrivate: config.ssoAllowPrivateUrls };
  const providers = createProviderCache({ clock, network });
  const requestDeps = { db: db.prisma, cipher, clock };

  const setBrowserCookie = (res: Response, slug: string, value: string) =>
    res.cookie(BROWSER_COOKIE, value, {
      httpOnly: true,
      // Lax: the provider sends the browser back with a top-level GET, which Lax allows.
      sameSite: "lax",
      secure: config.secureCookies,
      path: `/sso/${encodeURIComponent(slug)}/oidc/callback`,
      maxAge: AUTH_REQUEST_TTL_MS,
    });

  const routes = Router({ mergeParams: true });
  routes.get("/oidc/callback", async (req, res) => {
    const { org, connection } = await ssoTargetOf(deps, req, { protocol: "oidc", requireEnabled: false });
    const query = req.originalUrl.includes("?")
      ? req.originalUrl.slice(req.originalUrl.indexOf("?") + 1)
      : "";
    // While SSO is off, only the answer to an Admin's test sign-in goes on.
    if (
      !connection.enabled &&
      !(await isTestState(db.prisma, org.id, new URLSearchParams(query).get("state")))
    ) {
      throw new AppError("forbidden", "Single sign-on is turned off for this organization.", {
        extra: { reason: "sso_disabled" },
      });
    }
    const success = await finishOidcSignIn(
      { ...deps, providers, baseUrl: config.baseUrl },
      {
        org,
        connection,
        query,
        browserCookie: cookieValue(req, BROWSER_COOKIE),
        requestId: res.locals.requestId as string,
      },
    );
    if ("testResultId" in success) sendToTestResult(res, success.testResultId);
    else sendSignedIn(res, success, config.secureCookies);
  });

  return {
    protocol: "oidc",
    parseConnection: (input, pctx) =>
      parseOidcConnection(inputOf("oidc", input), pctx, { production: config.env === "production", network }),
    present: async (record, org) => presentOidc(record, org, config.baseUrl),
    routes,

    async startLogin(req, res, { org, connection, returnTo, testSessionId }) {
      const conn = oidcConnectionOf(connection);
      const provider = await providers.handle(conn);
      const started = await createAuthRequest(requestDeps, {
        orgId: org.id,
        returnTo,
        browserCookie: cookieValue(req, BROWSER_COOKIE),
        testSessionId,
      });
      const url = client.buildAuthorizationUrl(provider.config, {
        redirect_uri: callbackUrl(config.baseUrl, org),
        response_type: "code",
        scope: conn.scopes,
        state: started.state,
        nonce: started.nonce,
        code_challenge: started.codeChallenge,
        code_challenge_method: "S256",
      });
      setBrowserCookie(res, org.slug, started.browserValue);
      res.redirect(302, url.href);
    },
  };
}
