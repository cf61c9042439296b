// Counts requests against a rate limit without a store round trip per request: an instance takes
// from the store one batch at a time (a thousandth of the limit) and lets that many requests
// through locally, so a limit of thousands per window holds to within a batch per instance.
// Small limits (sign-in) count every request. A key over its limit is refused from memory by
// the store's limiter itself (inMemoryBlockOnConsumed) until its window ends.
import { RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";

const BATCH_SHARE = 1_000;

export interface BatchedCounter {
  /** Takes one request on `key`: null when allowed, else the milliseconds until it may retry. */
  take(key: string): Promise<number | null>;
}

export function batchedCounter(points: number, makeLimiter: () => RateLimiterAbstract): BatchedCounter {
  const batch = Math.max(1, Math.floor(points / BATCH_SHARE));
  let limiter: RateLimiterAbstract | undefined;
  // Requests a key may still make locally before the next take from the store; an entry goes
  // once its credit is used up.
  const credit = new Map<string, number>();
  return {
    async take(key) {
      const left = credit.get(key) ?? 0;
      if (left > 0) {
        if (left === 1) credit.delete(key);
        else credit.set(key, left - 1);
        return null;
      }
      limiter ??= makeLimiter();
      try {
        await limiter.consume(key, batch);
      } catch (e) {
        if (e instanceof RateLimiterRes) return e.msBeforeNext;
        throw e;
      }
      if (batch > 1) credit.set(key, batch - 1);
      return null;
    },
  };
}
