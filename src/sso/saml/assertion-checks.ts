// Checks on the verified assertion, run in this order from the table below; the first that
// fails decides the refusal's reason. Each says why it exists. InResponseTo and replay need the
// database and run afterwards (replay-store.ts).
import type { AssertionFacts } from "./assertion-facts";
import type { Refusal } from "./response-checks";

export const CLOCK_SKEW_MS = 60_000;

export interface AssertionCheckInput {
  facts: AssertionFacts;
  idpEntityId: string;
  spEntityId: string;
  acsUrl: string;
  /** The Response's unsigned InResponseTo attribute. */
  responseInResponseTo: string | null;
  now: Date;
}

type Check = (input: AssertionCheckInput) => Refusal | null;

const time = (value: string | null): number | null => {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? Number.NaN : ms;
};

export const ASSERTION_CHECKS: readonly [name: string, check: Check][] = [
  // Why: an assertion may carry others in <Advice>; only the one signed assertion is trusted.
  [
    "single assertion",
    ({ facts }) =>
      facts.nestedAssertions > 0
        ? { reason: "signature_wrapping", message: "The assertion embeds other assertions." }
        : null,
  ],
  // Why: only the first Conditions is read; a second could carry restrictions we would ignore
  // (node-saml refuses them too).
  [
    "one conditions",
    ({ facts }) =>
      facts.conditionsCount > 1
        ? { reason: "response_invalid", message: "The assertion holds more than one Conditions element." }
        : null,
  ],
  // Why: the signing key is only trusted for the IdP configured here (saml-profiles 4.1.4.2).
  [
    "issuer",
    ({ facts, idpEntityId }) =>
      facts.issuer === idpEntityId
        ? null
        : { reason: "issuer_mismatch", message: "The assertion was issued by another identity provider." },
  ],
  // Why: a NameID is the subject we sign in; without it there is nobody to sign in.
  [
    "subject",
    ({ facts }) =>
      facts.nameId
        ? null
        : { reason: "subject_missing", message: "The assertion names no subject (NameID)." },
  ],
  // Why: an assertion meant for another SP (or another organization here) must not be replayed
  // to us; each AudienceRestriction must include our entity id (saml-core 2.5.1.4).
  [
    "audience",
    ({ facts, spEntityId }) =>
      facts.audienceRestrictions.length > 0 && facts.audienceRestrictions.every((r) => r.includes(spEntityId))
        ? null
        : {
            reason: "audience_mismatch",
            message: "The assertion is meant for another service provider (Audience).",
          },
  ],
  // Why: Web SSO profile 4.1.4.2 — a bearer confirmation whose Recipient is our ACS URL is required.
  [
    "recipient",
    ({ facts, acsUrl }) =>
      facts.bearer.some((b) => b.recipient === acsUrl)
        ? null
        : {
            reason: "recipient_mismatch",
            message: "The assertion is meant for another endpoint (Recipient).",
          },
  ],
  // Why: validity windows bound how long a stolen assertion is useful; 60 s of skew at most.
  [
    "validity window",
    ({ facts, now, acsUrl }) => {
      const t = now.getTime();
      const bearer = facts.bearer.find((b) => b.recipient === acsUrl) ?? null;
      const ends = [time(facts.conditions?.notOnOrAfter ?? null), time(bearer?.notOnOrAfter ?? null)];
      const starts = [time(facts.conditions?.notBefore ?? null), time(facts.issueInstant)];
      if ([...ends, ...starts].some((v) => Number.isNaN(v)) || ends[1] === null) {
        return {
          reason: "expired",
          message: "The assertion has no valid expiry (SubjectConfirmationData NotOnOrAfter).",
        };
      }
      if (ends.some((end) => end !== null && t - CLOCK_SKEW_MS >= end)) {
        return { reason: "expired", message: "The assertion has expired. Sign in again." };
      }
      if (starts.some((start) => start !== null && t + CLOCK_SKEW_MS < start)) {
        return {
          reason: "not_yet_valid",
          message:
            "The assertion is not valid yet; check the clocks of the identity provider and this server.",
        };
      }
      return null;
    },
  ],
  // Why: the Response's InResponseTo may be unsigned; it must agree with the signed one.
  [
    "in-response-to agreement",
    ({ facts, responseInResponseTo, acsUrl }) => {
      const signed = signedInResponseTo(facts, acsUrl);
      if (responseInResponseTo && responseInResponseTo !== signed) {
        return {
          reason: "in_response_to_mismatch",
          message: "The response and its assertion answer different requests.",
        };
      }
      return null;
    },
  ],
];

export function runAssertionChecks(input: AssertionCheckInput): Refusal | null {
  for (const [, check] of ASSERTION_CHECKS) {
    const refusal = check(input);
    if (refusal) return refusal;
  }
  return null;
}

/** The signed InResponseTo of the bearer confirmation addressed to us, or null (IdP-initiated). */
export const signedInResponseTo = (facts: AssertionFacts, acsUrl: string): string | null =>
  facts.bearer.find((b) => b.recipient === acsUrl)?.inResponseTo ?? null;

/** When the assertion stops being usable: how long its id must stay in the replay cache. */
export function assertionExpiry(facts: AssertionFacts): Date {
  const ends = [facts.conditions?.notOnOrAfter, ...facts.bearer.map((b) => b.notOnOrAfter)]
    .map((v) => (v ? Date.parse(v) : Number.NaN))
    .filter((v) => !Number.isNaN(v));
  return new Date(Math.max(...ends) + CLOCK_SKEW_MS);
}
