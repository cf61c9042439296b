// OpenID Provider discovery (OpenID Connect Discovery 1.0) through openid-client, checked for
// what this relying party needs, and turned into problem-ready messages naming the issuer.
// Also the transport rule: https issuers only, plain http only for loopback outside production;
// and the address rule: every request goes through the guarded fetch (src/shared/guarded-fetch.ts).
import * as client from "openid-client";
import { AddressRefused, createGuardedFetch, NetworkError } from "../../shared/guarded-fetch";

/** JWS algorithms we accept for ID tokens: asymmetric only. */
// Why: "none" means unsigned, and HS* would make the client secret a signing key that anyone
// holding it (every copy of the app registration) could forge tokens with.
export const ACCEPTED_ALGS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
];

const LOOPBACK = new Set(["127.0.0.1", "[::1]", "localhost"]);
const DISCOVERY_TIMEOUT_S = 10;

export type ServerMetadata = client.ServerMetadata;

export class DiscoveryError extends Error {
  override name = "DiscoveryError";
}

/** Why an issuer URL cannot be used, or null. Plain http is for a provider on this machine. */
export function issuerUrlProblem(issuer: string, production: boolean): string | null {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return "must be an absolute https URL, such as https://acme.okta.com";
  }
  if (url.search || url.hash) return "must not contain a query or fragment";
  if (url.protocol === "https:") return null;
  if (url.protocol === "http:" && LOOPBACK.has(url.hostname) && !production) return null;
  return "must be an https URL (plain http is accepted only for a provider on this machine, outside production)";
}

export const insecureAllowed = (issuer: string): boolean => new URL(issuer).protocol === "http:";

/** Who may be reached: SSO_ALLOW_PRIVATE_URLS (config.ssoAllowPrivateUrls). */
export interface NetworkPolicy {
  allowPrivate: boolean;
}

/** The fetch every request to a provider goes through (discovery, key set, token endpoint). */
export const providerFetch = (policy: NetworkPolicy): client.CustomFetch =>
  createGuardedFetch({ allowPrivate: policy.allowPrivate }) as client.CustomFetch;

function causes(e: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let c = e; c && chain.length < 5; c = (c as { cause?: unknown }).cause) chain.push(c);
  return chain;
}

// Why: a network error's code (ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET...) tells an admin
// which ports of the service's network are open; every network failure reads the same.
const describe = (e: unknown): string => {
  const chain = causes(e);
  if (chain.some((c) => c instanceof NetworkError || isAbort(c))) return "the provider could not be reached";
  const err = e as { code?: string; message?: string };
  if (err?.code === "OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED")
    return "the issuer in the discovery document differs";
  if (typeof err?.code === "string" && err.code.startsWith("OAUTH_")) {
    return (err.message ?? err.code).replace(/\s+/g, " ").slice(0, 200);
  }
  return "the provider could not be reached";
};

const isAbort = (e: unknown): boolean =>
  e instanceof Error && (e.name === "AbortError" || e.name === "TimeoutError");

/**
 * Fetches and checks `{issuer}/.well-known/openid-configuration`. The metadata's `issuer`
 * must equal the configured one (openid-client checks it: OpenID Discovery 4.3), and the
 * ID token algorithms kept are the provider's, restricted to ACCEPTED_ALGS.
 */
export async function discover(issuer: string, policy: NetworkPolicy): Promise<ServerMetadata> {
  let config: client.Configuration;
  try {
    config = await client.discovery(new URL(issuer), "discovery-probe", undefined, client.None(), {
      execute: insecureAllowed(issuer) ? [client.allowInsecureRequests] : [],
      timeout: DISCOVERY_TIMEOUT_S,
      [client.customFetch]: providerFetch(policy),
    });
  } catch (e) {
    const refused = causes(e).find((c) => c instanceof AddressRefused);
    if (refused) throw new DiscoveryError(`discovery refused for ${issuer}: ${refused.message}`);
    throw new DiscoveryError(
      `discovery failed for ${issuer}: ${describe(e)} (is ${issuer}/.well-known/openid-configuration reachable and is its "issuer" exactly ${issuer}?)`,
    );
  }
  // serverMetadata() carries helper functions: keep the plain JSON document only.
  const metadata = JSON.parse(JSON.stringify(config.serverMetadata())) as ServerMetadata;
  // Why: a templated issuer ("{tenantid}", Entra's /common and /organizations endpoints)
  // would accept ID tokens of every tenant; an organization must name its own tenant.
  if (metadata.issuer.includes("{")) {
    throw new DiscoveryError(
      `${issuer} is a multi-tenant endpoint (issuer ${metadata.issuer}): use your tenant's issuer, https://login.microsoftonline.com/<tenant id>/v2.0`,
    );
  }
  for (const field of ["authorization_endpoint", "token_endpoint", "jwks_uri"] as const) {
    if (typeof metadata[field] !== "string") {
      throw new DiscoveryError(`the discovery document of ${issuer} has no ${field}`);
    }
  }
  if (metadata.response_types_supported && !metadata.response_types_supported.includes("code")) {
    throw new DiscoveryError(`${issuer} does not support the authorization code flow`);
  }
  const pkce = metadata.code_challenge_methods_supported;
  if (pkce && !pkce.includes("S256")) throw new DiscoveryError(`${issuer} does not support PKCE with S256`);
  // OpenID Discovery: RS256 is the default when the provider does not list its algorithms.
  const algs = (metadata.id_token_signing_alg_values_supported ?? ["RS256"]).filter((a) =>
    ACCEPTED_ALGS.includes(a),
  );
  if (algs.length === 0) {
    throw new DiscoveryError(
      `${issuer} signs ID tokens only with ${(metadata.id_token_signing_alg_values_supported ?? []).join(", ") || "no algorithm"}; an asymmetric algorithm (such as RS256) is required`,
    );
  }
  return { ...metadata, id_token_signing_alg_values_supported: algs };
}
