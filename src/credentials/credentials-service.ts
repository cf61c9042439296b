// SCIM tokens and API keys: the same lifecycle (named, shown once, hashed at rest,
// last-used, revocable), so one service serves both kinds.
// Tokens look like "<prefix>_<row id>_<secret>": the row is found by id and sha256(secret)
// is compared in constant time (shared/crypto.ts).
import { randomUUID } from "node:crypto";
import type { Database, Db } from "../db/client";
import { AppError } from "../shared/errors";
import type { Ctx } from "../shared/context";
import { issueToken, parseToken } from "../shared/crypto";
import { emit } from "../events";
import { credentialAccepts, lastUsedIsStale, TOKEN_PREFIX, type CredentialKind } from "./credential-rules";

export type { CredentialKind };

const LABEL: Record<CredentialKind, string> = { scim_token: "SCIM token", api_key: "API key" };

export interface CredentialView {
  id: string;
  name: string;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
}

export interface AuthenticatedCredential {
  id: string;
  orgId: string;
  name: string;
}

// Both delegates have the same shape; the cast picks one table without duplicating code.
const tableOf = (db: Db, kind: CredentialKind) =>
  (kind === "scim_token" ? db.scimToken : db.apiKey) as Db["apiKey"];

export function createCredentialsService({
  db,
  clock = () => new Date(),
  onScimTokenRevoked = () => undefined,
}: {
  db: Pick<Database, "prisma">;
  clock?: () => Date;
  /**
   * Called after a SCIM token's revocation commits; revoke() returns when it resolves (empties
   * the verified-token caches). API keys are not cached: their revocations need nothing.
   */
  onScimTokenRevoked?: () => void | Promise<void>;
}) {
  const prisma = db.prisma;

  return {
    async create(kind: CredentialKind, ctx: Ctx, name: string) {
      const issued = issueToken(TOKEN_PREFIX[kind], randomUUID());
      const row = await prisma.$transaction(async (tx) => {
        const created = await tableOf(tx, kind).create({
          data: { id: issued.id, orgId: ctx.orgId, name, secretHash: issued.secretHash },
        });
        await emit(tx, ctx, {
          action: `${kind}.created`,
          targetId: created.id,
          data: { name },
        });
        return created;
      });
      return { id: row.id, name: row.name, token: issued.token, createdAt: row.createdAt };
    },

    async list(kind: CredentialKind, orgId: string): Promise<CredentialView[]> {
      return tableOf(prisma, kind).findMany({
        where: { orgId },
        orderBy: [{ createdAt: "desc" }, { id: "asc" }],
        select: { id: true, name: true, lastUsedAt: true, revokedAt: true, createdAt: true },
      });
    },

    async revoke(kind: CredentialKind, ctx: Ctx, id: string): Promise<void> {
      await prisma.$transaction(async (tx) => {
        const t = tableOf(tx, kind);
        const { count } = await t.updateMany({
          where: { id, orgId: ctx.orgId, revokedAt: null },
          data: { revokedAt: clock() },
        });
        if (count === 0) {
          const exists = await t.findFirst({ where: { id, orgId: ctx.orgId }, select: { id: true } });
          if (!exists) throw new AppError("not_found", `no ${LABEL[kind]} ${id}`);
          return; // already revoked: DELETE is idempotent
        }
        await emit(tx, ctx, { action: `${kind}.revoked`, targetId: id });
      });
      // The database notifies every process's cache too, but asynchronously: no cache, this
      // process's or another's, may answer the next request with the row it held before.
      if (kind === "scim_token") await onScimTokenRevoked();
    },

    /**
     * The API key a bearer token belongs to, or null (unknown, malformed, wrong secret, revoked).
     * SCIM tokens are checked by the SCIM endpoint's own one-query lookup (scim/auth.ts).
     */
    async authenticateApiKey(token: string): Promise<AuthenticatedCredential | null> {
      const parsed = parseToken(TOKEN_PREFIX.api_key, token);
      if (!parsed) return null;
      const row = await prisma.apiKey.findUnique({ where: { id: parsed.id } });
      if (!row || !credentialAccepts(row, parsed.secret)) return null;
      const now = clock();
      if (lastUsedIsStale(row.lastUsedAt, now)) {
        await prisma.apiKey.update({ where: { id: row.id }, data: { lastUsedAt: now } });
      }
      return { id: row.id, orgId: row.orgId, name: row.name };
    },
  };
}

export type CredentialsService = ReturnType<typeof createCredentialsService>;
