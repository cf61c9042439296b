// Sign-in throttling shared by every instance (login_throttles): failures are counted per key
// (an account, an IP) within a window; reaching the key's limit locks it for the lock-out
// period. Why per account and per IP: per account stops guessing one password from many
// addresses, per IP stops one address spraying many accounts (OWASP authentication cheat sheet).
import type { Database } from "../db/client";
import { sha256 } from "../shared/crypto";
import { AppError } from "../shared/errors";

export const THROTTLE = {
  windowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
  accountLimit: 5,
  ipLimit: 50,
} as const;

export interface ThrottleKey {
  key: string;
  limit: number;
}

/** The account key holds no email in clear: the table needs identity, not the address. */
export const accountKey = (orgId: string, emailLower: string): ThrottleKey => ({
  key: `acct:${orgId}:${sha256(emailLower)}`,
  limit: THROTTLE.accountLimit,
});

export const ipKey = (ip: string): ThrottleKey => ({ key: `ip:${ip}`, limit: THROTTLE.ipLimit });

export function createThrottle({ db, clock }: { db: Pick<Database, "prisma">; clock: () => Date }) {
  const prisma = db.prisma;
  return {
    /** Refuses (429) while any of the keys is locked, without looking at the password. */
    async assertNotLocked(keys: ThrottleKey[]): Promise<void> {
      const now = clock();
      const locked = await prisma.loginThrottle.findFirst({
        where: { key: { in: keys.map((k) => k.key) }, lockedUntil: { gt: now } },
        orderBy: { lockedUntil: "desc" },
      });
      if (locked?.lockedUntil) {
        const retryAfter = Math.ceil((locked.lockedUntil.getTime() - now.getTime()) / 1000);
        throw new AppError(
          "rate_limited",
          `too many failed sign-in attempts: try again in ${Math.ceil(retryAfter / 60)} minute(s)`,
          { extra: { retryAfterSeconds: retryAfter } },
        );
      }
    },

    async recordFailure(keys: ThrottleKey[]): Promise<void> {
      const now = clock();
      for (const { key, limit } of keys) {
        // The increment is atomic in the database, so concurrent instances count every failure.
        let row = await prisma.loginThrottle.upsert({
          where: { key },
          create: { key, failures: 1, windowStart: now },
          update: { failures: { increment: 1 } },
        });
        if (row.windowStart.getTime() + THROTTLE.windowMs <= now.getTime()) {
          row = await prisma.loginThrottle.update({
            where: { key },
            data: { failures: 1, windowStart: now, lockedUntil: null },
          });
        }
        if (row.failures >= limit) {
          await prisma.loginThrottle.update({
            where: { key },
            data: { lockedUntil: new Date(now.getTime() + THROTTLE.lockMs), failures: 0, windowStart: now },
          });
        }
      }
    },

    async clear(key: ThrottleKey): Promise<void> {
      await prisma.loginThrottle.deleteMany({ where: { key: key.key } });
    },
  };
}

export type Throttle = ReturnType<typeof createThrottle>;
