// POST /api/v1/orgs/{org}/sso-connection/test for SAML: an admin pastes a SAMLResponse and sees
// whether every check passes, the verified attributes, and the role the sign-in would give.
// Nothing is consumed: the replay cache and the request ids are only read, no user or session
// is written (the role comes from the real engine in a rolled-back transaction).
import { z } from "zod";
import type { SsoDeps } from "../deps";
import { emit } from "../../events";
import { previewSignIn } from "../complete-sign-in";
import type { TestTarget } from "../protocol";
import type { samlTestReportSchema } from "../connection-schema";
import { claimsOf } from "./attributes";
import { samlConfigOf } from "./saml-config";
import { spKeysOf } from "./sp-key-store";
import { verifySamlResponse } from "./verify-response";

export const samlTestBody = z
  .object({ samlResponse: z.string().min(1).max(512_000).describe("The IdP's SAMLResponse, base64") })
  .strict();

export async function testSamlResponse(
  deps: SsoDeps,
  { samlResponse }: z.output<typeof samlTestBody>,
  { ctx, org, connection, req }: TestTarget,
): Promise<z.input<typeof samlTestReportSchema>> {
  // The ACS reads the posted form field; the pasted value stands in for it.
  req.body = { SAMLResponse: samlResponse };
  const result = await verifySamlResponse({
    req,
    db: deps.db,
    baseUrl: deps.config.baseUrl,
    org,
    connection,
    spPrivateKey: (await spKeysOf(deps, org)).privateKeyPem,
    now: deps.clock(),
    mode: "peek",
  });
  const facts = result.ok ? result.value.facts : (result.facts ?? null);
  const claims = result.ok ? claimsOf(result.value.facts, samlConfigOf(connection.config)) : null;
  const signIn = claims
    ? await previewSignIn(deps, {
        ...claims,
        org,
        connection,
        protocol: "saml",
        requestId: ctx.requestId ?? "",
        returnTo: "/",
      })
    : null;
  await emit(deps.db.prisma, ctx, {
    action: "sso.connection_tested",
    targetId: connection.id,
    data: {
      verified: result.ok,
      reason: result.ok ? (signIn?.reason ?? null) : result.refusal.reason,
      assertionId: facts?.id ?? null,
    },
  });
  return {
    verified: result.ok,
    reason: result.ok ? null : result.refusal.reason,
    message: result.ok ? null : result.refusal.message,
    assertion: facts
      ? {
          id: facts.id,
          issuer: facts.issuer,
          nameId: facts.nameId,
          nameIdFormat: facts.nameIdFormat,
          audiences: facts.audienceRestrictions.flat(),
          notOnOrAfter: facts.conditions?.notOnOrAfter ?? null,
          inResponseTo: result.ok ? result.value.inResponseTo : null,
          attributes: facts.attributes,
        }
      : null,
    claims,
    signIn,
    consumed: false,
    note: "Checked like a real sign-in, but the assertion id and the request id were not marked as used and no session was created.",
  };
}
