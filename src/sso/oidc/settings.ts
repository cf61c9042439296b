// The OIDC connection's settings: the PUT body validated with zod and
// against the provider's discovery document, the stored shape, and its public view. The
// client secret lives only in the encrypted secrets; a PUT without it keeps the stored one.
import { z } from "zod";
import type { Organization } from "../../generated/prisma/client";
import { AppError, type FieldError } from "../../shared/errors";
import type { ParseContext, ParsedConnection, SsoConnectionRecord } from "../protocol";
import { discover, DiscoveryError, issuerUrlProblem, type NetworkPolicy } from "./discovery";

export const DEFAULT_SCOPES = ["openid", "email", "profile"];
export const DEFAULT_GROUPS_CLAIM = "groups";

/** A stored OIDC connection with its secret decrypted. */
export interface OidcConnection {
  id: string;
  updatedAt: Date;
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Space-separated, as the authorization request carries them. */
  scopes: string;
  groupsClaim: string;
}

// RFC 6749 section 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * `scopes`: an array of scope names or one space-separated string (what Okta's and Entra's
 * consoles show); answered as an array. `openid` is added first when missing: without it the
 * provider would not answer with an ID token, and nothing else could have been meant.
 */
const scopesField = z
  .union([
    z
      .string()
      .max(1024)
      .transform((s) => s.trim().split(/\s+/).filter(Boolean)),
    z.array(z.string().max(256, "is longer than 256 characters")).max(50, "at most 50 scopes"),
  ])
  .superRefine((list, issues) => {
    if (list.length === 0) issues.addIssue({ code: "custom", message: "must name at least one scope" });
    list.forEach((scope, i) => {
      if (!SCOPE_TOKEN.test(scope)) {
        issues.addIssue({
          code: "custom",
          path: [i],
          message: "must be one scope name (printable characters, no spaces, quotes or backslashes)",
        });
      }
    });
  })
  .transform((list) => [...new Set(["openid", ...list])]);

/** The stored scopes (an array, or the space-separated string stored before arrays) as a list. */
export function scopeList(stored: unknown): string[] {
  if (Array.isArray(stored)) return stored.filter((s): s is string => typeof s === "string");
  if (typeof stored === "string") return stored.split(/\s+/).filter(Boolean);
  return DEFAULT_SCOPES;
}

export const oidcConnectionBody = z.object({
  protocol: z.literal("oidc"),
  issuer: z.string().trim().min(1, "is required").max(2048),
  clientId: z.string().trim().min(1, "is required").max(512),
  clientSecret: z.string().min(1, "must not be empty").max(4096).optional(),
  scopes: scopesField.default(DEFAULT_SCOPES),
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
  const c = record.config as Partial<Record<"issuer" | "clientId" | "groupsClaim", string>>;
  if (record.protocol !== "oidc" || !c.issuer || !c.clientId || !record.secrets.clientSecret) {
    throw new Error(`connection ${record.id} is not a complete OIDC connection`);
  }
  return {
    id: record.id,
    updatedAt: record.updatedAt,
    issuer: c.issuer,
    clientId: c.clientId,
    clientSecret: record.secrets.clientSecret,
    scopes: scopeList(record.config.scopes).join(" "),
    groupsClaim: c.groupsClaim ?? DEFAULT_GROUPS_CLAIM,
  };
}

/** The body parsed with oidcConnectionBody; checks it against the provider's discovery document. */
export async function parseOidcConnection(
  v: z.output<typeof oidcConnectionBody>,
  pctx: ParseContext,
  options: { production: boolean; network: NetworkPolicy },
): Promise<ParsedConnection> {
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
    issuer = (await discover(v.issuer, options.network)).issuer;
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
    scopes: scopeList(c.scopes),
    groupsClaim: c.groupsClaim ?? DEFAULT_GROUPS_CLAIM,
    redirectUri: callbackUrl(baseUrl, org),
    loginUrl: `${baseUrl}/sso/${encodeURIComponent(org.slug)}/login`,
  };
}
