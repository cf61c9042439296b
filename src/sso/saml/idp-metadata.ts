// IdP metadata XML (Okta's "Identity Provider metadata", Entra's "Federation Metadata XML"):
// the entityID, the SingleSignOnService URL (HTTP-Redirect preferred, else HTTP-POST) and every
// signing certificate (several during a rotation). Errors name the idpMetadataXml field.
import { AppError } from "../../shared/errors";
import { NS, XmlRefused, childrenNamed, descendantsNamed, firstChild, parseStrict } from "./xml";

export const BINDING_REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
export const BINDING_POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";

export interface IdpMetadata {
  entityId: string;
  ssoUrl: string;
  ssoBinding: "redirect" | "post";
  certificates: string[];
}

const fieldError = (message: string) =>
  new AppError("validation_failed", `idpMetadataXml: ${message}`, {
    errors: [{ field: "idpMetadataXml", message }],
  });

export function parseIdpMetadata(xml: string): IdpMetadata {
  let doc: Document;
  try {
    doc = parseStrict(xml);
  } catch (e) {
    if (e instanceof XmlRefused) throw fieldError(e.message);
    throw e;
  }
  const entity = descendantsNamed(doc, NS.metadata, "EntityDescriptor").find(
    (e) => firstChild(e, NS.metadata, "IDPSSODescriptor") !== null,
  );
  const idp = entity ? firstChild(entity, NS.metadata, "IDPSSODescriptor") : null;
  if (!entity || !idp) throw fieldError("no EntityDescriptor with an IDPSSODescriptor found");
  const entityId = entity.getAttribute("entityID")?.trim();
  if (!entityId) throw fieldError("the EntityDescriptor has no entityID");

  const services = childrenNamed(idp, NS.metadata, "SingleSignOnService");
  const redirect = services.find((s) => s.getAttribute("Binding") === BINDING_REDIRECT);
  const post = services.find((s) => s.getAttribute("Binding") === BINDING_POST);
  const chosen = redirect ?? post;
  const ssoUrl = chosen?.getAttribute("Location")?.trim();
  if (!chosen || !ssoUrl)
    throw fieldError("no SingleSignOnService with the HTTP-Redirect or HTTP-POST binding");

  // KeyDescriptor without `use` serves both signing and encryption (saml-metadata 2.4.1.1).
  const certificates = childrenNamed(idp, NS.metadata, "KeyDescriptor")
    .filter((k) => (k.getAttribute("use") || "signing") === "signing")
    .flatMap((k) => descendantsNamed(k, NS.dsig, "X509Certificate"))
    .map((c) => (c.textContent ?? "").replace(/\s+/g, ""))
    .filter((c) => c.length > 0);
  if (certificates.length === 0)
    throw fieldError("the IDPSSODescriptor has no signing certificate (KeyDescriptor)");
  return {
    entityId,
    ssoUrl,
    ssoBinding: redirect ? "redirect" : "post",
    certificates: [...new Set(certificates)],
  };
}
