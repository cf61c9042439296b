// node-saml options for one organization's connection, for the one thing node-saml still does:
// build the AuthnRequest (HTTP-Redirect or HTTP-POST). Responses never reach node-saml: the ACS
// verifies them itself (signed-assertion.ts, verify-response.ts), so no validation option is set.
import { ValidateInResponseTo, type SamlConfig as NodeSamlOptions } from "@node-saml/passport-saml";
import type { Organization } from "../../generated/prisma/client";
import type { SsoConnectionRecord } from "../protocol";
import { NAME_ID_FORMAT, samlConfigOf, spUrls } from "./saml-config";

export function samlOptionsFor(
  baseUrl: string,
  org: Pick<Organization, "slug">,
  connection: SsoConnectionRecord,
  /** The organization's SP private key (sp-key-store.ts): signs AuthnRequests. */
  spKey: string,
  requestId?: string,
): NodeSamlOptions {
  const config = samlConfigOf(connection.config);
  const urls = spUrls(baseUrl, org);
  return {
    callbackUrl: urls.acsUrl,
    issuer: urls.entityId,
    entryPoint: config.idpSsoUrl,
    authnRequestBinding: config.idpSsoBinding === "post" ? "HTTP-POST" : "HTTP-Redirect",
    // Required by node-saml's constructor; it verifies nothing with it here.
    idpCert: config.idpCertificates,
    privateKey: spKey,
    signatureAlgorithm: "sha256",
    digestAlgorithm: "sha256",
    // Why: our request ids live in the database (replay-store.ts), not in node-saml's memory cache.
    validateInResponseTo: ValidateInResponseTo.never,
    disableRequestedAuthnContext: true,
    identifierFormat: NAME_ID_FORMAT,
    ...(requestId ? { generateUniqueId: () => requestId } : {}),
  } as NodeSamlOptions;
}
