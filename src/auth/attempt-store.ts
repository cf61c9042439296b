// Where sign-in attempts are counted: one row per key in login_throttles, shared by every
// instance. An attempt is taken in one statement that answers whether it may go ahead, so
// parallel requests cannot all read "below the limit" and then all proceed. A Redis store
// can implement the same interface (INCR with an expiry, a lock key) later.
import type { PrismaClient } from "../generated/prisma/client";

export interface AttemptRule {
  /** Attempts allowed within one window; the next one starts the lock-out. */
  limit: number;
  windowMs: number;
  lockMs: number;
}

/** A taken attempt names its window, so giving it back never touches a later window. */
export type Taken = { allowed: true; windowStart: Date } | { allowed: false; lockedUntil: Date };

export interface AttemptStore {
  /** Counts one attempt on `key` atomically, unless the key is locked or this attempt locks it. */
  take(key: string, rule: AttemptRule, now: Date): Promise<Taken>;
  /** Uncounts an attempt taken in `windowStart` (never below zero, never while locked). */
  giveBack(key: string, windowStart: Date): Promise<void>;
  /** Forgets the key's count; an active lock stays. */
  clear(key: string, now: Date): Promise<void>;
  /**
   * Deletes the rows that no longer decide anything: window started before `windowCutoff` and
   * no lock in force. The next attempt on such a key starts a new window either way, so this
   * changes no answer; it only keeps keys tried once (unknown organizations, say) from piling up.
   */
  purge(windowCutoff: Date, now: Date): Promise<number>;
}

export function createSqlAttemptStore(prisma: Pick<PrismaClient, "$queryRaw" | "$executeRaw">): AttemptStore {
  return {
    async take(key, rule, now) {
      const windowCutoff = new Date(now.getTime() - rule.windowMs);
      const lockEnd = new Date(now.getTime() + rule.lockMs);
      // On conflict the row is locked for this statement, and every expression below reads its
      // values from before the update: one decision per attempt, in arrival order. A row whose
      // lock has ended, or whose window has passed, starts a new window with this attempt.
      const rows = await prisma.$queryRaw<{ windowStart: Date; lockedUntil: Date | null }[]>`
        INSERT INTO login_throttles AS t (key, failures, window_start, locked_until)
        VALUES (${key}, 1, ${now}::timestamptz, NULL)
        ON CONFLICT (key) DO UPDATE SET
          failures = CASE
            WHEN t.locked_until > ${now}::timestamptz THEN t.failures
            WHEN t.locked_until IS NOT NULL OR t.window_start <= ${windowCutoff}::timestamptz THEN 1
            WHEN t.failures >= ${rule.limit}::int THEN t.failures
            ELSE t.failures + 1 END,
          window_start = CASE
            WHEN t.locked_until > ${now}::timestamptz THEN t.window_start
            WHEN t.locked_until IS NOT NULL OR t.window_start <= ${windowCutoff}::timestamptz
              THEN ${now}::timestamptz
            ELSE t.window_start END,
          locked_until = CASE
            WHEN t.locked_until > ${now}::timestamptz THEN t.locked_until
            WHEN t.locked_until IS NOT NULL OR t.window_start <= ${windowCutoff}::timestamptz THEN NULL
            WHEN t.failures >= ${rule.limit}::int THEN ${lockEnd}::timestamptz
            ELSE NULL END
        RETURNING window_start AS "windowStart", locked_until AS "lockedUntil"`;
      const row = rows[0];
      if (!row) throw new Error("login_throttles: the upsert returned no row");
      const lockedUntil = row.lockedUntil ? new Date(row.lockedUntil) : null;
      return lockedUntil && lockedUntil > now
        ? { allowed: false, lockedUntil }
        : { allowed: true, windowStart: new Date(row.windowStart) };
    },

    async giveBack(key, windowStart) {
      await prisma.$executeRaw`
        UPDATE login_throttles SET failures = failures - 1
        WHERE key = ${key} AND window_start = ${windowStart}::timestamptz
          AND locked_until IS NULL AND failures > 0`;
    },

    async clear(key, now) {
      await prisma.$executeRaw`
        DELETE FROM login_throttles
        WHERE key = ${key} AND (locked_until IS NULL OR locked_until <= ${now}::timestamptz)`;
    },

    async purge(windowCutoff, now) {
      return prisma.$executeRaw`
        DELETE FROM login_throttles
        WHERE window_start <= ${windowCutoff}::timestamptz
          AND (locked_until IS NULL OR locked_until <= ${now}::timestamptz)`;
    },
  };
}
