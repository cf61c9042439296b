// A per-process cache of credential rows that authentication has read (SCIM tokens: one query
// per SCIM request saved). What keeps "revoked means refused at once" true across processes:
// - the database notifies a channel whenever a cached row may have changed (the triggers of
//   migration 20261123013500_credentials_notify), and every notification empties the cache;
// - the cache holds nothing while its LISTEN connection is down (then every request reads the
//   database, as without a cache), and starts empty when the connection comes back;
// - a generation counter: a row read before a notification arrived is never stored after it,
//   so a lookup racing a revocation cannot put the old row back;
// - this process's own revocations empty it synchronously, and then wait until every other
//   process has handled the notification (Database.settle) before they answer: a revocation
//   that has answered is refused everywhere, not a few milliseconds later.
// The cached row is still verified on every request (constant-time secret compare, revokedAt),
// and an entry lives at most `ttlMs` as a last line of defence.
import type { Database } from "../db/client";

export interface VerifiedCache<T> {
  /** The cached row, or undefined (not cached, expired, or the cache is not live). */
  get(key: string): T | undefined;
  /** Call before reading the database; pass the result to put(). */
  generation(): number;
  /** Stores the row read since `generation`, unless the cache changed or went down meanwhile. */
  put(key: string, value: T, generation: number): void;
  /** Empties the cache (a notification, or a change made by this process). */
  invalidate(): void;
  /** Whether the LISTEN connection is up: while false nothing is cached. */
  setLive(live: boolean): void;
  readonly size: number;
}

export interface VerifiedCacheOptions {
  ttlMs?: number;
  maxEntries?: number;
  now?: () => number;
  /** Called once, at the first lookup that reaches the database (generation()). */
  onFirstLookup?: () => void;
}

export function createVerifiedCache<T>(options: VerifiedCacheOptions = {}): VerifiedCache<T> {
  const ttlMs = options.ttlMs ?? 60_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, { value: T; expires: number }>();
  let gen = 0;
  let live = false;
  let firstLookup = options.onFirstLookup;

  const invalidate = () => {
    gen++;
    entries.clear();
  };
  return {
    get(key) {
      const e = entries.get(key);
      if (!e) return undefined;
      if (e.expires > now()) return e.value;
      entries.delete(key);
      return undefined;
    },
    generation() {
      firstLookup?.();
      firstLookup = undefined;
      return gen;
    },
    put(key, value, generation) {
      if (!live || generation !== gen) return;
      // Oldest first (Map keeps insertion order): a flood of distinct tokens cannot grow memory.
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
      entries.set(key, { value, expires: now() + ttlMs });
    },
    invalidate,
    setLive(up) {
      live = up;
      invalidate();
    },
    get size() {
      return entries.size;
    },
  };
}

/** The channel the triggers notify (migration 20261123013500_credentials_notify). */
export const CREDENTIALS_CHANNEL = "sso_bridge_credentials";

/** How long a revocation waits for the other processes' caches before it answers anyway. */
export const SETTLE_TIMEOUT_MS = 2_000;

export interface CredentialsCache<T> extends VerifiedCache<T> {
  /**
   * After a change committed by this process: empties this cache, then resolves once every
   * process's cache has been emptied (true), or after SETTLE_TIMEOUT_MS (false).
   */
  changed(): Promise<boolean>;
}

/**
 * A cache wired to the database's notifications. It starts listening at its first lookup, so a
 * process that never authenticates a SCIM request opens no LISTEN connection; until LISTEN
 * holds, nothing is cached.
 */
export function createCredentialsCache<T>(
  db: Pick<Database, "listen" | "settle">,
  options: Omit<VerifiedCacheOptions, "onFirstLookup"> = {},
): CredentialsCache<T> {
  const cache: VerifiedCache<T> = createVerifiedCache<T>({
    ...options,
    onFirstLookup: () =>
      db.listen(CREDENTIALS_CHANNEL, { onNotify: cache.invalidate, onLive: cache.setLive }),
  });
  return Object.assign(cache, {
    changed() {
      cache.invalidate();
      return db.settle(CREDENTIALS_CHANNEL, SETTLE_TIMEOUT_MS);
    },
  });
}
