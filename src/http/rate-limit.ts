// Rate limits and back-pressure (contract section 9). Over a limit the answer is 429 with
// Retry-After in the surface's format (Okta and Entra wait that long, then retry): per SCIM token
// on /scim, per client address on the sign-in endpoints. While more database work waits for a
// connection than DB_QUEUE_LIMIT, new requests get 503 with Retry-After instead of queueing
// without end. The failed-password lock-out is another rule (auth/throttle.ts).
import type { Request, RequestHandler, Response } from "express";
import type { RateLimitConfig } from "../config";
import type { Database } from "../db/client";
import { AppError } from "../shared/errors";
import type { Logger } from "../shared/logger";
import { formatOf } from "./error-handler";
import { createLimiterStore, type LimitRule, type LimiterStore } from "./rate-limit-store";
import { batchedCounter } from "./batched-counter";
import { sendError } from "./render";

/** Where a person or an IdP signs in: SSO start and return, local sign-in and its second factor. */
export const SIGN_IN_PATHS = [
  "/sso/:org/login",
  "/sso/:org/saml/acs",
  "/sso/:org/oidc/callback",
  "/auth/login",
  "/auth/mfa/verify",
];

// Paths that must answer while the database is saturated: liveness, readiness, metrics.
const OPERATIONS_PATHS = /^\/(healthz|readyz|metrics)$/;
// Seconds to wait before retrying when the queue of database work is full: it drains fast.
const QUEUE_RETRY_AFTER_SECONDS = 1;

export interface RateLimits {
  /** After SCIM authentication: counts the request against its token. */
  scimToken: RequestHandler;
  /** Counts the request against the client's address (req.ip; set TRUST_PROXY behind a balancer). */
  signIn: RequestHandler;
  /** Refuses a request while too much database work waits for a connection. */
  databaseQueue: RequestHandler;
  /** Which store the counters use: "redis", "postgres" or "memory". */
  storeKind: LimiterStore["kind"];
  /** Resolves once the counters' store is connected (tests, start-up). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export function createRateLimits(deps: {
  config: { rateLimit: RateLimitConfig; redisUrl?: string; dbQueueLimit: number };
  db: Pick<Database, "kind" | "pgPool" | "waiting">;
  logger: Logger;
}): RateLimits {
  const { rateLimit, dbQueueLimit } = deps.config;
  // Opened on the first counted request, so that the CLI, which builds the same services,
  // never connects to Redis.
  let store: LimiterStore | undefined;
  const storeOf = () =>
    (store ??= createLimiterStore({
      redisUrl: deps.config.redisUrl,
      keyPrefix: rateLimit.keyPrefix,
      db: deps.db,
      logger: deps.logger,
    }));

  const limit = (
    rule: LimitRule,
    keyOf: (req: Request, res: Response) => string | undefined,
  ): RequestHandler => {
    if (rule.points === 0) return (_req, _res, next) => next();
    const counter = batchedCounter(rule.points, () => storeOf().limiter(rule));
    return async (req, res, next) => {
      const key = keyOf(req, res);
      if (key === undefined) return next();
      let msBeforeNext: number | null;
      try {
        msBeforeNext = await counter.take(key);
      } catch (e) {
        // A failure of the store that the in-memory twin could not cover either: let it through.
        deps.logger.warn("rate limit not counted", { limit: rule.name, error: (e as Error).message });
        return next();
      }
      if (msBeforeNext === null) return next();
      const retryAfterSeconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
      // Answered here, not through next(err): a flood of refusals must cost no more work (the
      // SCIM router would file each one in the database).
      const err = new AppError(
        "rate_limited",
        `too many requests ${rule.name === "scim-token" ? "with this SCIM token" : "from this address"}: try again in ${retryAfterSeconds} s`,
        { extra: { retryAfterSeconds } },
      );
      sendError(res, err, formatOf(res.locals, req));
    };
  };

  const databaseQueue: RequestHandler = (req, res, next) => {
    if (dbQueueLimit === 0 || deps.db.waiting() < dbQueueLimit || OPERATIONS_PATHS.test(req.path))
      return next();
    const err = new AppError("unavailable", "the service is busy: try again in a moment", {
      extra: { retryAfterSeconds: QUEUE_RETRY_AFTER_SECONDS },
    });
    sendError(res, err, formatOf(res.locals, req));
  };

  const window = rateLimit.windowSeconds;
  return {
    scimToken: limit(
      { name: "scim-token", points: rateLimit.scimPerToken, windowSeconds: window },
      (_req, res) => {
        const scim = res.locals.scim as { actor?: { id?: string } } | undefined;
        return scim?.actor?.id;
      },
    ),
    signIn: limit(
      { name: "sign-in-ip", points: rateLimit.signInPerIp, windowSeconds: window },
      (req) => req.ip,
    ),
    databaseQueue,
    get storeKind() {
      return storeOf().kind;
    },
    ready: () => storeOf().ready(),
    close: async () => {
      await store?.close();
    },
  };
}
