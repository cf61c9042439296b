// Our SP metadata for one organization: entity id, ACS (HTTP-POST) and the organization's
// certificate for signing and encryption. It needs no connection: an IT admin creates the app in
// Okta or Entra from it before pasting the IdP's metadata back.
import { generateServiceProviderMetadata } from "@node-saml/node-saml";
import type { Organization } from "../../generated/prisma/client";
import { NAME_ID_FORMAT, spUrls } from "./saml-config";
import type { SpKeyPair } from "./sp-keys";

export function spMetadataXml(baseUrl: string, org: Pick<Organization, "slug">, keys: SpKeyPair): string {
  const urls = spUrls(baseUrl, org);
  return generateServiceProviderMetadata({
    issuer: urls.entityId,
    callbackUrl: urls.acsUrl,
    identifierFormat: NAME_ID_FORMAT,
    wantAssertionsSigned: false,
    privateKey: keys.privateKeyPem,
    decryptionPvk: keys.privateKeyPem,
    publicCerts: keys.certificatePem,
    decryptionCert: keys.certificatePem,
    signatureAlgorithm: "sha256",
  });
}
