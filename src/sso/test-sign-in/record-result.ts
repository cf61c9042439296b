// The end of an Admin's test sign-in (issue 19 item 4): the IdP round trip happened for real,
// and instead of signing anyone in, the identity it proved is run through the same decision as
// a real sign-in (previewSignIn, in a transaction that is always rolled back). What came back
// is stored for the session that started the test alone; a pass stamps the connection.
import type { Response } from "express";
import type { InputJsonValue } from "../../generated/prisma/internal/prismaNamespace";
import type { SsoDeps } from "../deps";
import { emit } from "../../events";
import { previewSignIn, type SignInInput } from "../complete-sign-in";
import type { SsoConnectionRecord, SsoProtocolName } from "../protocol";
import type { IdentityClaims } from "../sign-in-user";

/** Only the latest results of an organization are worth keeping. */
const KEEP_RESULTS = 20;

export interface TestOutcome {
  org: SignInInput["org"];
  connection: Pick<SsoConnectionRecord, "id" | "jit">;
  protocol: SsoProtocolName;
  sessionId: string;
  requestId: string;
  /** The proven identity, or null when a check refused the answer before that. */
  identity: IdentityClaims | null;
  /** SAML attributes or OIDC claims as received (no tokens, no message bodies). */
  attributes: Record<string, unknown>;
  /** Extra facts shown on the result page (NameID format, issuer, assertion id). */
  facts?: Record<string, unknown>;
  refusal?: { reason: string; message: string } | null;
}

export type TestDeps = Pick<SsoDeps, "db" | "sessions" | "clock">;

/** Stores the result and answers its id. */
export async function recordTestResult(deps: TestDeps, outcome: TestOutcome): Promise<string> {
  const { org, identity } = outcome;
  const decision =
    identity && !outcome.refusal
      ? await previewSignIn(deps, {
          ...identity,
          org,
          connection: outcome.connection,
          protocol: outcome.protocol,
          requestId: outcome.requestId,
          returnTo: "/",
        })
      : null;
  const refusal = outcome.refusal ?? (decision?.outcome === "refused" ? decision : null);
  const passed = !refusal && decision?.outcome === "signed_in";
  const now = deps.clock();
  const result = {
    passed,
    protocol: outcome.protocol,
    reason: refusal?.reason ?? null,
    message: refusal?.message ?? null,
    subject: identity?.subject ?? null,
    email: identity?.email ?? null,
    firstName: identity?.firstName ?? null,
    lastName: identity?.lastName ?? null,
    groups: identity?.groups ?? [],
    groupsOverage: identity?.overage ?? false,
    attributes: outcome.attributes,
    facts: outcome.facts ?? {},
    role: decision?.role ?? null,
    roleSource: decision?.roleSource ?? null,
    userId: decision?.userId ?? null,
    wouldCreateUser: decision?.wouldCreateUser ?? false,
    requestId: outcome.requestId,
    testedAt: now.toISOString(),
  };
  const prisma = deps.db.prisma;
  return prisma.$transaction(async (tx) => {
    const row = await tx.ssoTestResult.create({
      data: {
        orgId: org.id,
        sessionId: outcome.sessionId,
        protocol: outcome.protocol,
        passed,
        result: result as unknown as InputJsonValue,
        createdAt: now,
      },
    });
    if (passed) {
      await tx.ssoConnection.update({ where: { orgId: org.id }, data: { testedAt: now } });
    }
    await emit(
      tx,
      { orgId: org.id, actor: { type: "idp", name: outcome.protocol }, requestId: outcome.requestId },
      {
        action: "sso.connection_tested",
        targetId: outcome.connection.id,
        data: {
          roundTrip: true,
          passed,
          reason: result.reason,
          subject: result.subject,
          role: result.role,
        },
      },
    );
    const stale = await tx.ssoTestResult.findMany({
      where: { orgId: org.id },
      orderBy: { createdAt: "desc" },
      skip: KEEP_RESULTS,
      select: { id: true },
    });
    if (stale.length > 0) {
      await tx.ssoTestResult.deleteMany({ where: { orgId: org.id, id: { in: stale.map((s) => s.id) } } });
    }
    return row.id;
  });
}

/** Where the browser lands after a test: the portal's SSO page showing this result. */
export const testResultPath = (resultId: string): string =>
  `/sso-setup?result=${encodeURIComponent(resultId)}#test`;

export function sendToTestResult(res: Response, resultId: string): void {
  res.set("Cache-Control", "no-store");
  res.redirect(302, testResultPath(resultId));
}

/** A result, only for the session that started its test (anyone else: null, as if absent). */
export async function readTestResult(
  deps: Pick<SsoDeps, "db">,
  orgId: string,
  sessionId: string,
  resultId: string | "latest",
): Promise<Record<string, unknown> | null> {
  const row =
    resultId === "latest"
      ? await deps.db.prisma.ssoTestResult.findFirst({
          where: { orgId, sessionId },
          orderBy: { createdAt: "desc" },
        })
      : /^[0-9a-f-]{36}$/i.test(resultId)
        ? await deps.db.prisma.ssoTestResult.findFirst({ where: { id: resultId, orgId, sessionId } })
        : null;
  return row ? { id: row.id, ...(row.result as Record<string, unknown>) } : null;
}
