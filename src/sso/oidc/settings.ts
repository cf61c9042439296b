// The OIDC connection's settings: the PUT body (contract section 6) validated with zod and
// against the provider's discovery document, the stored shape, and its public view. The
// client secret lives only in the encrypted secrets; a PUT without it keeps the stored one.
import { z } from "zod";
import type { Organization } from "../../generated/prisma/client";
import { AppError, type FieldError } from "../../shared/errors";
import type { ParseContext, ParsedConnection, SsoConnectionRecord } from "../protocol";
import { discover, DiscoveryError, issuerUrlProblem } from "./discovery";

export const DEFAULT_SCOPES = "openid email profile";
export const DEFAULT_GROUPS_CLAIM = "groups";

/** A stored OIDC connection with its secret decrypted. */
export interface OidcConnection {
  id: string;
  updatedAt: Date;
  issuer: string;
  clientId: string;
  clientSecret: string;
  scopes: string;
  groupsClaim: string;
}

const body = z.object({
  protocol: z.literal("oidc"),
  issuer: z.string().trim().min(1, "is required").max(2048),
  clientId: z.string().trim().min(1, "is required").max(512),
  clientSecret: z.string().min(1, "must not be empty").max(4096).optional(),
  scopes: z
    .string()
    .trim()
    .max(1024)
    .regex(
      /^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/,
      "must be scope names separated by spaces",
    )
    .refine((s) => s.split(" ").includes("openid"), "must include openid")
    .default(DEFAULT_SCOPES),
  groupsClaim: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .regex(/^[\w:/.-]+$/, "must be a claim name such as groups, roles or a URI")
    .default(DEFAULT_GROUPS_CLAIM),
  jit: z.boolean().default(true),
});

const invalid = (errors: FieldError[]): AppError =>
  new AppError("validation_failed", errors.map((e) => `${e.field}: ${e.message}`).join("; "), { errors });

export function callbackUrl(baseUrl: string, org: Pick<Organization, "slug">): string {
  return `${baseUrl}/sso/${encodeURIComponent(org.slug)}/oidc/callback`;
}

export function oidcConnectionOf(record: SsoConnectionRecord): OidcConnection {
  const c = record.config as Partial<Record<"issuer" | "clientId" | "scopes" | "groupsClaim", string>>;
  if (record.protocol !== "oidc" || !c.issuer || !c.clientId || !record.secrets.clientSecret) {
    throw new Error(`connection ${record.id} is not a complete OIDC connection`);
  }
  return {
    id: record.id,
    updatedAt: record.updatedAt,
    issuer: c.issuer,
    clientId: c.clientId,
    clientSecret: record.secrets.clientSecret,
    scopes: c.scopes ?? DEFAULT_SCOPES,
    groupsClaim: c.groupsClaim ?? DEFAULT_GROUPS_CLAIM,
  };
}

export async function parseOidcConnection(
  input: unknown,
  pctx: ParseContext,
  options: { production: boolean },
): Promise<ParsedConnection> {
  const parsed = body.safeParse(input);
  if (!parsed.success) {
    throw invalid(
      parsed.error.issues.map((i) => ({ field: i.path.join(".") || "body", message: i.message })),
    );
  }
  const v = parsed.data;
  const urlProblem = issuerUrlProblem(v.issuer, options.production);
  if (urlProblem) throw invalid([{ field: "issuer", message: urlProblem }]);

  const previous = pctx.existing?.protocol === "oidc" ? pctx.existing : null;
  // A secret belongs to one client of one provider: it is kept only when both stay the same.
  const keepable =
    previous && previous.config.clientId === v.clientId && sameIssuer(previous.config.issuer, v.issuer);
  const clientSecret = v.clientSecret ?? (keepable ? previous.secrets.clientSecret : undefined);
  if (!clientSecret) throw invalid([{ field: "clientSecret", message: "is required" }]);

  let issuer: string;
  try {
    issuer = (await discover(v.issuer)).issuer;
  } catch (e) {
    if (!(e instanceof DiscoveryError)) throw e;
    throw invalid([{ field: "issuer", message: e.message }]);
  }
  return {
    config: { issuer, clientId: v.clientId, scopes: v.scopes, groupsClaim: v.groupsClaim },
    secrets: { clientSecret },
    jit: v.jit,
    allowIdpInitiated: false,
  };
}

function sameIssuer(a: unknown, b: string): boolean {
  try {
    return typeof a === "string" && new URL(a).href === new URL(b).href;
  } catch {
    return false;
  }
}

/** GET /sso-connection: the settings and the redirect URI to register at the provider; never the secret. */
export function presentOidc(
  record: SsoConnectionRecord,
  org: Organization,
  baseUrl: string,
): Record<string, unknown> {
  const c = record.config;
  return {
    issuer: c.issuer,
    clientId: c.clientId,
    clientSecretSet: Boolean(record.secrets.clientSecret),
    scopes: c.scopes ?? DEFAULT_SCOPES,
    groupsClaim: c.groupsClaim ?? DEFAULT_GROUPS_CLAIM,
    redirectUri: callbackUrl(baseUrl, org),
    loginUrl: `${baseUrl}/sso/${encodeURIComponent(org.slug)}/login`,
  };
}
