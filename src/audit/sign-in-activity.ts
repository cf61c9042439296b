// Sign-in activity for the portal and GET /api/v1/orgs/{org}/sign-ins: every SSO and password
// sign-in and refusal, read from the audit events each of them already writes (no second log).
// Newest first, cursor pages on the audit sequence.
import { z } from "zod";
import type { Db } from "../db/client";
import { decodeCursor, page, pageQuery } from "../shared/pagination";
import { seqCursor } from "./list-events";

const SUCCEEDED = ["sso.sign_in", "auth.signed_in", "auth.recovery_link_used"];
const REFUSED = ["sso.sign_in_refused", "auth.sign_in_refused"];

export type SignInResult = "succeeded" | "refused";
export type SignInMethod = "saml" | "oidc" | "password" | "break-glass";

export interface SignInEntry {
  id: string;
  at: string;
  result: SignInResult;
  method: SignInMethod;
  /** Our user, when the attempt is tied to one. */
  userId: string | null;
  /** Who, as a person reads it: the email, else the NameID or subject the IdP sent. */
  who: string | null;
  subject: string | null;
  reason: string | null;
  requestId: string | null;
}

const str = (v: unknown): string | null => (typeof v === "string" && v ? v : null);

function methodOf(action: string, data: Record<string, unknown>): SignInMethod {
  if (action === "auth.recovery_link_used") return "break-glass";
  if (action.startsWith("sso.")) return data.protocol === "oidc" ? "oidc" : "saml";
  return "password";
}

export async function listSignIns(
  db: Db,
  orgId: string,
  q: { result?: SignInResult; beforeSeq?: bigint; limit: number },
): Promise<{ rows: (SignInEntry & { seq: bigint })[] }> {
  const actions =
    q.result === "succeeded" ? SUCCEEDED : q.result === "refused" ? REFUSED : [...SUCCEEDED, ...REFUSED];
  const events = await db.auditEvent.findMany({
    where: { orgId, action: { in: actions }, ...(q.beforeSeq ? { seq: { lt: q.beforeSeq } } : {}) },
    orderBy: { seq: "desc" },
    take: q.limit,
  });
  return {
    rows: events.map((e) => {
      const data = (e.data ?? {}) as Record<string, unknown>;
      const subject = str(data.subject);
      return {
        seq: e.seq,
        id: e.id,
        at: e.createdAt.toISOString(),
        result: REFUSED.includes(e.action) ? "refused" : "succeeded",
        method: methodOf(e.action, data),
        userId: e.targetType === "user" ? e.targetId : null,
        who: str(data.email) ?? subject ?? (e.actorType === "user" ? e.actorName : null),
        subject,
        reason: str(data.reason),
        requestId: e.requestId,
      };
    }),
  };
}

export const signInsQuery = pageQuery.extend({ result: z.enum(["succeeded", "refused"]).optional() });

/** One page of sign-in activity, as the admin API and the portal show it. */
export async function listSignInPage(
  db: Db,
  orgId: string,
  q: z.output<typeof signInsQuery>,
): Promise<{ data: SignInEntry[]; nextCursor: string | null }> {
  const after = decodeCursor(q.cursor, seqCursor);
  const { rows } = await listSignIns(db, orgId, {
    result: q.result,
    beforeSeq: after ? BigInt(after.seq) : undefined,
    limit: q.limit + 1,
  });
  const result = page(rows, q.limit, (r) => ({ seq: r.seq.toString() }));
  return { data: result.data.map(({ seq: _seq, ...r }) => r), nextCursor: result.nextCursor };
}

/** Refused sign-ins since a time (the Overview's "needs attention"). */
export const countRefusedSince = (db: Db, orgId: string, since: Date): Promise<number> =>
  db.auditEvent.count({ where: { orgId, action: { in: REFUSED }, createdAt: { gte: since } } });
