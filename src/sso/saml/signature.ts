// One enveloped XML signature on an element of the document we parsed, checked as node-saml
// 5.1.0's getVerifiedXml and xml-crypto's checkSignature check it, with xml-crypto's
// canonicalizers and algorithms, but without re-parsing the document or searching it by XPath.
// Returns the canonical bytes the signature covers: the only XML read afterwards.
import { createPublicKey, timingSafeEqual, type KeyObject } from "node:crypto";
import { SignedXml } from "xml-crypto";
import { findAncestorNsForElement } from "xml-crypto/lib/utils";
import { DOMParser } from "@xmldom/xmldom";
import { NS, childElements, childrenNamed, descendantsNamed, firstChild, type IdIndex } from "./xml";

export class SignatureRefused extends Error {}

const ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
/** xml-crypto's registries: the algorithms it accepts are the ones accepted here (HMAC is off). */
const XML_CRYPTO = new SignedXml();

const refuse = (message: string): never => {
  throw new SignatureRefused(message);
};

function algorithmOf(parent: Element, name: string): string {
  const el = firstChild(parent, NS.dsig, name);
  return el?.getAttribute("Algorithm") || refuse(`${name} has no Algorithm`);
}

type CanonOptions = {
  ancestorNamespaces: ReturnType<typeof findAncestorNsForElement>;
  inclusiveNamespacesPrefixList?: string[];
};
type Algorithm = keyof typeof XML_CRYPTO.CanonicalizationAlgorithms;

/**
 * True when xml-crypto's exclusive canonicalizer would write onto `node` itself: it declares on
 * the element the prefixes of its InclusiveNamespaces list (the one given or, when none is, the
 * one under the element's own CanonicalizationMethod, a SignedInfo's) that an ancestor declares.
 */
const writesOnto = (node: Element, options: CanonOptions) =>
  Boolean(options.inclusiveNamespacesPrefixList?.length) ||
  childElements(node).some(
    (c) =>
      c.localName === "CanonicalizationMethod" &&
      childElements(c).some((i) => i.localName === "InclusiveNamespaces"),
  );

/** xml-crypto's canonicalization of a subtree; its errors (a transform's output that does not parse) refuse. */
function canonical(transforms: string[], node: Element, options: CanonOptions): string {
  try {
    const [first, second, ...rest] = transforms;
    const enveloped = first === ENVELOPED && second && second !== ENVELOPED && rest.length === 0;
    // Why: SAML's usual transforms (enveloped, then one canonicalization; a SignedInfo's one
    // canonicalization) without xml-crypto's deep clone (xmldom's costs as much as parsing the
    // whole response, and a SignedInfo's more than canonicalizing it) or its XPath search for
    // the Signature: the element's one Signature child is detached while the canonicalizer
    // reads the element, then put back. When the canonicalizer writes declarations onto the
    // element (writesOnto), it works on a clone.
    if (enveloped || (transforms.length === 1 && first !== ENVELOPED)) {
      const Canonicalizer =
        XML_CRYPTO.CanonicalizationAlgorithms[(enveloped ? second : first) as Algorithm] ??
        refuse("unsupported transform");
      const options14n = { ...options, defaultNsForPrefix: SignedXml.defaultNsForPrefix };
      const target = writesOnto(node, options) ? (node.cloneNode(true) as Element) : node;
      const signature = enveloped ? firstChild(target, NS.dsig, "Signature") : null;
      const next = signature?.nextSibling ?? null;
      if (signature) target.removeChild(signature);
      try {
        return String(new Canonicalizer().process(target, options14n));
      } finally {
        if (signature && target === node) node.insertBefore(signature, next);
      }
    }
    return XML_CRYPTO.getCanonXml(transforms, node, options);
  } catch (e) {
    return refuse(`canonicalization failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Certificates parsed once: parsing the PEM costs several times the RSA verification itself. */
const publicKeys = new Map<string, KeyObject>();
function publicKeyOf(pem: string): KeyObject {
  let key = publicKeys.get(pem);
  if (!key) {
    if (publicKeys.size >= 1000) publicKeys.clear();
    key = createPublicKey(pem);
    publicKeys.set(pem, key);
  }
  return key;
}

function transformOrRefuse(algorithm: string): string {
  return algorithm in XML_CRYPTO.CanonicalizationAlgorithms ? algorithm : refuse("unsupported transform");
}

interface SignedReference {
  id: string;
  transforms: string[];
  inclusiveNamespacesPrefixList: string[];
  digestAlgorithm: string;
  digestValue: string;
}

/** Reads the one Reference from the canonical SignedInfo (the bytes the signature covers). */
function referenceOf(canonicalSignedInfo: string): {
  reference: SignedReference;
  signatureAlgorithm: string;
} {
  // `{}`: no locator (xmldom's default stamps every node with its line and column; unused here).
  const signedInfo = new DOMParser({}).parseFromString(canonicalSignedInfo, "text/xml").documentElement;
  if (!signedInfo) return refuse("the canonical SignedInfo does not parse");
  // Why: one Reference, as node-saml requires; a second could point at anything.
  const references = childrenNamed(signedInfo, NS.dsig, "Reference");
  if (references.length !== 1) refuse("the signature must hold exactly one Reference");
  const ref = references[0] as Element;
  const uri = ref.getAttribute("URI") ?? "";
  if (!/^#[^'"]+$/.test(uri)) refuse("the Reference must name an element by its ID");
  const digests = childrenNamed(ref, NS.dsig, "DigestValue");
  const digestValue = digests.length === 1 ? (digests[0]?.textContent ?? "") : "";
  if (!digestValue) refuse("the Reference must hold one DigestValue");
  const transformsEl = firstChild(ref, NS.dsig, "Transforms");
  const transformEls = transformsEl ? childrenNamed(transformsEl, NS.dsig, "Transform") : [];
  const transforms = transformEls.map((t) => transformOrRefuse(t.getAttribute("Algorithm") ?? ""));
  const last = transformEls.at(-1);
  const inclusive = last ? childElements(last).filter((e) => e.localName === "InclusiveNamespaces") : [];
  // Why: a node set left by the last transform is serialized with inclusive C14N (xmldsig-core1 4.4.3.2).
  if (transforms.length === 0 || transforms.at(-1) === ENVELOPED)
    transforms.push("http://www.w3.org/TR/2001/REC-xml-c14n-20010315");
  return {
    reference: {
      id: uri.slice(1),
      transforms,
      inclusiveNamespacesPrefixList: inclusive
        .flatMap((n) => (n.getAttribute("PrefixList") ?? "").split(" "))
        .filter((p) => p.length > 0),
      digestAlgorithm: algorithmOf(ref, "DigestMethod"),
      digestValue,
    },
    signatureAlgorithm: algorithmOf(signedInfo, "SignatureMethod"),
  };
}

function sameDigest(computed: string, expected: string): boolean {
  const a = Buffer.from(computed, "base64");
  const b = Buffer.from(expected, "base64");
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The canonical XML of `element` if it carries a valid enveloped signature by one of `certs`;
 * null if it carries none or none of the certificates verifies it. Throws SignatureRefused
 * when the signature is not one node-saml would check (several, more than two transforms,
 * several SignedInfo, a reference to anything but this element, unknown algorithms).
 */
export function verifiedXmlOf(element: Element, ids: IdIndex, certs: readonly string[]): string | null {
  const signatures = childrenNamed(element, NS.dsig, "Signature");
  if (signatures.length === 0) return null;
  if (signatures.length > 1) refuse("the element carries more than one signature");
  const signature = signatures[0] as Element;
  // Why: node-saml's limit; enveloped-signature plus one canonicalization is all SAML needs.
  if (descendantsNamed(signature, NS.dsig, "Transform").length > 2) refuse("too many transforms");
  const signedInfos = childrenNamed(signature, NS.dsig, "SignedInfo");
  if (signedInfos.length !== 1) refuse("the signature must hold exactly one SignedInfo");
  const signedInfo = signedInfos[0] as Element;
  const canonicalSignedInfo = canonical(
    [transformOrRefuse(algorithmOf(signedInfo, "CanonicalizationMethod"))],
    signedInfo,
    { ancestorNamespaces: findAncestorNsForElement(signedInfo) },
  );
  const { reference, signatureAlgorithm } = referenceOf(canonicalSignedInfo);
  // Why: the signed element is the one that carries the signature (enveloped) and no other
  // element shares its ID under any of the names xml-crypto resolves (ID, Id, id): this is
  // what defeats signature wrapping.
  const holders = ids.get(reference.id) ?? [];
  if (holders.length !== 1 || holders[0] !== element || element.getAttribute("ID") !== reference.id)
    refuse("the signature's Reference does not name the element that carries it");
  const signedXml = canonical(reference.transforms, element, {
    inclusiveNamespacesPrefixList: reference.inclusiveNamespacesPrefixList,
    ancestorNamespaces: findAncestorNsForElement(element),
  });
  const hash = XML_CRYPTO.HashAlgorithms[reference.digestAlgorithm as keyof typeof XML_CRYPTO.HashAlgorithms];
  if (!hash) return refuse("unsupported digest algorithm");
  if (!sameDigest(new hash().getHash(signedXml), reference.digestValue)) return null;
  const algorithm =
    XML_CRYPTO.SignatureAlgorithms[signatureAlgorithm as keyof typeof XML_CRYPTO.SignatureAlgorithms];
  if (!algorithm) return refuse("unsupported signature algorithm");
  const value = (firstChild(signature, NS.dsig, "SignatureValue")?.textContent ?? "").replace(/\s+/g, "");
  if (!value) refuse("the signature has no SignatureValue");
  // Why: only the configured certificates (rotation: any of them), never the message's KeyInfo.
  const verifier = new algorithm();
  const verifies = (cert: string) => {
    try {
      return verifier.verifySignature(canonicalSignedInfo, publicKeyOf(cert), value);
    } catch {
      try {
        // RSA-PSS (sha256-rsa-MGF1) in xml-crypto takes the PEM only.
        return verifier.verifySignature(canonicalSignedInfo, cert, value);
      } catch {
        return false; // a key of another type, a malformed value: not this certificate's signature
      }
    }
  };
  return certs.some(verifies) ? signedXml : null;
}
