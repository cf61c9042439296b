// Bearer authentication of SCIM requests: the token must be a live SCIM token of the
// organization named in the path. The credentials service finds the row by id, compares the
// secret's hash in constant time and refreshes lastUsedAt.
import type { RequestHandler } from "express";
import { AppError } from "../shared/errors";
import type { CredentialsService } from "../credentials/credentials-service";
import type { OrgsService } from "../orgs/orgs-service";
import type { ScimCtx } from "./context";

export function scimAuth(deps: {
  credentials: Pick<CredentialsService, "authenticate">;
  orgs: Pick<OrgsService, "findBySlug">;
  scimBaseUrl: (slug: string) => string;
}): RequestHandler {
  return async (req, res, next) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get("authorization") ?? "");
    // Both lookups at once: the token's row and the path's org (one round trip of latency).
    const [credential, org] = match
      ? await Promise.all([
          deps.credentials.authenticate("scim_token", match[1] as string),
          deps.orgs.findBySlug(String(req.params.org)),
        ])
      : [null, null];
    // Why one answer for every failure (none, malformed, revoked, another org's token, unknown
    // org): the caller learns nothing about which organizations or tokens exist (RFC 6750 3).
    if (!credential || !org || org.id !== credential.orgId) {
      const challenge = match ? ', error="invalid_token"' : "";
      res.set("WWW-Authenticate", `Bearer realm="sso-bridge SCIM"${challenge}`);
      throw new AppError("unauthorized", "send a valid SCIM bearer token of this organization");
    }
    const ctx: ScimCtx = {
      orgId: org.id,
      org,
      actor: { type: "scim_token", id: credential.id, name: credential.name },
      requestId: res.locals.requestId as string | undefined,
      baseUrl: deps.scimBaseUrl(org.slug),
    };
    res.locals.scim = ctx;
    next();
  };
}

export const scimCtxOf = (locals: Record<string, unknown>): ScimCtx => locals.scim as ScimCtx;
