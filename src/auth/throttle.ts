// Sign-in throttling shared by every instance: each password or second-factor check first takes
// an attempt on its keys (the account, the address), before any hashing, and is refused (429)
// when a key is locked or this attempt would pass the key's limit. Why per account and per IP:
// per account stops guessing one secret from many addresses, per IP stops one address spraying
// many accounts (OWASP authentication cheat sheet). Passwords and second factors are counted
// apart, so proving the password never resets the count of wrong codes.
import { sha256 } from "../shared/crypto";
import { AppError } from "../shared/errors";
import type { AttemptRule, AttemptStore } from "./attempt-store";

export const THROTTLE = {
  windowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
  accountLimit: 5,
  ipLimit: 50,
  secondFactorAccountLimit: 5,
  secondFactorIpLimit: 20,
} as const;

export interface ThrottleKey {
  key: string;
  rule: AttemptRule;
}

const rule = (limit: number): AttemptRule => ({
  limit,
  windowMs: THROTTLE.windowMs,
  lockMs: THROTTLE.lockMs,
});

/**
 * Password attempts on one account. `orgRef` is the organization's id, or for a name that
 * matches none the submitted name itself (`unknown:<slug>`): unknown organizations and emails
 * are counted exactly like real ones, so the throttle tells nothing about what exists. The key
 * holds no email in clear: the table needs identity, not the address.
 */
export const accountKey = (orgRef: string, emailLower: string): ThrottleKey => ({
  key: `acct:${orgRef}:${sha256(emailLower)}`,
  rule: rule(THROTTLE.accountLimit),
});

export const ipKey = (ip: string): ThrottleKey => ({ key: `ip:${ip}`, rule: rule(THROTTLE.ipLimit) });

/** Second-factor attempts (TOTP or recovery code) on one account, and from one address. */
export const secondFactorKeys = (userId: string, ip: string): [ThrottleKey, ThrottleKey] => [
  { key: `mfa:acct:${userId}`, rule: rule(THROTTLE.secondFactorAccountLimit) },
  { key: `mfa:ip:${ip}`, rule: rule(THROTTLE.secondFactorIpLimit) },
];

/** An attempt let through: it stays counted unless the check succeeds and gives it back. */
export interface Attempt {
  giveBack(): Promise<void>;
}

export function createThrottle({ store, clock }: { store: AttemptStore; clock: () => Date }) {
  const giveBackAll = (taken: { key: string; windowStart: Date }[]) =>
    Promise.all(taken.map((t) => store.giveBack(t.key, t.windowStart))).then(() => undefined);

  return {
    /** Takes one attempt on every key, or refuses (429) without counting it anywhere. */
    async take(keys: ThrottleKey[]): Promise<Attempt> {
      const now = clock();
      const taken: { key: string; windowStart: Date }[] = [];
      for (const { key, rule: r } of keys) {
        const result = await store.take(key, r, now);
        if (result.allowed) {
          taken.push({ key, windowStart: result.windowStart });
          continue;
        }
        // A refused attempt tested nothing, so the keys it already counted on give it back.
        await giveBackAll(taken);
        const retryAfter = Math.max(1, Math.ceil((result.lockedUntil.getTime() - now.getTime()) / 1000));
        throw new AppError(
          "rate_limited",
          `too many failed sign-in attempts: try again in ${Math.ceil(retryAfter / 60)} minute(s)`,
          { extra: { retryAfterSeconds: retryAfter } },
        );
      }
      return { giveBack: () => giveBackAll(taken) };
    },

    /** Starts the key's count over (an active lock stays). */
    async clear(key: ThrottleKey): Promise<void> {
      await store.clear(key.key, clock());
    },

    /** Forgets every key whose window has passed and that no lock holds; answers how many. */
    purgeExpired(): Promise<number> {
      const now = clock();
      return store.purge(new Date(now.getTime() - THROTTLE.windowMs), now);
    },
  };
}

export type Throttle = ReturnType<typeof createThrottle>;
