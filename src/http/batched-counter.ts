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
  /** Takes `count` points of `key` from the store: null when granted, else the ms until retry. */
  const consume = async (key: string, count: number): Promise<number | null> => {
    limiter ??= makeLimiter();
    try {
      await limiter.consume(key, count);
      return null;
    } catch (e) {
      if (e instanceof RateLimiterRes) return e.msBeforeNext;
      throw e;
    }
  };
  if (batch === 1) return { take: (key) => consume(key, 1) };

  // Requests a key may still make locally before the next take from the store; an entry goes
  // once its credit is used up.
  const credit = new Map<string, number>();
  // The take from the store in flight for a key. Requests that find no credit wait for it
  // instead of taking a batch each: an IdP sends its requests several at a time, and each
  // taking its own batch counted a whole batch per request against the limit.
  const refills = new Map<string, Promise<number | null>>();
  const refill = (key: string): Promise<number | null> => {
    let pending = refills.get(key);
    if (!pending) {
      pending = consume(key, batch)
        .then((refused) => {
          if (refused === null) credit.set(key, (credit.get(key) ?? 0) + batch);
          return refused;
        })
        .finally(() => refills.delete(key));
      refills.set(key, pending);
    }
    return pending;
  };
  return {
    async take(key) {
      for (;;) {
        const left = credit.get(key) ?? 0;
        if (left > 0) {
          if (left === 1) credit.delete(key);
          else credit.set(key, left - 1);
          return null;
        }
        // Another request may use up the new batch before this one resumes: then it refills again.
        const refused = await refill(key);
        if (refused !== null) return refused;
      }
    },
  };
}
