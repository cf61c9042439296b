// What the signed assertion says, read only from the signed bytes as parsed again by
// signed-assertion.ts, never from the posted document: issuer, audiences, subject, bearer
// confirmation, validity window and attributes.
import { NS, childrenNamed, descendantsNamed, firstChild, textOf } from "./xml";

export interface AssertionFacts {
  id: string;
  issuer: string | null;
  issueInstant: string | null;
  nameId: string | null;
  nameIdFormat: string | null;
  /** One list per AudienceRestriction. */
  audienceRestrictions: string[][];
  conditions: { notBefore: string | null; notOnOrAfter: string | null } | null;
  /** How many Conditions elements the assertion holds (only the first is read). */
  conditionsCount: number;
  bearer: {
    recipient: string | null;
    notOnOrAfter: string | null;
    notBefore: string | null;
    inResponseTo: string | null;
  }[];
  attributes: Record<string, string[]>;
  nestedAssertions: number;
}

const BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer";

export function readAssertionFacts(a: Element): AssertionFacts {
  const subject = firstChild(a, NS.assertion, "Subject");
  const nameId = subject ? firstChild(subject, NS.assertion, "NameID") : null;
  const conditions = firstChild(a, NS.assertion, "Conditions");
  const bearer = (subject ? childrenNamed(subject, NS.assertion, "SubjectConfirmation") : [])
    .filter((sc) => sc.getAttribute("Method") === BEARER)
    .map((sc) => {
      const data = firstChild(sc, NS.assertion, "SubjectConfirmationData");
      return {
        recipient: data?.getAttribute("Recipient") || null,
        notOnOrAfter: data?.getAttribute("NotOnOrAfter") || null,
        notBefore: data?.getAttribute("NotBefore") || null,
        inResponseTo: data?.getAttribute("InResponseTo") || null,
      };
    });
  const attributes: Record<string, string[]> = {};
  for (const statement of childrenNamed(a, NS.assertion, "AttributeStatement")) {
    for (const attr of childrenNamed(statement, NS.assertion, "Attribute")) {
      const name = attr.getAttribute("Name");
      if (!name) continue;
      const values = childrenNamed(attr, NS.assertion, "AttributeValue")
        .map((v) => textOf(v) ?? "")
        .filter((v) => v.length > 0);
      attributes[name] = [...(attributes[name] ?? []), ...values];
    }
  }
  return {
    id: a.getAttribute("ID") ?? "",
    issuer: textOf(firstChild(a, NS.assertion, "Issuer")),
    issueInstant: a.getAttribute("IssueInstant") || null,
    nameId: textOf(nameId) || null,
    nameIdFormat: nameId?.getAttribute("Format") || null,
    audienceRestrictions: (conditions
      ? childrenNamed(conditions, NS.assertion, "AudienceRestriction")
      : []
    ).map((r) => childrenNamed(r, NS.assertion, "Audience").map((x) => textOf(x) ?? "")),
    conditions: conditions
      ? {
          notBefore: conditions.getAttribute("NotBefore") || null,
          notOnOrAfter: conditions.getAttribute("NotOnOrAfter") || null,
        }
      : null,
    conditionsCount: childrenNamed(a, NS.assertion, "Conditions").length,
    bearer,
    attributes,
    nestedAssertions: descendantsNamed(a, NS.assertion, "Assertion").length,
  };
}
