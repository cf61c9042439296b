// GET /sso/{org}/oidc/callback as a story: consume the stored request (state, browser
// binding), exchange the code with PKCE, validate the ID token (iss, aud, exp, nonce, alg,
// signature), fill missing claims from userinfo, then hand the identity to completeSignIn, or,
// for an Admin's test sign-in, to the test result (same checks, no user, no session).
import * as client from "openid-client";
import type { Organization } from "../../generated/prisma/client";
import { AppError } from "../../shared/errors";
import type { Cipher } from "../../shared/crypto";
import { completeSignIn, type SignInDeps, type SignInSuccess } from "../complete-sign-in";
import type { SsoConnectionRecord } from "../protocol";
import type { IdentityClaims } from "../sign-in-user";
import { RefusedSignIn, refuseSignIn } from "../refusal";
import { recordTestResult } from "../test-sign-in/record-result";
import { consumeAuthRequest, type ConsumedRequest } from "./auth-requests";
import { identityOf, mergeClaims, needsUserinfo, type Claims } from "./claims";
import type { ProviderCache, ProviderHandle } from "./provider-cache";
import { callbackUrl, oidcConnectionOf, type OidcConnection } from "./settings";
import { refusalOfGrantError } from "./token-errors";

export interface CallbackInput {
  org: Organization;
  connection: SsoConnectionRecord;
  /** The query string of the callback request, as received. */
  query: string;
  browserCookie: string | undefined;
  requestId: string;
}

export type FinishDeps = SignInDeps & { cipher: Cipher; providers: ProviderCache; baseUrl: string };

const isNetworkError = (e: unknown): boolean =>
  e instanceof Error &&
  (e.name === "AbortError" || e.name === "TimeoutError" || /fetch failed/i.test(e.message));

/** Claims that only serve the protocol itself, left off a test result. */
const PROTOCOL_CLAIMS = new Set(["nonce", "at_hash", "c_hash", "s_hash", "auth_time", "iat", "exp", "nbf"]);

export async function finishOidcSignIn(
  deps: FinishDeps,
  input: CallbackInput,
): Promise<SignInSuccess | { testResultId: string }> {
  const conn = oidcConnectionOf(input.connection);
  const params = new URLSearchParams(input.query);
  let request: ConsumedRequest | null = null;
  let verified: { claims: Claims; returnTo: string };
  const test = (rest: { identity: IdentityClaims | null; attributes: Claims; refusal?: RefusedSignIn }) =>
    recordTestResult(deps, {
      org: input.org,
      connection: input.connection,
      protocol: "oidc",
      sessionId: request?.testSessionId as string,
      requestId: input.requestId,
      facts: { issuer: conn.issuer },
      ...rest,
    });
  try {
    request = await consumeAuthRequest(
      { db: deps.db.prisma, cipher: deps.cipher, clock: deps.clock },
      { orgId: input.org.id, state: params.get("state") ?? undefined, browserCookie: input.browserCookie },
    );
    verified = await verifyCallback(deps, input, conn, params, request);
  } catch (e) {
    if (!(e instanceof RefusedSignIn)) throw e;
    if (request?.testSessionId)
      return { testResultId: await test({ identity: null, attributes: {}, refusal: e }) };
    throw await refuseSignIn(deps.db.prisma, {
      orgId: input.org.id,
      protocol: "oidc",
      reason: e.reason,
      message: e.message,
      status: e.status,
      requestId: input.requestId,
      detail: { issuer: conn.issuer, ...e.detail },
    });
  }
  const identity = identityOf(verified.claims, conn.groupsClaim);
  if (request.testSessionId) {
    const shown = Object.fromEntries(
      Object.entries(verified.claims).filter(([k]) => !PROTOCOL_CLAIMS.has(k)),
    );
    return { testResultId: await test({ identity, attributes: shown }) };
  }
  return completeSignIn(deps, {
    ...identity,
    org: input.org,
    connection: input.connection,
    protocol: "oidc",
    requestId: input.requestId,
    returnTo: verified.returnTo,
    auditData: { issuer: conn.issuer, ...(identity.overage ? { groupsSource: "scim (group overage)" } : {}) },
  });
}

async function verifyCallback(
  deps: FinishDeps,
  input: CallbackInput,
  conn: OidcConnection,
  params: URLSearchParams,
  request: ConsumedRequest,
): Promise<{ claims: Claims; returnTo: string }> {
  const idpError = params.get("error");
  if (idpError) {
    // Only the error code (a short ASCII token) is kept; the free-text description is not shown.
    const code = /^[\w.-]{1,64}$/.test(idpError) ? idpError : "invalid";
    throw new RefusedSignIn("idp_error", `Your identity provider refused the sign-in (${code}).`, 401, {
      idpError: code,
    });
  }
  const provider = await deps.providers.handle(conn);
  const currentUrl = new URL(callbackUrl(deps.baseUrl, input.org));
  currentUrl.search = params.toString();

  let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
  try {
    tokens = await client.authorizationCodeGrant(provider.config, currentUrl, {
      pkceCodeVerifier: request.codeVerifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
      idTokenExpected: true,
    });
  } catch (e) {
    const refusal = refusalOfGrantError(e);
    if (refusal?.reason === "unknown_signing_key") deps.providers.forget(conn.id);
    if (refusal) throw refusal;
    if (isNetworkError(e)) {
      throw new AppError(
        "unavailable",
        "Your identity provider cannot be reached right now. Try again later.",
        {
          extra: { reason: "idp_unreachable" },
        },
      );
    }
    throw e;
  } finally {
    provider.saveKeys();
  }
  const idClaims = tokens.claims() as Claims | undefined;
  if (!idClaims) throw new RefusedSignIn("id_token_missing", "Your identity provider sent no ID token.", 401);
  const claims = await withUserinfo(provider, conn, idClaims, tokens.access_token);
  return { claims, returnTo: request.returnTo };
}

/** Userinfo fills the email or groups the ID token left out (e.g. Okta's org server defaults). */
async function withUserinfo(
  provider: ProviderHandle,
  conn: OidcConnection,
  idClaims: Claims,
  accessToken: string,
): Promise<Claims> {
  if (!needsUserinfo(idClaims, conn.groupsClaim) || !provider.metadata.userinfo_endpoint) return idClaims;
  try {
    // The subject must be the ID token's (OpenID Connect Core 5.3.2): fetchUserInfo checks it.
    const info = await client.fetchUserInfo(provider.config, accessToken, String(idClaims.sub));
    return mergeClaims(idClaims, info as Claims);
  } catch (e) {
    const refusal = refusalOfGrantError(e);
    if (refusal) {
      throw new RefusedSignIn(
        "userinfo_invalid",
        "Your identity provider's userinfo answer is not valid.",
        401,
        {
          ...refusal.detail,
        },
      );
    }
    throw e;
  }
}
