// The one assertion of a posted Response, taken only from XML a configured certificate signed,
// in node-saml 5.1.0's order (validatePostResponseAsync): a signed Response covers its assertion
// (plain, or encrypted and decrypted with the SP key); otherwise the assertion itself, or the
// decrypted one, must carry the signature. What is returned is parsed from the signed bytes.
import { promisify } from "node:util";
import { decrypt } from "xml-encryption";
import type { Refusal } from "./response-checks";
import { SignatureRefused, verifiedXmlOf } from "./signature";
import { NS, XmlRefused, childrenNamed, hasComment, idIndexOf, parseStrict, type IdIndex } from "./xml";

const decryptXml = promisify(decrypt) as (xml: string, options: { key: string }) => Promise<string>;

export type SignedAssertion = { ok: true; assertion: Element } | { ok: false; refusal: Refusal };

const MESSAGES = {
  signature_invalid: "The response is not signed by the identity provider's configured certificate.",
  decryption_failed: "The encrypted assertion could not be decrypted with this organization's key.",
  response_malformed: "The SAMLResponse is not a usable SAML 2.0 response.",
} as const;

class Refused extends Error {
  constructor(readonly reason: keyof typeof MESSAGES) {
    super(reason);
  }
}

const isAssertion = (el: Element) => el.namespaceURI === NS.assertion && el.localName === "Assertion";

/** The single Assertion or EncryptedAssertion child of a Response (checkNoWrapping's rule). */
function assertionChildOf(response: Element): Element {
  const found = [
    ...childrenNamed(response, NS.assertion, "Assertion"),
    ...childrenNamed(response, NS.assertion, "EncryptedAssertion"),
  ];
  if (found.length !== 1) throw new Refused("response_malformed");
  return found[0] as Element;
}

/** The Assertion inside an EncryptedAssertion, decrypted with the SP key and parsed strictly. */
async function decrypted(encrypted: Element, spPrivateKey: string): Promise<Element> {
  let xml: string;
  try {
    xml = await decryptXml(encrypted.toString(), { key: spPrivateKey });
  } catch {
    throw new Refused("decryption_failed");
  }
  const doc = parseStrict(xml);
  // Why: the same no-comment rule as the posted document (parseSamlResponse).
  if (!isAssertion(doc.documentElement) || hasComment(doc)) throw new Refused("decryption_failed");
  return doc.documentElement;
}

/** Verifies `element`'s own signature; the signed bytes parsed again, or null when unsigned/invalid. */
function signedCopy(element: Element, ids: IdIndex, certs: readonly string[]): Element | null {
  const xml = verifiedXmlOf(element, ids, certs);
  return xml === null ? null : parseStrict(xml).documentElement;
}

async function assertionOf(doc: Document, ids: IdIndex, certs: readonly string[], spKey: string) {
  const signedResponse = signedCopy(doc.documentElement, ids, certs);
  if (signedResponse) {
    const inside = assertionChildOf(signedResponse);
    return isAssertion(inside) ? inside : await decrypted(inside, spKey);
  }
  const posted = assertionChildOf(doc.documentElement);
  const assertion = isAssertion(posted) ? posted : await decrypted(posted, spKey);
  const signed = signedCopy(assertion, isAssertion(posted) ? ids : idIndexOf(assertion), certs);
  if (!signed || !isAssertion(signed)) throw new Refused("signature_invalid");
  return signed;
}

export async function signedAssertionOf(
  doc: Document,
  ids: IdIndex,
  certs: readonly string[],
  spPrivateKey: string,
): Promise<SignedAssertion> {
  try {
    return { ok: true, assertion: await assertionOf(doc, ids, certs, spPrivateKey) };
  } catch (e) {
    const reason =
      e instanceof Refused
        ? e.reason
        : e instanceof SignatureRefused
          ? "signature_invalid"
          : e instanceof XmlRefused
            ? "response_malformed"
            : null;
    if (!reason) throw e;
    return { ok: false, refusal: { reason, message: MESSAGES[reason] } };
  }
}
