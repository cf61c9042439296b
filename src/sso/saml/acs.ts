// POST /sso/{org}/saml/acs (HTTP-POST binding): verify the response, then hand the proven
// identity to the shared sign-in completion. Any failed check is audited with its reason and
// answered with the sign-in error page (401); no session is created.
import type { Request, Response } from "express";
import type { Services } from "../../services";
import { completeSignIn, sendSignedIn } from "../complete-sign-in";
import { refuseSignIn } from "../refusal";
import { localPathOrNull } from "../return-to";
import { ssoTargetOf } from "../target";
import { claimsOf } from "./attributes";
import { samlConfigOf } from "./saml-config";
import { spKeysOf } from "./sp-key-store";
import type { SamlPassport } from "./strategy";
import { verifySamlResponse } from "./verify-response";

export function acsHandler(services: Services, passport: SamlPassport) {
  return async (req: Request, res: Response) => {
    const { org, connection } = await ssoTargetOf(services, req, { protocol: "saml", requireEnabled: false });
    const requestId = res.locals.requestId as string;
    if (!connection.enabled) {
      throw await refuseSignIn(services.db.prisma, {
        orgId: org.id,
        protocol: "saml",
        reason: "sso_disabled",
        message: "Single sign-on is turned off for this organization.",
        status: 403,
        requestId,
      });
    }
    const result = await verifySamlResponse({
      req,
      res,
      db: services.db.prisma,
      baseUrl: services.config.baseUrl,
      passport,
      org,
      connection,
      spPrivateKey: (await spKeysOf(services, org)).privateKeyPem,
      now: services.clock(),
      mode: "consume",
    });
    if (!result.ok) {
      throw await refuseSignIn(services.db.prisma, {
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
    const { facts, inResponseTo, returnTo } = result.value;
    // IdP-initiated: RelayState may name a local page; anything else lands on "/".
    const target = returnTo ?? localPathOrNull(req.body?.RelayState) ?? "/";
    const success = await completeSignIn(services, {
      ...claimsOf(facts, samlConfigOf(connection.config)),
      org,
      connection,
      protocol: "saml",
      requestId,
      returnTo: target,
      auditData: { assertionId: facts.id, issuer: facts.issuer, inResponseTo, idpInitiated: !inResponseTo },
    });
    sendSignedIn(res, success, services.config.secureCookies);
  };
}
