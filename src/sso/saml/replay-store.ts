// Server-side state that makes SAML single-use across every instance:
// AuthnRequest ids we issued (per organization, expiring, consumed once) and the ids of
// assertions already accepted (kept until the assertion would have expired anyway).
import { randomBytes } from "node:crypto";
import type { Db, SqlTx } from "../../db/client";
import { Prisma } from "../../generated/prisma/client";
import { isUniqueViolation } from "../../shared/errors";
import type { Refusal } from "./response-checks";

export const REQUEST_TTL_MS = 15 * 60_000;

/** A new AuthnRequest id ("_" + 160 random bits: an xsd:ID must not start with a digit). */
export async function issueRequest(
  db: Db,
  orgId: string,
  returnTo: string,
  now: Date,
  testSessionId: string | null = null,
): Promise<string> {
  const id = `_${randomBytes(20).toString("hex")}`;
  // Housekeeping: requests expired for a day are useless even for telling "reused" from "unknown".
  await db.samlRequest.deleteMany({
    where: { orgId, expiresAt: { lt: new Date(now.getTime() - 86_400_000) } },
  });
  await db.samlRequest.create({
    data: { id, orgId, returnTo, testSessionId, expiresAt: new Date(now.getTime() + REQUEST_TTL_MS) },
  });
  return id;
}

/**
 * Why: InResponseTo must name a request we issued for this organization, not yet answered and
 * not expired; the conditional update makes "consumed once" hold under concurrent posts.
 */
export async function consumeRequest(
  db: Db,
  orgId: string,
  requestId: string,
  now: Date,
): Promise<{ ok: true; returnTo: string; testSessionId: string | null } | ({ ok: false } & Refusal)> {
  const { count } = await db.samlRequest.updateMany({
    where: { id: requestId, orgId, consumedAt: null, expiresAt: { gt: now } },
    data: { consumedAt: now },
  });
  const row = await db.samlRequest.findFirst({ where: { id: requestId, orgId } });
  if (count === 1 && row) return { ok: true, returnTo: row.returnTo, testSessionId: row.testSessionId };
  if (row?.consumedAt) {
    return {
      ok: false,
      reason: "in_response_to_reused",
      message: "This sign-in request was already answered. Start again.",
    };
  }
  if (row)
    return {
      ok: false,
      reason: "in_response_to_expired",
      message: "This sign-in request has expired. Start again.",
    };
  return {
    ok: false,
    reason: "in_response_to_unknown",
    message: "The response answers a sign-in request we did not make.",
  };
}

/** Read-only variant for the admin test endpoint: says what consumeRequest would say. */
export async function peekRequest(
  db: Db,
  orgId: string,
  requestId: string,
  now: Date,
): Promise<Refusal | null> {
  const row = await db.samlRequest.findFirst({ where: { id: requestId, orgId } });
  if (!row)
    return {
      reason: "in_response_to_unknown",
      message: "The response answers a sign-in request we did not make.",
    };
  if (row.consumedAt)
    return { reason: "in_response_to_reused", message: "This sign-in request was already answered." };
  if (row.expiresAt <= now)
    return { reason: "in_response_to_expired", message: "This sign-in request has expired." };
  return null;
}

/** The session of a pending (unanswered, unexpired) test request of this organization, or null. */
export async function pendingTestSession(
  db: Db,
  orgId: string,
  requestId: string | null,
  now: Date,
): Promise<string | null> {
  if (!requestId) return null;
  const row = await db.samlRequest.findFirst({
    where: { id: requestId, orgId, consumedAt: null, expiresAt: { gt: now }, testSessionId: { not: null } },
  });
  return row?.testSessionId ?? null;
}

/**
 * Why: a captured assertion must not sign anyone in twice, on any instance (saml-profiles 4.1.4.5).
 * One statement on the driver (`sql` is Database.direct): the insert, whose primary key refuses
 * a second use, and the housekeeping that forgets this organization's entries that can no
 * longer be replayed (an expired assertion is refused by its time checks before it gets here).
 */
export async function recordAssertion(
  sql: SqlTx,
  orgId: string,
  assertionId: string,
  expiresAt: Date,
  now: Date,
): Promise<Refusal | null> {
  if (!assertionId) return { reason: "response_malformed", message: "The assertion has no ID." };
  try {
    await sql.$executeRaw(Prisma.sql`WITH swept AS (
        DELETE FROM saml_assertions WHERE org_id = ${orgId}::uuid AND expires_at < ${now}
      )
      INSERT INTO saml_assertions (org_id, assertion_id, expires_at)
      VALUES (${orgId}::uuid, ${assertionId}, ${expiresAt})`);
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    return { reason: "assertion_replayed", message: "This assertion was already used. Sign in again." };
  }
  return null;
}

export async function isAssertionKnown(
  db: Db,
  orgId: string,
  assertionId: string,
  now: Date,
): Promise<boolean> {
  const row = await db.samlAssertion.findUnique({ where: { orgId_assertionId: { orgId, assertionId } } });
  return !!row && row.expiresAt > now;
}
