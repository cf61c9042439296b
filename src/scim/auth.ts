// Bearer authentication of SCIM requests: the token must be a live SCIM token of the
// organization named in the path. One query finds the token's row joined to the path's
// organization, or the process's cache of such rows (credentials/verified-cache.ts, emptied by
// the database whenever a token or organization changes); either way the secret's hash is
// compared in constant time and revokedAt checked on every request. lastUsedAt is refreshed at
// most once a minute (as the credentials service does).
import type { RequestHandler } from "express";
import type { Database } from "../db/client";
import { Prisma } from "../generated/prisma/client";
import { AppError } from "../shared/errors";
import { parseToken } from "../shared/crypto";
import { credentialAccepts, lastUsedIsStale, TOKEN_PREFIX } from "../credentials/credential-rules";
import type { VerifiedCache } from "../credentials/verified-cache";
import type { ScimTokenRow } from "../credentials/scim-token-row";
import type { ScimCtx } from "./context";

/** The token's row and its organization's id when the organization has this slug, else nothing. */
async function findTokenOfOrg(db: Pick<Database, "read">, tokenId: string, slug: string) {
  const rows = await db.read<ScimTokenRow>(Prisma.sql`
    SELECT o.id::text AS "orgId", o.slug, t.id::text AS "tokenId", t.name AS "tokenName",
      t.secret_hash AS "secretHash", t.revoked_at AS "revokedAt", t.last_used_at AS "lastUsedAt"
    FROM scim_tokens t JOIN organizations o ON o.id = t.org_id
    WHERE t.id = ${tokenId}::uuid AND o.slug = ${slug}`);
  return rows[0] ?? null;
}

export function scimAuth(deps: {
  db: Pick<Database, "prisma" | "read">;
  cache: VerifiedCache<ScimTokenRow>;
  scimBaseUrl: (slug: string) => string;
  clock?: () => Date;
}): RequestHandler {
  const clock = deps.clock ?? (() => new Date());
  const { cache } = deps;
  const lookup = async (tokenId: string, slug: string) => {
    const key = `${slug}\n${tokenId}`;
    const cached = cache.get(key);
    if (cached) return cached;
    const generation = cache.generation();
    const row = await findTokenOfOrg(deps.db, tokenId, slug);
    if (row) cache.put(key, row, generation);
    return row;
  };
  return async (req, res, next) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get("authorization") ?? "");
    const parsed = match ? parseToken(TOKEN_PREFIX.scim_token, match[1] as string) : null;
    const row = parsed ? await lookup(parsed.id, String(req.params.org)) : null;
    // Why one answer for every failure (none, malformed, revoked, another org's token, unknown
    // org): the caller learns nothing about which organizations or tokens exist (RFC 6750 3).
    if (!parsed || !row || !credentialAccepts(row, parsed.secret)) {
      const challenge = match ? ', error="invalid_token"' : "";
      res.set("WWW-Authenticate", `Bearer realm="sso-bridge SCIM"${challenge}`);
      throw new AppError("unauthorized", "send a valid SCIM bearer token of this organization");
    }
    const now = clock();
    if (lastUsedIsStale(row.lastUsedAt, now)) {
      await deps.db.prisma
        .$executeRaw`UPDATE scim_tokens SET last_used_at = ${now} WHERE id = ${row.tokenId}::uuid`;
      // The cached row too, or every request after the first minute would write again.
      row.lastUsedAt = now;
    }
    const ctx: ScimCtx = {
      orgId: row.orgId,
      actor: { type: "scim_token", id: row.tokenId, name: row.tokenName },
      requestId: res.locals.requestId as string | undefined,
      baseUrl: deps.scimBaseUrl(row.slug),
    };
    res.locals.scim = ctx;
    next();
  };
}

export const scimCtxOf = (locals: Record<string, unknown>): ScimCtx => locals.scim as ScimCtx;
