// node-saml options for one organization's connection. Time checks, InResponseTo and replay
// are ours (they need the service clock and the database shared by every instance), so
// node-saml's own are turned off here and done in verify-response.ts instead.
import { ValidateInResponseTo, type SamlConfig as NodeSamlOptions } from "@node-saml/passport-saml";
import type { Organization } from "../../generated/prisma/client";
import type { SsoConnectionRecord } from "../protocol";
import { NAME_ID_FORMAT, samlConfigOf, spUrls } from "./saml-config";

export function samlOptionsFor(
  baseUrl: string,
  org: Pick<Organization, "slug">,
  connection: SsoConnectionRecord,
  /** The organization's SP private key (sp-key-store.ts): signs AuthnRequests, decrypts assertions. */
  spKey: string,
  requestId?: string,
): NodeSamlOptions {
  const config = samlConfigOf(connection.config);
  const urls = spUrls(baseUrl, org);
  return {
    callbackUrl: urls.acsUrl,
    issuer: urls.entityId,
    // Why: node-saml also checks the audience; our own check in assertion-checks.ts names the reason.
    audience: urls.entityId,
    entryPoint: config.idpSsoUrl,
    authnRequestBinding: config.idpSsoBinding === "post" ? "HTTP-POST" : "HTTP-Redirect",
    // Why: only the certificates an admin configured verify signatures, never KeyInfo's.
    idpCert: config.idpCertificates,
    // Either the response or the assertion must carry a valid signature (node-saml enforces
    // "assertion signed" whenever the response signature is absent or invalid).
    wantAssertionsSigned: false,
    wantAuthnResponseSigned: false,
    privateKey: spKey,
    decryptionPvk: spKey,
    signatureAlgorithm: "sha256",
    digestAlgorithm: "sha256",
    acceptedClockSkewMs: -1,
    validateInResponseTo: ValidateInResponseTo.never,
    disableRequestedAuthnContext: true,
    identifierFormat: NAME_ID_FORMAT,
    ...(requestId ? { generateUniqueId: () => requestId } : {}),
  } as NodeSamlOptions;
}
