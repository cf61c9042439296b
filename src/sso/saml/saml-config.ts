// The stored, non-secret settings of a SAML connection and the URLs we publish for it. Each
// organization is its own SP (entity id and ACS URL carry the slug), so an assertion made
// for one organization fails the audience and recipient checks of every other.
import type { Organization } from "../../generated/prisma/client";

export interface SamlConfig {
  idpEntityId: string;
  idpSsoUrl: string;
  idpSsoBinding: "redirect" | "post";
  idpCertificates: string[];
  groupsAttribute: string[];
  emailAttribute: string[];
  firstNameAttribute: string[];
  lastNameAttribute: string[];
}

/** Attribute names tried in order: Okta's usual names, Entra's claim URIs, then LDAP/eduPerson. */
export const DEFAULT_ATTRIBUTES = {
  groups: [
    "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
    "groups",
    "memberOf",
    "http://schemas.xmlsoap.org/claims/Group",
  ],
  email: [
    "email",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
    "mail",
    "urn:oid:0.9.2342.19200300.100.1.3",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
  ],
  firstName: [
    "firstName",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
    "givenName",
    "urn:oid:2.5.4.42",
  ],
  lastName: [
    "lastName",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
    "sn",
    "surname",
    "urn:oid:2.5.4.4",
  ],
};

/** The NameID format our AuthnRequests ask for and our metadata names. */
export const NAME_ID_FORMAT = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";

/** Entra sends this instead of the groups when a user has too many (group overage). */
export const ENTRA_GROUPS_LINK = "http://schemas.microsoft.com/claims/groups.link";

export interface SpUrls {
  entityId: string;
  acsUrl: string;
  metadataUrl: string;
  loginUrl: string;
}

export function spUrls(baseUrl: string, org: Pick<Organization, "slug">): SpUrls {
  const base = `${baseUrl}/sso/${encodeURIComponent(org.slug)}`;
  return {
    entityId: `${base}/saml/metadata`,
    metadataUrl: `${base}/saml/metadata`,
    acsUrl: `${base}/saml/acs`,
    loginUrl: `${base}/login`,
  };
}

export const samlConfigOf = (config: Record<string, unknown>): SamlConfig => config as unknown as SamlConfig;
