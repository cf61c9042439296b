// Checks on the raw SAMLResponse before any signature is verified: size and encoding, no DOCTYPE
// (XXE), one root element that is a samlp:Response, no comments, and no room for signature
// wrapping. Each returns the reason code and message of a refusal, or passes the parsed document.
import { NS, XmlRefused, descendantsNamed, hasComment, parseStrict, type IdIndex } from "./xml";

export interface Refusal {
  reason: string;
  message: string;
}

export type Checked<T> = { ok: true; value: T } | ({ ok: false } & Refusal);

const refuse = (reason: string, message: string): { ok: false } & Refusal => ({ ok: false, reason, message });

const MAX_RESPONSE_CHARS = 512_000;

export function parseSamlResponse(raw: unknown): Checked<{ xml: string; doc: Document }> {
  if (typeof raw !== "string" || raw.length === 0) {
    return refuse("response_missing", "The identity provider did not post a SAMLResponse.");
  }
  if (raw.length > MAX_RESPONSE_CHARS) return refuse("response_malformed", "The SAMLResponse is too large.");
  const compact = raw.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact))
    return refuse("response_malformed", "The SAMLResponse is not base64.");
  const xml = Buffer.from(compact, "base64").toString("utf8");
  let doc: Document;
  try {
    // Why: a DOCTYPE can declare entities (XXE, entity expansion); refused before parsing.
    doc = parseStrict(xml);
  } catch (e) {
    if (e instanceof XmlRefused) return refuse(e.reason, `The SAMLResponse was refused: ${e.message}.`);
    throw e;
  }
  const root = doc.documentElement;
  if (root.namespaceURI !== NS.protocol || root.localName !== "Response") {
    return refuse("response_malformed", "The message is not a SAML 2.0 Response.");
  }
  // Why: canonicalization drops comments, so "admin@acme.test<!---->.evil.test" keeps a valid
  // signature while naive readers see only the first text node (CVE-2017-11428 family); a
  // comment inside DigestValue or any signed value is just as suspicious. IdPs never send them.
  if (hasComment(doc))
    return refuse("xml_comment", "The SAMLResponse contains XML comments, which are refused.");
  return { ok: true, value: { xml, doc } };
}

/**
 * Why: XML signature wrapping (XSW1-8, Somorovsky et al. 2012) hides a forged assertion beside,
 * before, inside or around the signed one. We accept exactly one assertion (plain or encrypted),
 * a direct child of the Response, and no duplicate IDs anywhere (ID, Id or id, as xml-crypto
 * resolves a Reference).
 */
export function checkNoWrapping(doc: Document, ids: IdIndex): Refusal | null {
  const root = doc.documentElement;
  const assertions = descendantsNamed(doc, NS.assertion, "Assertion");
  const encrypted = descendantsNamed(doc, NS.assertion, "EncryptedAssertion");
  const all = [...assertions, ...encrypted];
  if (all.length !== 1 || all[0]?.parentNode !== root) {
    return {
      reason: "signature_wrapping",
      message: "The response must hold exactly one assertion, directly inside it.",
    };
  }
  for (const holders of ids.values()) {
    if (holders.length > 1)
      return { reason: "signature_wrapping", message: "The response repeats an element ID." };
  }
  return null;
}

/** Why: saml-core 3.2.2 — a response addressed to another endpoint must not be accepted here. */
export function checkDestination(doc: Document, acsUrl: string): Refusal | null {
  const destination = doc.documentElement.getAttribute("Destination");
  if (destination !== acsUrl) {
    return {
      reason: "destination_mismatch",
      message: "The response is addressed to another endpoint (Destination).",
    };
  }
  return null;
}

/** The Response's own InResponseTo (possibly unsigned: only compared with the signed one). */
export const responseInResponseTo = (doc: Document): string | null =>
  doc.documentElement.getAttribute("InResponseTo") || null;
