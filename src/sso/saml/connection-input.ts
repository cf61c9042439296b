// PUT /sso-connection with protocol "saml": from IdP metadata XML or explicit fields, with
// attribute names defaulting to what Okta and Entra send. Every error names its field. The SP
// key pair is the organization's, not the connection's (sp-key-store.ts).
import { z } from "zod";
import { AppError, type FieldError } from "../../shared/errors";
import type { ParsedConnection } from "../protocol";
import { normalizeCertificate } from "./certificates";
import { parseIdpMetadata } from "./idp-metadata";
import { DEFAULT_ATTRIBUTES, type SamlConfig } from "./saml-config";

const names = z
  .union([z.string().trim().min(1).max(512), z.array(z.string().trim().min(1).max(512)).min(1).max(20)])
  .transform((v) => (Array.isArray(v) ? v : [v]));

/**
 * Why: the SSO URL becomes a redirect Location or a form action in the user's browser; any
 * other scheme (javascript:, data:) would run or show what the metadata's author wrote. One
 * check for a URL typed in and one read from IdP metadata.
 */
export function ssoUrlProblem(value: string): string | null {
  if (value.length > 2048) return "must be at most 2048 characters";
  if (!URL.canParse(value)) return "must be an http(s) URL";
  const { protocol } = new URL(value);
  return protocol === "https:" || protocol === "http:" ? null : "must be an http(s) URL";
}

const httpUrl = z
  .string()
  .trim()
  .superRefine((v, issues) => {
    const problem = ssoUrlProblem(v);
    if (problem) issues.addIssue({ code: "custom", message: problem });
  });

export const samlConnectionBody = z
  .object({
    protocol: z.literal("saml"),
    idpMetadataXml: z.string().min(1).max(512_000).optional(),
    idpEntityId: z.string().trim().min(1).max(1024).optional(),
    idpSsoUrl: httpUrl.optional(),
    idpCertificates: z.array(z.string().min(1).max(20_000)).min(1).max(5).optional(),
    groupsAttribute: names.optional(),
    emailAttribute: names.optional(),
    firstNameAttribute: names.optional(),
    lastNameAttribute: names.optional(),
    allowIdpInitiated: z.boolean().default(false),
    jit: z.boolean().default(true),
  })
  .strict();

const invalid = (errors: FieldError[]) =>
  new AppError("validation_failed", errors.map((e) => `${e.field}: ${e.message}`).join("; "), { errors });

/** The body parsed with samlConnectionBody; checks what a schema cannot (metadata, certificates). */
export function parseSamlConnection(body: z.output<typeof samlConnectionBody>): ParsedConnection {
  const fromMetadata = body.idpMetadataXml ? parseIdpMetadata(body.idpMetadataXml) : null;

  const errors: FieldError[] = [];
  const certificates: string[] = [];
  const rawCerts = body.idpCertificates ?? fromMetadata?.certificates ?? [];
  rawCerts.forEach((raw, i) => {
    const result = normalizeCertificate(raw);
    const field = body.idpCertificates ? `idpCertificates.${i}` : "idpMetadataXml";
    if ("error" in result) errors.push({ field, message: result.error });
    else certificates.push(result.pem);
  });
  const entityId = body.idpEntityId ?? fromMetadata?.entityId;
  const ssoUrl = body.idpSsoUrl ?? fromMetadata?.ssoUrl;
  const metadataUrlProblem = !body.idpSsoUrl && ssoUrl ? ssoUrlProblem(ssoUrl) : null;
  if (metadataUrlProblem) {
    errors.push({
      field: "idpMetadataXml",
      message: `the SingleSignOnService Location ${metadataUrlProblem} (found ${JSON.stringify(ssoUrl!.slice(0, 100))})`,
    });
  }
  if (!fromMetadata) {
    if (!entityId) errors.push({ field: "idpEntityId", message: "is required (or send idpMetadataXml)" });
    if (!ssoUrl) errors.push({ field: "idpSsoUrl", message: "is required (or send idpMetadataXml)" });
    if (rawCerts.length === 0) {
      errors.push({ field: "idpCertificates", message: "at least one signing certificate is required" });
    }
  }
  if (errors.length > 0 || !entityId || !ssoUrl) throw invalid(errors);

  const config: SamlConfig = {
    idpEntityId: entityId,
    idpSsoUrl: ssoUrl,
    idpSsoBinding: body.idpSsoUrl ? "redirect" : (fromMetadata?.ssoBinding ?? "redirect"),
    idpCertificates: [...new Set(certificates)],
    groupsAttribute: body.groupsAttribute ?? DEFAULT_ATTRIBUTES.groups,
    emailAttribute: body.emailAttribute ?? DEFAULT_ATTRIBUTES.email,
    firstNameAttribute: body.firstNameAttribute ?? DEFAULT_ATTRIBUTES.firstName,
    lastNameAttribute: body.lastNameAttribute ?? DEFAULT_ATTRIBUTES.lastName,
  };
  return {
    config: { ...config },
    jit: body.jit,
    allowIdpInitiated: body.allowIdpInitiated,
  };
}
