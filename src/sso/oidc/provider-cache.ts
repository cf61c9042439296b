// Per-connection cache of the provider's discovery document and key set, and the openid-client
// Configuration built from them for each sign-in. Discovery is refreshed after a TTL or when
// the connection changes; the key set is refetched once when a token names an unknown key.
import * as client from "openid-client";
import { AppError } from "../../shared/errors";
import {
  discover,
  DiscoveryError,
  insecureAllowed,
  providerFetch,
  type NetworkPolicy,
  type ServerMetadata,
} from "./discovery";
import type { OidcConnection } from "./settings";

export const DISCOVERY_TTL_MS = 60 * 60_000;

interface Entry {
  /** Connection id + updatedAt: a PUT makes a new entry. */
  version: string;
  metadata: ServerMetadata;
  fetchedAt: number;
  jwks?: client.ExportedJWKSCache;
}

export interface ProviderHandle {
  config: client.Configuration;
  metadata: ServerMetadata;
  /** Keep a key set refetched during this sign-in for the next ones. */
  saveKeys(): void;
}

export function createProviderCache(deps: { clock: () => Date; network: NetworkPolicy; ttlMs?: number }) {
  const entries = new Map<string, Entry>();
  const ttl = deps.ttlMs ?? DISCOVERY_TTL_MS;

  async function entryFor(conn: OidcConnection): Promise<Entry> {
    const version = `${conn.id}@${conn.updatedAt.getTime()}`;
    const now = deps.clock().getTime();
    const cached = entries.get(conn.id);
    if (cached && cached.version === version && now - cached.fetchedAt < ttl) return cached;
    let metadata: ServerMetadata;
    try {
      metadata = await discover(conn.issuer, deps.network);
    } catch (e) {
      if (!(e instanceof DiscoveryError)) throw e;
      throw new AppError("unavailable", `Your identity provider cannot be reached right now: ${e.message}`, {
        extra: { reason: "idp_unreachable" },
      });
    }
    const entry: Entry = { version, metadata, fetchedAt: now };
    entries.set(conn.id, entry);
    return entry;
  }

  return {
    /** An openid-client Configuration for one sign-in (no network when the cache is fresh). */
    async handle(conn: OidcConnection): Promise<ProviderHandle> {
      const entry = await entryFor(conn);
      const config = new client.Configuration(
        entry.metadata,
        conn.clientId,
        { client_secret: conn.clientSecret },
        clientAuth(entry.metadata, conn.clientSecret),
      );
      if (insecureAllowed(conn.issuer)) client.allowInsecureRequests(config);
      // The key set and the token endpoint are URLs from the provider's document: the same
      // address rule as discovery applies to them.
      config[client.customFetch] = providerFetch(deps.network);
      // Why: openid-client skips the ID token signature when the token comes straight from the
      // token endpoint over TLS. We verify it always: a compromised or spoofed token endpoint
      // (or a TLS-intercepting proxy) must not be able to mint identities.
      client.enableNonRepudiationChecks(config);
      // oauth4webapi dates its key set by the real clock (Date.now), so this must too.
      const nowS = Math.floor(Date.now() / 1000);
      let seeded: number | undefined;
      if (entry.jwks?.uat !== undefined) {
        // oauth4webapi refetches the key set for an unknown `kid` only when its copy is 60 s old
        // or more: present ours as at least that old, so a rotation is picked up at once (once).
        // Its 60 s throttle guards against tokens anyone can send; ours come only from the token
        // endpoint after a code exchange with our secret, so nobody can force refetches cheaply.
        seeded = Math.min(entry.jwks.uat, nowS - 60);
        client.setJwksCache(config, { ...entry.jwks, uat: seeded });
      }
      return {
        config,
        metadata: entry.metadata,
        saveKeys() {
          const keys = client.getJwksCache(config);
          if (keys?.uat !== undefined && keys.uat !== seeded) entry.jwks = { jwks: keys.jwks, uat: keys.uat };
        },
      };
    },

    /** Forget a connection's provider (its key set no longer explains its tokens). */
    forget(connectionId: string): void {
      entries.delete(connectionId);
    },
  };
}

export type ProviderCache = ReturnType<typeof createProviderCache>;

/** client_secret_basic unless the provider only takes client_secret_post. */
function clientAuth(metadata: ServerMetadata, secret: string): client.ClientAuth {
  const methods = metadata.token_endpoint_auth_methods_supported ?? ["client_secret_basic"];
  return methods.includes("client_secret_basic") || !methods.includes("client_secret_post")
    ? client.ClientSecretBasic(secret)
    : client.ClientSecretPost(secret);
}
