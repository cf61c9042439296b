// The server side of an authorization request (oidc_auth_requests): state, nonce and PKCE
// verifier kept in the database (so any instance can finish the sign-in), bound to the
// browser that started it, usable once, for 10 minutes. Refusals throw RefusedSignIn.
import * as client from "openid-client";
import type { Db } from "../../db/client";
import type { Cipher } from "../../shared/crypto";
import { randomSecret, safeEqual, sha256 } from "../../shared/crypto";
import { RefusedSignIn } from "../refusal";

export const AUTH_REQUEST_TTL_MS = 10 * 60_000;
/** Rows are kept a day past expiry so that a late replay is still named a replay. */
const KEEP_EXPIRED_MS = 24 * 3600_000;
export const BROWSER_COOKIE = "sso_bridge_oidc";
const BROWSER_VALUE = /^[A-Za-z0-9_-]{43}$/;

export interface Deps {
  db: Db;
  cipher: Cipher;
  clock: () => Date;
}

export interface StartedRequest {
  state: string;
  nonce: string;
  codeChallenge: string;
  /** The browser-binding value for the cookie (reused when the browser already has one). */
  browserValue: string;
}

/** A usable binding value from the cookie, or a new one. */
export const browserValueOf = (cookie: string | undefined): string =>
  cookie && BROWSER_VALUE.test(cookie) ? cookie : randomSecret(32);

export async function createAuthRequest(
  deps: Deps,
  input: {
    orgId: string;
    returnTo: string;
    browserCookie: string | undefined;
    testSessionId?: string | null;
  },
): Promise<StartedRequest> {
  const now = deps.clock();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const verifier = client.randomPKCECodeVerifier();
  const browserValue = browserValueOf(input.browserCookie);
  await deps.db.oidcAuthRequest.deleteMany({
    where: { orgId: input.orgId, expiresAt: { lt: new Date(now.getTime() - KEEP_EXPIRED_MS) } },
  });
  await deps.db.oidcAuthRequest.create({
    data: {
      orgId: input.orgId,
      // Why hashed: a database reader must not be able to finish someone else's sign-in.
      stateHash: sha256(state),
      browserHash: sha256(browserValue),
      nonce,
      codeVerifier: deps.cipher.encrypt(verifier),
      returnTo: input.returnTo,
      testSessionId: input.testSessionId ?? null,
      expiresAt: new Date(now.getTime() + AUTH_REQUEST_TTL_MS),
    },
  });
  return { state, nonce, codeChallenge: await client.calculatePKCECodeChallenge(verifier), browserValue };
}

export interface ConsumedRequest {
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
  /** Set when this request is an Admin's test sign-in (the session that started it). */
  testSessionId: string | null;
}

const refuse = (reason: string, message: string) => new RefusedSignIn(reason, message, 401);

/**
 * Checks the callback's `state` against the stored request of this organization and this
 * browser, and consumes it (a compare-and-set, so two concurrent callbacks cannot both win).
 */
export async function consumeAuthRequest(
  deps: Deps,
  input: { orgId: string; state: unknown; browserCookie: string | undefined },
): Promise<ConsumedRequest> {
  const { state } = input;
  if (typeof state !== "string" || state.length === 0 || state.length > 512) {
    throw refuse(
      "state_missing",
      "The answer from your identity provider carried no sign-in state. Start again.",
    );
  }
  const row = await deps.db.oidcAuthRequest.findFirst({
    where: { orgId: input.orgId, stateHash: sha256(state) },
  });
  if (!row) {
    throw refuse(
      "state_unknown",
      "This sign-in was not started here (unknown state). Start again from the sign-in page.",
    );
  }
  if (row.consumedAt) {
    throw refuse(
      "state_replayed",
      "This sign-in answer was already used. Start again from the sign-in page.",
    );
  }
  const now = deps.clock();
  if (row.expiresAt <= now) {
    throw refuse(
      "state_expired",
      "This sign-in took more than 10 minutes. Start again from the sign-in page.",
    );
  }
  // Why: without the binding an attacker could make a victim's browser finish the attacker's
  // sign-in (login CSRF, RFC 9700 4.7); the row is left unconsumed so the real browser can finish.
  if (!input.browserCookie || !safeEqual(sha256(input.browserCookie), row.browserHash)) {
    throw refuse("browser_mismatch", "This sign-in was started in another browser. Start again in this one.");
  }
  const { count } = await deps.db.oidcAuthRequest.updateMany({
    where: { id: row.id, orgId: input.orgId, consumedAt: null },
    data: { consumedAt: now },
  });
  if (count !== 1) {
    throw refuse(
      "state_replayed",
      "This sign-in answer was already used. Start again from the sign-in page.",
    );
  }
  return {
    state,
    nonce: row.nonce,
    codeVerifier: deps.cipher.decrypt(row.codeVerifier),
    returnTo: row.returnTo,
    testSessionId: row.testSessionId,
  };
}

/** Whether the callback's state names a test request of this organization (SSO may be off for it). */
export async function isTestState(db: Db, orgId: string, state: string | null): Promise<boolean> {
  if (!state || state.length > 512) return false;
  const row = await db.oidcAuthRequest.findFirst({
    where: { orgId, stateHash: sha256(state), testSessionId: { not: null } },
    select: { id: true },
  });
  return row !== null;
}
