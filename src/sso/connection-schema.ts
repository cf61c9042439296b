// The SSO connection as the admin API takes and answers it: the PUT body (SAML or OIDC, told
// apart by `protocol`), the connection as shown (never a secret: OIDC says only whether its
// client secret is set), and the results of test sign-ins.
import { z } from "zod";
import { roleChangesSchema, roleSchema } from "../roles/roles-schema";
import { roleSourceSchema } from "../users/user-schema";
import { samlConnectionBody } from "./saml/connection-input";
import { oidcConnectionBody } from "./oidc/settings";

export const ssoConnectionInput = z
  .discriminatedUnion("protocol", [samlConnectionBody, oidcConnectionBody], {
    error: "must be one of saml, oidc",
  })
  .meta({ id: "SsoConnectionInput" });

export type SsoConnectionInput = z.output<typeof ssoConnectionInput>;

const datetime = z.iso.datetime();

const common = {
  id: z.uuid(),
  enabled: z.boolean().describe("SSO is on: manual user management is off"),
  jit: z.boolean().describe("Users are created at their first sign-in"),
  allowIdpInitiated: z.boolean(),
  testedAt: datetime.nullable().describe("When a test sign-in last passed"),
  certificateExpiresAt: datetime
    .nullable()
    .describe("When the IdP's latest signing certificate expires (SAML)"),
  certificateDaysLeft: z.number().int().nullable(),
  createdAt: datetime,
  updatedAt: datetime,
};

const samlView = z.object({
  protocol: z.literal("saml"),
  ...common,
  idpEntityId: z.string(),
  idpSsoUrl: z.string(),
  idpSsoBinding: z.enum(["redirect", "post"]),
  idpCertificates: z.array(
    z.object({ pem: z.string(), subject: z.string(), notAfter: datetime, fingerprintSha256: z.string() }),
  ),
  groupsAttribute: z.array(z.string()),
  emailAttribute: z.array(z.string()),
  firstNameAttribute: z.array(z.string()),
  lastNameAttribute: z.array(z.string()),
  serviceProvider: z
    .object({
      entityId: z.string(),
      metadataUrl: z.string(),
      acsUrl: z.string(),
      loginUrl: z.string(),
      nameIdFormat: z.string(),
      certificate: z.string(),
    })
    .describe("What to enter at the IdP"),
});

const oidcView = z.object({
  protocol: z.literal("oidc"),
  ...common,
  issuer: z.string(),
  clientId: z.string(),
  clientSecretSet: z.boolean().describe("The client secret is stored; it is never shown"),
  scopes: z.array(z.string()),
  groupsClaim: z.string(),
  redirectUri: z.string().describe("The redirect URI to register at the provider"),
  loginUrl: z.string(),
});

export const ssoConnectionSchema = z
  .discriminatedUnion("protocol", [
    samlView.meta({ id: "SamlConnection" }),
    oidcView.meta({ id: "OidcConnection" }),
  ])
  .meta({ id: "SsoConnection" });

export type SsoConnectionView = z.input<typeof ssoConnectionSchema>;

/** Enable and disable answer the connection, whose roles changed, and what that means. */
const toggled = { ...roleChangesSchema.shape, notice: z.string() };
export const ssoToggleSchema = z
  .discriminatedUnion("protocol", [samlView.extend(toggled), oidcView.extend(toggled)])
  .meta({ id: "SsoConnectionToggled" });

const signInPreview = z.object({
  outcome: z.enum(["signed_in", "refused"]),
  reason: z.string().nullable(),
  message: z.string().nullable(),
  userId: z.uuid().nullable(),
  wouldCreateUser: z.boolean(),
  role: roleSchema.nullable(),
  roleSource: roleSourceSchema.nullable(),
});

const claims = z.object({
  subject: z.string(),
  email: z.string().nullable(),
  firstName: z.string().nullable().optional(),
  lastName: z.string().nullable().optional(),
  groups: z.array(z.string()).nullable(),
  overage: z.boolean(),
});

export const samlTestReportSchema = z
  .object({
    verified: z.boolean(),
    reason: z.string().nullable().describe("The refusal's reason code"),
    message: z.string().nullable(),
    assertion: z
      .object({
        id: z.string(),
        issuer: z.string().nullable(),
        nameId: z.string().nullable(),
        nameIdFormat: z.string().nullable(),
        audiences: z.array(z.string()),
        notOnOrAfter: z.string().nullable(),
        inResponseTo: z.string().nullable(),
        attributes: z.record(z.string(), z.array(z.string())),
      })
      .nullable(),
    claims: claims.nullable(),
    signIn: signInPreview.nullable().describe("What a real sign-in would decide"),
    consumed: z.literal(false),
    note: z.string(),
  })
  .meta({ id: "SamlTestReport" });

export const testResultSchema = z
  .object({
    id: z.uuid(),
    passed: z.boolean(),
    protocol: z.enum(["saml", "oidc"]),
    reason: z.string().nullable(),
    message: z.string().nullable(),
    subject: z.string().nullable(),
    email: z.string().nullable(),
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
    groups: z.array(z.string()),
    groupsOverage: z.boolean(),
    attributes: z.record(z.string(), z.unknown()).describe("SAML attributes or OIDC claims as received"),
    facts: z.record(z.string(), z.unknown()),
    role: roleSchema.nullable(),
    roleSource: roleSourceSchema.nullable(),
    userId: z.uuid().nullable(),
    wouldCreateUser: z.boolean(),
    requestId: z.string(),
    testedAt: datetime,
  })
  .meta({ id: "SsoTestResult", description: "The result of a round-trip test sign-in through the IdP" });
