// Table-driven tests of the pure parts of SAML sign-in: returnTo, attribute mapping, IdP
// metadata parsing and the assertion checks' validity window (with a pinned clock).
import { localPathOrNull } from "../../../src/sso/return-to";
import { claimsOf } from "../../../src/sso/saml/attributes";
import { DEFAULT_ATTRIBUTES } from "../../../src/sso/saml/saml-config";
import { parseIdpMetadata } from "../../../src/sso/saml/idp-metadata";
import { runAssertionChecks } from "../../../src/sso/saml/assertion-checks";
import type { AssertionFacts } from "../../../src/sso/saml/assertion-facts";

describe("returnTo", () => {
  test.each([
    ["/", "/"],
    ["/users?page=2#top", "/users?page=2#top"],
    ["/a/../b", "/b"],
    ["//evil.test", null],
    ["/\\evil.test", null],
    ["/\tevil", null],
    ["https://evil.test/", null],
    ["evil.test", null],
    ["", null],
  ])("when returnTo is %j, then the local path is %j", (value, expected) => {
    expect(localPathOrNull(value)).toBe(expected);
  });
});

const facts = (over: Partial<AssertionFacts> = {}): AssertionFacts => ({
  id: "_a1",
  issuer: "https://idp.test",
  issueInstant: "2030-01-01T10:00:00Z",
  nameId: "u@acme.test",
  nameIdFormat: null,
  audienceRestrictions: [["https://sp.test/md"]],
  conditions: { notBefore: "2030-01-01T10:00:00Z", notOnOrAfter: "2030-01-01T10:05:00Z" },
  conditionsCount: 1,
  bearer: [
    {
      recipient: "https://sp.test/acs",
      notOnOrAfter: "2030-01-01T10:05:00Z",
      notBefore: null,
      inResponseTo: "_r1",
    },
  ],
  attributes: {},
  nestedAssertions: 0,
  ...over,
});

describe("attribute mapping", () => {
  const config = {
    groupsAttribute: DEFAULT_ATTRIBUTES.groups,
    emailAttribute: DEFAULT_ATTRIBUTES.email,
    firstNameAttribute: DEFAULT_ATTRIBUTES.firstName,
    lastNameAttribute: DEFAULT_ATTRIBUTES.lastName,
  };

  test("when Entra sends its claim URIs, then email, names and group ids are read from them", () => {
    const claims = claimsOf(
      facts({
        nameId: "opaque-id",
        attributes: {
          "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress": ["a@acme.test"],
          "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname": ["Ann"],
          "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname": ["Lee"],
          "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups": ["6f1c...-id", "7a2d...-id"],
        },
      }),
      config,
    );
    expect(claims).toEqual({
      subject: "opaque-id",
      email: "a@acme.test",
      firstName: "Ann",
      lastName: "Lee",
      groups: ["6f1c...-id", "7a2d...-id"],
      overage: false,
    });
  });

  test("when Entra sends groups.link instead of groups, then it is overage with no groups", () => {
    const claims = claimsOf(
      facts({ attributes: { "http://schemas.microsoft.com/claims/groups.link": ["https://graph"] } }),
      config,
    );
    expect(claims).toMatchObject({ overage: true, groups: null, email: "u@acme.test" });
  });

  test("when no groups attribute is present, then groups is null (not an empty list)", () => {
    expect(claimsOf(facts(), config).groups).toBeNull();
  });
});

describe("IdP metadata", () => {
  test("when metadata lists only the HTTP-POST binding, then that URL is used with the post binding", () => {
    const md = `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://sts.windows.net/t/">
      <IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
        <KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>ENC</ds:X509Certificate></ds:X509Data></ds:KeyInfo></KeyDescriptor>
        <KeyDescriptor><ds:KeyInfo><ds:X509Data><ds:X509Certificate>SIGN</ds:X509Certificate></ds:X509Data></ds:KeyInfo></KeyDescriptor>
        <SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://login.test/saml2"/>
      </IDPSSODescriptor></EntityDescriptor>`;
    expect(parseIdpMetadata(md)).toEqual({
      entityId: "https://sts.windows.net/t/",
      ssoUrl: "https://login.test/saml2",
      ssoBinding: "post",
      certificates: ["SIGN"],
    });
  });
});

describe("validity window", () => {
  const input = (now: string) => ({
    facts: facts(),
    idpEntityId: "https://idp.test",
    spEntityId: "https://sp.test/md",
    acsUrl: "https://sp.test/acs",
    responseInResponseTo: "_r1",
    now: new Date(now),
  });
  test.each([
    ["2030-01-01T09:59:01Z", null],
    ["2030-01-01T09:58:59Z", "not_yet_valid"],
    ["2030-01-01T10:05:59Z", null],
    ["2030-01-01T10:06:00Z", "expired"],
  ])("when the clock reads %s, then the refusal is %j", (now, reason) => {
    expect(runAssertionChecks(input(now))?.reason ?? null).toBe(reason);
  });

  test("when the Response's InResponseTo differs from the signed one, then in_response_to_mismatch", () => {
    expect(
      runAssertionChecks({ ...input("2030-01-01T10:01:00Z"), responseInResponseTo: "_other" })?.reason,
    ).toBe("in_response_to_mismatch");
  });
});
