// When a failed delivery is tried again: exponential backoff from `baseMs` (doubling, capped at
// `capMs`) with ±20 % jitter, so endpoints that failed together do not retry in step; a
// Retry-After the receiver sent wins (capped too). Retries stop `windowMs` after the delivery
// was created: the last attempt is made at that moment, and if it fails the delivery is failed.

export interface RetryPolicy {
  baseMs: number;
  capMs: number;
  /** How long a delivery is retried (24 h). */
  windowMs: number;
  /** An endpoint without a success for this long is disabled (24 h). */
  disableAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  baseMs: 10_000,
  capMs: 2 * 60 * 60_000,
  windowMs: 24 * 60 * 60_000,
  disableAfterMs: 24 * 60 * 60_000,
};

/** The delay before attempt `failedAttempts + 1`, given `failedAttempts` (≥ 1) failures. */
export function backoffMs(
  policy: RetryPolicy,
  failedAttempts: number,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(failedAttempts - 1, 30));
  return Math.round(exponential * (0.8 + 0.4 * random()));
}

/** Retry-After as milliseconds (delta-seconds or an HTTP date), or null when absent or unreadable. */
export function retryAfterMs(header: string | null, now: Date): number | null {
  if (!header) return null;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}

/** When to try again, or null when the window has passed and the delivery is given up. */
export function nextAttemptAt(
  policy: RetryPolicy,
  input: { createdAt: Date; now: Date; failedAttempts: number; retryAfterMs: number | null },
  random?: () => number,
): Date | null {
  const deadline = input.createdAt.getTime() + policy.windowMs;
  if (input.now.getTime() >= deadline) return null;
  const delay =
    input.retryAfterMs !== null
      ? Math.min(policy.capMs, input.retryAfterMs)
      : backoffMs(policy, input.failedAttempts, random);
  return new Date(Math.min(deadline, input.now.getTime() + delay));
}
