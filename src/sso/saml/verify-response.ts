// Every check of a posted SAMLResponse, in order: structure (refused before parsing anything
// signed), the signature (signed-assertion.ts), Destination, the signed assertion's own checks,
// one-time use of the assertion id, then InResponseTo or the IdP-initiated policy. In "peek"
// mode (the admin test endpoint) nothing is consumed or recorded.
import type { Request } from "express";
import type { Organization } from "../../generated/prisma/client";
import type { Database } from "../../db/client";
import type { SsoConnectionRecord } from "../protocol";
import { readAssertionFacts, type AssertionFacts } from "./assertion-facts";
import { assertionExpiry, runAssertionChecks, signedInResponseTo } from "./assertion-checks";
import {
  checkDestination,
  checkNoWrapping,
  parseSamlResponse,
  responseInResponseTo,
  type Refusal,
} from "./response-checks";
import { consumeRequest, isAssertionKnown, peekRequest, recordAssertion } from "./replay-store";
import { samlConfigOf, spUrls } from "./saml-config";
import { signedAssertionOf } from "./signed-assertion";
import { idIndexOf } from "./xml";

export interface VerifyInput {
  req: Request;
  /** prisma for the request store; direct for the one statement that records the assertion. */
  db: Pick<Database, "prisma" | "direct">;
  baseUrl: string;
  org: Organization;
  connection: SsoConnectionRecord;
  /** The organization's SP private key (encrypted assertions). */
  spPrivateKey: string;
  now: Date;
  mode: "consume" | "peek";
  /** req.body.SAMLResponse as parseSamlResponse answered it, when the caller already parsed it. */
  parsed?: ReturnType<typeof parseSamlResponse>;
}

export interface VerifiedResponse {
  facts: AssertionFacts;
  inResponseTo: string | null;
  /** From our stored request (SP-initiated); null for IdP-initiated sign-in. */
  returnTo: string | null;
  /** Set when the response answers an Admin's test sign-in (the session that started it). */
  testSessionId: string | null;
}

export type VerifyResult =
  { ok: true; value: VerifiedResponse } | { ok: false; refusal: Refusal; facts?: AssertionFacts };

const fail = (refusal: Refusal, facts?: AssertionFacts): VerifyResult => ({ ok: false, refusal, facts });

export async function verifySamlResponse(input: VerifyInput): Promise<VerifyResult> {
  const { req, org, connection, now } = input;
  const db = input.db.prisma;
  const urls = spUrls(input.baseUrl, org);
  // Why: only the HTTP-POST binding is served; a SAMLResponse (or SAMLRequest) in the query string
  // is refused outright rather than ignored, so no two readers can disagree on which one counts.
  if (req.query?.SAMLResponse !== undefined || req.query?.SAMLRequest !== undefined) {
    return fail({
      reason: "response_malformed",
      message: "The SAMLResponse must be posted (HTTP-POST binding).",
    });
  }
  const parsed = input.parsed ?? parseSamlResponse(req.body?.SAMLResponse);
  if (!parsed.ok) return fail(parsed);
  const { doc } = parsed.value;
  const ids = idIndexOf(doc.documentElement);
  const wrapping = checkNoWrapping(doc, ids);
  if (wrapping) return fail(wrapping);

  const config = samlConfigOf(connection.config);
  const signed = await signedAssertionOf(doc, ids, config.idpCertificates, input.spPrivateKey);
  if (!signed.ok) return fail(signed.refusal);
  const destination = checkDestination(parsed.value.doc, urls.acsUrl);
  if (destination) return fail(destination);

  const facts = readAssertionFacts(signed.assertion);
  const checked = runAssertionChecks({
    facts,
    idpEntityId: config.idpEntityId,
    spEntityId: urls.entityId,
    acsUrl: urls.acsUrl,
    responseInResponseTo: responseInResponseTo(parsed.value.doc),
    now,
  });
  if (checked) return fail(checked, facts);

  const inResponseTo = signedInResponseTo(facts, urls.acsUrl);
  if (input.mode === "peek") {
    if (await isAssertionKnown(db, org.id, facts.id, now)) {
      return fail({ reason: "assertion_replayed", message: "This assertion was already used." }, facts);
    }
    const pending = inResponseTo ? await peekRequest(db, org.id, inResponseTo, now) : null;
    if (pending) return fail(pending, facts);
  } else {
    const replay = await recordAssertion(input.db.direct, org.id, facts.id, assertionExpiry(facts), now);
    if (replay) return fail(replay, facts);
  }
  if (!inResponseTo) {
    // Why: unsolicited responses enable login CSRF and assertion injection; only where allowed.
    if (!connection.allowIdpInitiated) {
      return fail(
        {
          reason: "idp_initiated_not_allowed",
          message:
            "Sign-in started at the identity provider is not allowed for this organization. Start from the sign-in page.",
        },
        facts,
      );
    }
    return { ok: true, value: { facts, inResponseTo: null, returnTo: null, testSessionId: null } };
  }
  if (input.mode === "peek")
    return { ok: true, value: { facts, inResponseTo, returnTo: null, testSessionId: null } };
  const consumed = await consumeRequest(db, org.id, inResponseTo, now);
  if (!consumed.ok) return fail(consumed, facts);
  return {
    ok: true,
    value: { facts, inResponseTo, returnTo: consumed.returnTo, testSessionId: consumed.testSessionId },
  };
}
