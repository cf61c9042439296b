// PUT /sso-connection with protocol "saml": from IdP metadata XML or explicit fields, with
// attribute names defaulting to what Okta and Entra send. Every error names its field. The
// SP key pair is kept across PUTs (the IdP may hold our certificate) and made on the first one.
import { z } from "zod";
import { AppError, type FieldError } from "../../shared/errors";
import type { ParseContext, ParsedConnection } from "../protocol";
import { normalizeCertificate } from "./certificates";
import { parseIdpMetadata } from "./idp-metadata";
import { generateSpKeyPair } from "./sp-keys";
import { DEFAULT_ATTRIBUTES, type SamlConfig } from "./saml-config";

const names = z
  .union([z.string().trim().min(1).max(512), z.array(z.string().trim().min(1).max(512)).min(1).max(20)])
  .transform((v) => (Array.isArray(v) ? v : [v]));

const httpUrl = z
  .string()
  .trim()
  .max(2048)
  .refine((v) => /^https?:\/\//i.test(v) && URL.canParse(v), "must be an http(s) URL");

const schema = z
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

export function parseSamlConnection(input: unknown, pctx: ParseContext, now: Date): ParsedConnection {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw invalid(
      parsed.error.issues.map((i) => ({ field: i.path.join(".") || "(body)", message: i.message })),
    );
  }
  const body = parsed.data;
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
  if (!fromMetadata) {
    if (!entityId) errors.push({ field: "idpEntityId", message: "is required (or send idpMetadataXml)" });
    if (!ssoUrl) errors.push({ field: "idpSsoUrl", message: "is required (or send idpMetadataXml)" });
    if (rawCerts.length === 0) {
      errors.push({ field: "idpCertificates", message: "at least one signing certificate is required" });
    }
  }
  if (errors.length > 0 || !entityId || !ssoUrl) throw invalid(errors);

  const existing = pctx.existing?.protocol === "saml" ? pctx.existing : null;
  const previous = existing?.config as Partial<SamlConfig> | undefined;
  const keys =
    existing?.secrets.spPrivateKey && previous?.spCertificate
      ? { certificatePem: previous.spCertificate, privateKeyPem: existing.secrets.spPrivateKey }
      : generateSpKeyPair(`sso-bridge ${pctx.org.slug}`, now);

  const config: SamlConfig = {
    idpEntityId: entityId,
    idpSsoUrl: ssoUrl,
    idpSsoBinding: body.idpSsoUrl ? "redirect" : (fromMetadata?.ssoBinding ?? "redirect"),
    idpCertificates: [...new Set(certificates)],
    groupsAttribute: body.groupsAttribute ?? DEFAULT_ATTRIBUTES.groups,
    emailAttribute: body.emailAttribute ?? DEFAULT_ATTRIBUTES.email,
    firstNameAttribute: body.firstNameAttribute ?? DEFAULT_ATTRIBUTES.firstName,
    lastNameAttribute: body.lastNameAttribute ?? DEFAULT_ATTRIBUTES.lastName,
    spCertificate: keys.certificatePem,
  };
  return {
    config: { ...config },
    secrets: { spPrivateKey: keys.privateKeyPem },
    jit: body.jit,
    allowIdpInitiated: body.allowIdpInitiated,
  };
}
