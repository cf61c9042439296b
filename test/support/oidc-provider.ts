// A real OpenID Provider for the tests: panva's certified `oidc-provider` on 127.0.0.1 with an
// ephemeral port, one confidential client registered for our callback, a `groups` claim, and
// a programmatic interaction that signs in the account chosen with signInAs(). Attacks are
// played by `tamperNextIdToken`, which rewrites the ID token the token endpoint answers.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import Provider, { type Configuration, type KoaContextWithOIDC } from "oidc-provider";
import * as jose from "jose";

export interface TestAccount {
  sub: string;
  email: string;
  given_name?: string;
  family_name?: string;
  groups?: string[];
  /** Entra's overage signal: the groups live elsewhere (Graph), not in the token. */
  overage?: boolean;
}

export interface IdTokenTamper {
  /** Change the claims before re-signing (aud, exp, nonce...). */
  claims?: (claims: jose.JWTPayload) => jose.JWTPayload;
  /** Sign with this key instead of the provider's (a foreign key). */
  key?: { privateKey: jose.CryptoKey; kid: string };
  /** Send it unsigned (alg "none"), or MACed with a shared secret (HS256, alg confusion). */
  forge?: "none" | { hs256: string };
}

export interface TestOp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  accounts: Map<string, TestAccount>;
  addAccount(account: TestAccount): TestAccount;
  signInAs(sub: string): void;
  tamperNextIdToken(tamper: IdTokenTamper): void;
  /** Replace the provider's signing key (same issuer and port): the key set rotates. */
  rotateKeys(): Promise<void>;
  /** How many times the JWKS document was fetched. */
  jwksFetches(): number;
  /** How many times the discovery document was fetched. */
  discoveryFetches(): number;
  close(): Promise<void>;
}

const SCOPE_CLAIMS = {
  openid: ["sub"],
  email: ["email", "email_verified"],
  profile: ["given_name", "family_name", "name"],
  groups: ["groups", "hasgroups"],
};

async function signingKey(): Promise<{ jwk: jose.JWK; privateKey: jose.CryptoKey; kid: string }> {
  const { privateKey } = await jose.generateKeyPair("RS256", { extractable: true });
  const kid = `op-${randomBytes(4).toString("hex")}`;
  const jwk = { ...(await jose.exportJWK(privateKey)), kid, alg: "RS256", use: "sig" };
  return { jwk, privateKey: privateKey, kid };
}

/** A key the provider never published, for "signed by an unknown key" cases. */
export async function foreignKey(kid = `foreign-${randomBytes(4).toString("hex")}`) {
  const { privateKey } = await jose.generateKeyPair("RS256");
  return { privateKey: privateKey, kid };
}

export async function startTestOp(options: { redirectUris: string[] }): Promise<TestOp> {
  const accounts = new Map<string, TestAccount>();
  let current: string | undefined;
  let tamper: IdTokenTamper | undefined;
  let jwksCount = 0;
  let discoveryCount = 0;
  let key = await signingKey();
  const clientId = `sso-bridge-${randomBytes(4).toString("hex")}`;
  const clientSecret = randomBytes(24).toString("base64url");

  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const build = () => {
    const configuration: Configuration = {
      clients: [
        {
          client_id: clientId,
          client_secret: clientSecret,
          redirect_uris: options.redirectUris,
          grant_types: ["authorization_code"],
          response_types: ["code"],
          token_endpoint_auth_method: "client_secret_basic",
        },
      ],
      jwks: { keys: [key.jwk] },
      cookies: { keys: [randomBytes(16).toString("hex")] },
      claims: SCOPE_CLAIMS,
      scopes: ["openid", "email", "profile", "groups"],
      // Okta and Entra put the configured claims in the ID token itself.
      conformIdTokenClaims: false,
      features: { devInteractions: { enabled: false } },
      pkce: { required: () => true },
      ttl: { Session: 600, Grant: 600, Interaction: 600, AccessToken: 600, IdToken: 600 },
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
      async findAccount(_ctx, sub) {
        const account = accounts.get(sub);
        if (!account) return undefined;
        return {
          accountId: sub,
          async claims() {
            const { overage, groups, ...rest } = account;
            if (overage) {
              // Entra's shape when a user is in too many groups (distributed claim).
              return {
                ...rest,
                _claim_names: { groups: "src1" },
                _claim_sources: { src1: { endpoint: `${issuer}/graph/users/${sub}/getMemberObjects` } },
              };
            }
            return { ...rest, ...(groups ? { groups } : {}) };
          },
        };
      },
      // Every scope is consented up front: the tests are about the relying party, not consent.
      async loadExistingGrant(ctx: KoaContextWithOIDC) {
        const { client, session } = ctx.oidc;
        if (!client || !session?.accountId) return undefined;
        const grant = new ctx.oidc.provider.Grant({
          clientId: client.clientId,
          accountId: session.accountId,
        });
        grant.addOIDCScope("openid email profile groups");
        await grant.save();
        return grant;
      },
    };
    const provider = new Provider(issuer, configuration);
    provider.use(async (ctx, next) => {
      if (ctx.path === "/jwks") jwksCount += 1;
      if (ctx.path === "/.well-known/openid-configuration") discoveryCount += 1;
      if (ctx.path.startsWith("/interaction/")) {
        // Programmatic interaction: sign in the chosen account, no login form.
        if (!current) throw new Error("test OP: call signInAs(sub) first");
        await provider.interactionFinished(
          ctx.req,
          ctx.res,
          { login: { accountId: current } },
          { mergeWithLastSubmission: false },
        );
        ctx.respond = false;
        return;
      }
      await next();
      if (ctx.path === "/token" && tamper && ctx.body && typeof ctx.body === "object") {
        const body = ctx.body as { id_token?: string };
        if (body.id_token) body.id_token = await rewrite(body.id_token, tamper);
        tamper = undefined;
      }
    });
    return provider;
  };

  const rewrite = async (idToken: string, t: IdTokenTamper): Promise<string> => {
    const claims = t.claims ? t.claims(jose.decodeJwt(idToken)) : jose.decodeJwt(idToken);
    if (t.forge === "none") return new jose.UnsecuredJWT(claims).encode();
    if (t.forge) {
      const secret = new TextEncoder().encode(t.forge.hs256);
      return new jose.SignJWT(claims).setProtectedHeader({ alg: "HS256" }).sign(secret);
    }
    const signer = t.key ?? key;
    return new jose.SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid: signer.kid })
      .sign(signer.privateKey);
  };

  let handler = build().callback();
  server.on("request", (req, res) => handler(req, res));

  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    addAccount(account) {
      accounts.set(account.sub, account);
      return account;
    },
    signInAs(sub) {
      current = sub;
    },
    tamperNextIdToken(t) {
      tamper = t;
    },
    async rotateKeys() {
      key = await signingKey();
      handler = build().callback();
    },
    jwksFetches: () => jwksCount,
    discoveryFetches: () => discoveryCount,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
