// Bearer authentication of SCIM requests: the token must be a live SCIM token of the
// organization named in the path. One query finds the token's row joined to the path's
// organization; the secret's hash is compared in constant time; lastUsedAt is refreshed at most
// once a minute (as the credentials service does).
import type { RequestHandler } from "express";
import type { Database } from "../db/client";
import type { Organization } from "../generated/prisma/client";
import { AppError } from "../shared/errors";
import { parseToken } from "../shared/crypto";
import { credentialAccepts, lastUsedIsStale, TOKEN_PREFIX } from "../credentials/credential-rules";
import type { ScimCtx } from "./context";

type TokenOrg = Organization & {
  tokenId: string;
  tokenName: string;
  secretHash: string;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
};

/**
 * The token's row and its organization when the organization has this slug, else nothing.
 * Why no cache of verified tokens: a revoked token must stop working at once (contract section
 * 4), also when another process (the CLI) revoked it; this indexed join is one round trip.
 */
async function findTokenOfOrg(db: Pick<Database, "prisma">, tokenId: string, slug: string) {
  const rows = await db.prisma.$queryRaw<TokenOrg[]>`
    SELECT o.id::text AS id, o.slug, o.name, o.plan::text AS plan, o.seat_limit AS "seatLimit",
      o.require_mfa AS "requireMfa", o.invitation_ttl_hours AS "invitationTtlHours",
      o.default_role::text AS "defaultRole", o.created_at AS "createdAt", o.updated_at AS "updatedAt",
      t.id::text AS "tokenId", t.name AS "tokenName", t.secret_hash AS "secretHash",
      t.revoked_at AS "revokedAt", t.last_used_at AS "lastUsedAt"
    FROM scim_tokens t JOIN organizations o ON o.id = t.org_id
    WHERE t.id = ${tokenId}::uuid AND o.slug = ${slug}`;
  return rows[0] ?? null;
}

export function scimAuth(deps: {
  db: Pick<Database, "prisma">;
  scimBaseUrl: (slug: string) => string;
  clock?: () => Date;
}): RequestHandler {
  const clock = deps.clock ?? (() => new Date());
  return async (req, res, next) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get("authorization") ?? "");
    const parsed = match ? parseToken(TOKEN_PREFIX.scim_token, match[1] as string) : null;
    const row = parsed ? await findTokenOfOrg(deps.db, parsed.id, String(req.params.org)) : null;
    // Why one answer for every failure (none, malformed, revoked, another org's token, unknown
    // org): the caller learns nothing about which organizations or tokens exist (RFC 6750 3).
    if (!parsed || !row || !credentialAccepts(row, parsed.secret)) {
      const challenge = match ? ', error="invalid_token"' : "";
      res.set("WWW-Authenticate", `Bearer realm="sso-bridge SCIM"${challenge}`);
      throw new AppError("unauthorized", "send a valid SCIM bearer token of this organization");
    }
    const { tokenId, tokenName, secretHash: _h, revokedAt: _r, lastUsedAt, ...org } = row;
    const now = clock();
    if (lastUsedIsStale(lastUsedAt, now))
      await deps.db.prisma
        .$executeRaw`UPDATE scim_tokens SET last_used_at = ${now} WHERE id = ${tokenId}::uuid`;
    const ctx: ScimCtx = {
      orgId: org.id,
      org,
      actor: { type: "scim_token", id: tokenId, name: tokenName },
      requestId: res.locals.requestId as string | undefined,
      baseUrl: deps.scimBaseUrl(org.slug),
    };
    res.locals.scim = ctx;
    next();
  };
}

export const scimCtxOf = (locals: Record<string, unknown>): ScimCtx => locals.scim as ScimCtx;
