// The browser and admin steps of a SAML sign-in, for the tests: an organization with a SAML
// connection set up through the admin API from the IdP's metadata, the login redirect (whose
// AuthnRequest id we read back), the ACS post, and what a refusal must look like.
import { inflateRawSync } from "node:zlib";
import request from "supertest";
import type { Organization, Role } from "../../../src/generated/prisma/client";
import type { TestApp } from "../../support/app";
import type { SamlIdp } from "../../support/saml-idp";

export interface SamlOrg {
  org: Organization;
  apiKey: string;
  acsUrl: string;
  spEntityId: string;
  /** Our SP metadata as served, for the IdP to load (pysaml2 looks the SP up in it). */
  spMetadataXml: string;
}

export async function samlOrg(
  t: TestApp,
  idp: SamlIdp,
  opts: {
    allowIdpInitiated?: boolean;
    jit?: boolean;
    extraCerts?: string[];
    rules?: { group: string; role: Role }[];
    defaultRole?: Role;
  } = {},
): Promise<SamlOrg> {
  const org = await t.given.org({ defaultRole: opts.defaultRole ?? null });
  const apiKey = await t.given.apiKey(org);
  const rules = opts.rules ?? [{ group: "Admins", role: "Admin" as Role }];
  await t.given.rules(org, rules);
  await request(t.app)
    .put(`/api/v1/orgs/${org.slug}/sso-connection`)
    .set("Authorization", `Bearer ${apiKey}`)
    .send({
      protocol: "saml",
      idpMetadataXml: idp.metadataXml(opts.extraCerts),
      allowIdpInitiated: opts.allowIdpInitiated ?? false,
      jit: opts.jit ?? true,
    })
    .expect(201);
  await request(t.app)
    .post(`/api/v1/orgs/${org.slug}/sso-connection/enable`)
    .set("Authorization", `Bearer ${apiKey}`)
    .expect(200);
  const base = `${t.config.baseUrl}/sso/${org.slug}`;
  const metadata = await request(t.app).get(`/sso/${org.slug}/saml/metadata`).expect(200);
  return {
    org,
    apiKey,
    acsUrl: `${base}/saml/acs`,
    spEntityId: `${base}/saml/metadata`,
    spMetadataXml: metadata.text,
  };
}

/** GET /sso/{org}/login; returns the AuthnRequest id sent to the IdP and the redirect URL. */
export async function startLogin(t: TestApp, org: Organization, returnTo = "/dashboard") {
  const res = await request(t.app).get(`/sso/${org.slug}/login`).query({ returnTo }).expect(302);
  const location = new URL(res.headers.location as string);
  const authnRequest = inflateRawSync(
    Buffer.from(location.searchParams.get("SAMLRequest") as string, "base64"),
  ).toString("utf8");
  const id = /\sID="([^"]+)"/.exec(authnRequest)?.[1] as string;
  return { id, location, authnRequest };
}

export const postAcs = (t: TestApp, org: Organization, xml: string, relayState?: string) =>
  request(t.app)
    .post(`/sso/${org.slug}/saml/acs`)
    .type("form")
    .send({
      SAMLResponse: Buffer.from(xml, "utf8").toString("base64"),
      ...(relayState ? { RelayState: relayState } : {}),
    });

export const sessionCount = (t: TestApp, org: Organization) =>
  t.db.prisma.session.count({ where: { orgId: org.id } });

/** A refusal: the status, an HTML page naming the reason and request id, no cookie, audited. */
export async function expectRefused(
  t: TestApp,
  org: Organization,
  res: request.Response,
  reason: string,
  status = 401,
  sessionsBefore = 0,
): Promise<void> {
  expect({ status: res.status, reason: /Reason: <code>([^<]+)<\/code>/.exec(res.text)?.[1] }).toEqual({
    status,
    reason,
  });
  expect(res.headers["content-type"]).toMatch(/text\/html/);
  expect(res.headers.location).toBeUndefined();
  expect(res.headers["set-cookie"]).toBeUndefined();
  expect(res.text).toContain(res.headers["x-request-id"] as string);
  expect(await sessionCount(t, org)).toBe(sessionsBefore);
  const audit = await t.db.prisma.auditEvent.findFirst({
    where: { orgId: org.id, action: "sso.sign_in_refused", requestId: res.headers["x-request-id"] as string },
  });
  expect(audit?.data).toMatchObject({ protocol: "saml", reason });
}
