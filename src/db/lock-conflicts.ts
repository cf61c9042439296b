// A transaction PostgreSQL ended to break a deadlock (SQLSTATE 40P01) or a serialization failure
// (40001) was rolled back whole: running it again is the documented answer (PostgreSQL manual,
// "Serialization Failure Handling"). Defence only: the writes that take several rows lock them in
// one order (lockUsersForRoles), so a cycle means a path we have not ordered yet.
const RETRYABLE = new Set(["40P01", "40001"]);

/** Attempts in all, the first included: a deadlock victim usually succeeds on its second. */
const ATTEMPTS = 3;

/** A deadlock or serialization failure, as the driver raises it (Database.transaction). */
export function isLockConflict(e: unknown): boolean {
  return typeof e === "object" && e !== null && RETRYABLE.has(String((e as { code?: unknown }).code));
}

/**
 * Runs `transaction` (one whole transaction, e.g. Database.transaction(fn)) and, when PostgreSQL
 * ends it as a deadlock victim or for a serialization failure, runs it again, up to ATTEMPTS in
 * all, after a short random pause that lets the transaction it met commit first. Only for
 * transactions whose every effect is in the database (no mail sent, no HTTP call made, no
 * state kept in memory between attempts): the rollback undoes all of an attempt.
 */
export async function retryLockConflicts<T>(transaction: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction();
    } catch (e) {
      if (attempt >= ATTEMPTS || !isLockConflict(e)) throw e;
      await new Promise((resolve) => setTimeout(resolve, attempt * (5 + Math.random() * 20)));
    }
  }
}
