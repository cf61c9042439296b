// A refused SSO sign-in, for both protocols: the audit event `sso.sign_in_refused` with its
// reason code is written on its own (it must survive the failed sign-in's rollback), and the
// AppError returned renders, under /sso, as an HTML page with the status, reason and request id.
import type { Db } from "../db/client";
import { emit } from "../events";
import { AppError } from "../shared/errors";
import type { SsoProtocolName } from "./protocol";

export interface SignInRefusal {
  orgId: string;
  protocol: SsoProtocolName;
  /** Stable reason code, e.g. "signature_invalid", "user_deactivated" (shown and audited). */
  reason: string;
  /** What the person reads; never echo attacker-controlled XML here. */
  message: string;
  /** 401: the proof of identity failed; 403: identity proven, access refused. */
  status?: 401 | 403;
  requestId?: string;
  subject?: string | null;
  email?: string | null;
  /** Extra audit facts (ids, issuer); never secrets or message bodies. */
  detail?: Record<string, unknown>;
}

/** Thrown inside a sign-in transaction to roll it back; completeSignIn audits and converts it. */
export class RefusedSignIn extends Error {
  constructor(
    readonly reason: string,
    message: string,
    readonly status: 401 | 403 = 403,
    readonly detail: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "RefusedSignIn";
  }
}

export function refusalError(refusal: Pick<SignInRefusal, "reason" | "message" | "status">): AppError {
  return new AppError(refusal.status === 403 ? "forbidden" : "sign_in_failed", refusal.message, {
    extra: { reason: refusal.reason },
  });
}

/** Records the refusal and returns the error to throw (rendered as the sign-in error page). */
export async function refuseSignIn(db: Db, refusal: SignInRefusal): Promise<AppError> {
  await emit(
    db,
    {
      orgId: refusal.orgId,
      actor: { type: "idp", name: refusal.protocol },
      requestId: refusal.requestId,
    },
    {
      action: "sso.sign_in_refused",
      data: {
        protocol: refusal.protocol,
        reason: refusal.reason,
        status: refusal.status ?? 401,
        ...(refusal.subject ? { subject: refusal.subject } : {}),
        ...(refusal.email ? { email: refusal.email } : {}),
        ...(refusal.detail ?? {}),
      },
    },
  );
  return refusalError(refusal);
}
