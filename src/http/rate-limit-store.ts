// Where the rate-limit counters live, so that every instance counts the same requests: Redis when
// REDIS_URL is set, else the PostgreSQL database (table rate_limits), else (the embedded
// database, which one process holds) this process's memory. Each limiter has an in-memory twin
// with the same limit that counts while its store cannot be reached (docs/decisions.md: the
// limits fail over to per-instance counting, neither open nor closed).
import { Redis } from "ioredis";
import {
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRedis,
  type RateLimiterAbstract,
} from "rate-limiter-flexible";
import type { Database } from "../db/client";
import type { Logger } from "../shared/logger";

export interface LimitRule {
  /** Names the counter (with the key prefix): `scim-token`, `sign-in-ip`. */
  name: string;
  points: number;
  windowSeconds: number;
}

export interface LimiterStore {
  kind: "redis" | "postgres" | "memory";
  limiter(rule: LimitRule): RateLimiterAbstract;
  /** Resolves once the store can take counts (Redis connected); the twins count until then. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

// How often a store failure is logged at most: a Redis outage must not write a line per request.
const ERROR_LOG_INTERVAL_MS = 60_000;

export function createLimiterStore(deps: {
  redisUrl?: string;
  keyPrefix: string;
  db: Pick<Database, "kind" | "pgPool">;
  logger: Logger;
}): LimiterStore {
  const { keyPrefix, logger } = deps;
  let lastLogged = 0;
  const logFailure = (e: Error) => {
    const now = Date.now();
    if (now - lastLogged < ERROR_LOG_INTERVAL_MS) return;
    lastLogged = now;
    logger.warn("rate-limit store unavailable: counting in this process meanwhile", { error: e.message });
  };
  const common = (rule: LimitRule) => ({
    keyPrefix: `${keyPrefix}:${rule.name}`,
    points: rule.points,
    duration: rule.windowSeconds,
    // Once over the limit, a key is refused from memory until its window ends: a flood costs
    // the store nothing more.
    inMemoryBlockOnConsumed: rule.points,
    insuranceLimiter: new RateLimiterMemory({ points: rule.points, duration: rule.windowSeconds }),
  });

  if (deps.redisUrl) {
    // Why no offline queue: while Redis is down a count must fail at once (and the twin count),
    // not wait for a reconnection with the request held.
    const redis = new Redis(deps.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    redis.on("error", logFailure);
    const ready = new Promise<void>((resolve) => {
      if (redis.status === "ready") resolve();
      else redis.once("ready", () => resolve());
    });
    return {
      kind: "redis",
      limiter: (rule) =>
        new RateLimiterRedis({ ...common(rule), storeClient: redis, rejectIfRedisNotReady: true }),
      ready: () => ready,
      // Counters need no graceful QUIT: nothing is buffered.
      close: async () => redis.disconnect(),
    };
  }
  const pool = deps.db.pgPool;
  if (deps.db.kind === "postgres" && pool) {
    return {
      kind: "postgres",
      limiter: (rule) =>
        new RateLimiterPostgres({
          ...common(rule),
          storeClient: pool,
          storeType: "pool",
          // The table is created by our migrations (rate_limits), not by the library.
          tableName: "rate_limits",
          tableCreated: true,
        }),
      ready: async () => undefined,
      close: async () => undefined,
    };
  }
  return {
    kind: "memory",
    limiter: (rule) =>
      new RateLimiterMemory({
        keyPrefix: `${keyPrefix}:${rule.name}`,
        points: rule.points,
        duration: rule.windowSeconds,
      }),
    ready: async () => undefined,
    close: async () => undefined,
  };
}
