// POST /sso/{org}/saml/acs (HTTP-POST binding): verify the response, then hand the proven
// identity to the shared sign-in completion. Any failed check is audited with its reason and
// answered with the sign-in error page (401); no session is created. A response to an Admin's
// test sign-in goes through the same checks but ends in a stored test result instead.
import type { Request, Response } from "express";
import type { SsoDeps } from "../deps";
import { completeSignIn, sendSignedIn } from "../complete-sign-in";
import { refuseSignIn } from "../refusal";
import { localPathOrNull } from "../return-to";
import { ssoTargetOf } from "../target";
import { recordTestResult, sendToTestResult } from "../test-sign-in/record-result";
import { claimsOf } from "./attributes";
import { pendingTestSession } from "./replay-store";
import { parseSamlResponse, responseInResponseTo } from "./response-checks";
import { samlConfigOf } from "./saml-config";
import { spKeysOf } from "./sp-key-store";
import { verifySamlResponse } from "./verify-response";

const SSO_DISABLED = {
  protocol: "saml" as const,
  reason: "sso_disabled",
  message: "Single sign-on is turned off for this organization.",
  status: 403 as const,
};

export function acsHandler(deps: SsoDeps) {
  return async (req: Request, res: Response) => {
    const { org, connection } = await ssoTargetOf(deps, req, { protocol: "saml", requireEnabled: false });
    const requestId = res.locals.requestId as string;
    const db = deps.db.prisma;
    // Why the unsigned InResponseTo is read: only to let a pending test through while SSO is off
    // and to file a refused test under its session; the signed one decides everything else.
    const parsed = parseSamlResponse(req.body?.SAMLResponse);
    const hinted = parsed.ok
      ? await pendingTestSession(db, org.id, responseInResponseTo(parsed.value.doc), deps.clock())
      : null;
    if (!connection.enabled && !hinted) {
      throw await refuseSignIn(db, { ...SSO_DISABLED, orgId: org.id, requestId });
    }
    const result = await verifySamlResponse({
      req,
      db: deps.db,
      parsed,
      baseUrl: deps.config.baseUrl,
      org,
      connection,
      spPrivateKey: (await spKeysOf(deps, org)).privateKeyPem,
      now: deps.clock(),
      mode: "consume",
    });
    const config = samlConfigOf(connection.config);
    const testSessionId = result.ok ? result.value.testSessionId : hinted;
    if (testSessionId) {
      const facts = result.ok ? result.value.facts : result.facts;
      const resultId = await recordTestResult(deps, {
        org,
        connection,
        protocol: "saml",
        sessionId: testSessionId,
        requestId,
        identity: result.ok ? claimsOf(result.value.facts, config) : null,
        attributes: facts?.attributes ?? {},
        facts: facts
          ? {
              nameId: facts.nameId,
              nameIdFormat: facts.nameIdFormat,
              issuer: facts.issuer,
              assertionId: facts.id,
            }
          : {},
        refusal: result.ok ? null : result.refusal,
      });
      sendToTestResult(res, resultId);
      return;
    }
    if (!result.ok) {
      throw await refuseSignIn(db, {
        orgId: org.id,
        protocol: "saml",
        reason: result.refusal.reason,
        message: result.refusal.message,
        status: 401,
        requestId,
        subject: result.facts?.nameId ?? null,
        detail: result.facts ? { assertionId: result.facts.id, issuer: result.facts.issuer } : {},
      });
    }
    if (!connection.enabled) throw await refuseSignIn(db, { ...SSO_DISABLED, orgId: org.id, requestId });
    const { facts, inResponseTo, returnTo } = result.value;
    // IdP-initiated: RelayState may name a local page; anything else lands on "/".
    const target = returnTo ?? localPathOrNull(req.body?.RelayState) ?? "/";
    const success = await completeSignIn(deps, {
      ...claimsOf(facts, config),
      org,
      connection,
      protocol: "saml",
      requestId,
      returnTo: target,
      auditData: { assertionId: facts.id, issuer: facts.issuer, inResponseTo, idpInitiated: !inResponseTo },
    });
    sendSignedIn(res, success, deps.config.secureCookies);
  };
}
