// The one gate in front of every manual user write of the admin API (invitations, user
// edits and lifecycle actions, self-profile and password): while SSO is on it answers 409
// sso_enforced before anything runs. Services repeat assertSsoOff inside their transaction.
import type { RequestHandler } from "express";
import type { Db } from "../db/client";
import { requireAuthOf } from "./auth";
import { assertSsoOff } from "../users/guards";

/** Marks the handler so the route-enumeration test can tell it apart from any other middleware. */
export const SSO_OFF_GUARD = Symbol.for("sso-bridge.requireSsoOff");

export function requireSsoOff(db: Db): RequestHandler {
  const guard: RequestHandler = async (_req, res, next) => {
    await assertSsoOff(db, requireAuthOf(res).orgId);
    next();
  };
  Object.defineProperty(guard, SSO_OFF_GUARD, { value: true });
  return guard;
}

export const isSsoOffGuard = (fn: unknown): boolean =>
  typeof fn === "function" && (fn as unknown as Record<symbol, unknown>)[SSO_OFF_GUARD] === true;
