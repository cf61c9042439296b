// Parsing untrusted XML (IdP metadata, SAML responses) with @xmldom/xmldom. A DOCTYPE is refused
// before parsing: entity declarations enable XXE and "billion laughs" expansion, and no SAML
// message or metadata needs one (SAML 2.0 core 1.3 / saml-bindings 3.5.3 guidance).
import { DOMParser } from "@xmldom/xmldom";

export const NS = {
  protocol: "urn:oasis:names:tc:SAML:2.0:protocol",
  assertion: "urn:oasis:names:tc:SAML:2.0:assertion",
  metadata: "urn:oasis:names:tc:SAML:2.0:metadata",
  dsig: "http://www.w3.org/2000/09/xmldsig#",
} as const;

export class XmlRefused extends Error {
  constructor(
    readonly reason: "doctype_forbidden" | "response_malformed",
    message: string,
  ) {
    super(message);
  }
}

/** Element children only (text, comments and processing instructions skipped). */
export function childElements(node: Node): Element[] {
  const out: Element[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) if (c.nodeType === 1) out.push(c as Element);
  return out;
}

export const childrenNamed = (node: Node, ns: string, localName: string): Element[] =>
  childElements(node).filter((e) => e.namespaceURI === ns && e.localName === localName);

export const firstChild = (node: Node, ns: string, localName: string): Element | null =>
  childrenNamed(node, ns, localName)[0] ?? null;

/** Every descendant element (document order) with that namespace and local name. */
export function descendantsNamed(node: Node, ns: string, localName: string): Element[] {
  const list = (node as Element | Document).getElementsByTagNameNS(ns, localName);
  const out: Element[] = [];
  for (let i = 0; i < list.length; i++) out.push(list.item(i) as Element);
  return out;
}

/** Parses a whole document strictly: no DOCTYPE, exactly one root element, no parser warnings. */
export function parseStrict(xml: string): Document {
  if (/<!DOCTYPE/i.test(xml) || /<!ENTITY/i.test(xml)) {
    throw new XmlRefused("doctype_forbidden", "XML with a DOCTYPE or entity declarations is refused");
  }
  const problems: string[] = [];
  // No locator: xmldom would stamp every node with its line and column, about a tenth of the parse,
  // for error messages that are only counted here.
  const parser = new DOMParser({
    errorHandler: {
      warning: (m: string) => problems.push(m),
      error: (m: string) => problems.push(m),
      fatalError: (m: string) => problems.push(m),
    },
  });
  const doc = parser.parseFromString(xml, "text/xml");
  if (problems.length > 0 || !doc || !doc.documentElement) {
    throw new XmlRefused("response_malformed", "the XML is not well-formed");
  }
  if (doc.doctype) throw new XmlRefused("doctype_forbidden", "XML with a DOCTYPE is refused");
  const roots = childElements(doc);
  if (roots.length !== 1)
    throw new XmlRefused("response_malformed", "the XML must have exactly one root element");
  return doc;
}

/** True when the subtree holds a comment node (anywhere below, including inside signatures). */
export function hasComment(node: Node): boolean {
  for (let c = node.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === 8) return true;
    if (c.nodeType === 1 && hasComment(c)) return true;
  }
  return false;
}

/** Elements by the value of their ID, Id or id attribute (any namespace), as xml-crypto resolves them. */
export type IdIndex = ReadonlyMap<string, readonly Element[]>;

export function idIndexOf(root: Element): IdIndex {
  const index = new Map<string, Element[]>();
  const stack: Element[] = [root];
  while (stack.length > 0) {
    const el = stack.pop() as Element;
    for (let i = 0; i < el.attributes.length; i++) {
      const attr = el.attributes.item(i) as Attr;
      const name = attr.localName ?? attr.name;
      if ((name !== "ID" && name !== "Id" && name !== "id") || attr.prefix === "xmlns") continue;
      const holders = index.get(attr.value);
      if (holders) holders.push(el);
      else index.set(attr.value, [el]);
    }
    stack.push(...childElements(el));
  }
  return index;
}

export const textOf = (el: Element | null): string | null => (el ? (el.textContent ?? "").trim() : null);
