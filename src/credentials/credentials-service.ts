// SCIM tokens and API keys: the same lifecycle (named, shown once, hashed at rest,
// last-used, revocable), so one service serves both kinds.
// Tokens look like "<prefix>_<row id>_<secret>": the row is found by id and sha256(secret)
// is compared in constant time (shared/crypto.ts).
import { randomUUID } from "node:crypto";
import type { Database } from "../db/client";
import { AppError } from "../shared/errors";
import type { Ctx } from "../shared/context";
import { issueToken, parseToken, verifySecret } from "../shared/crypto";
import { recordAudit } from "../audit/record";

export type CredentialKind = "scim_token" | "api_key";

const PREFIX: Record<CredentialKind, string> = { scim_token: "scim", api_key: "sbk" };
const LABEL: Record<CredentialKind, string> = { scim_token: "SCIM token", api_key: "API key" };
// lastUsedAt is advisory: writing it on every SCIM request would add a write per request,
// so it is refreshed at most once a minute per credential.
const LAST_USED_RESOLUTION_MS = 60_000;

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

export function createCredentialsService({
  db,
  clock = () => new Date(),
}: {
  db: Pick<Database, "prisma">;
  clock?: () => Date;
}) {
  const prisma = db.prisma;
  // Both delegates have the same shape; the cast picks one table without duplicating code.
  const table = (kind: CredentialKind) =>
    (kind === "scim_token" ? prisma.scimToken : prisma.apiKey) as typeof prisma.apiKey;

  return {
    async create(kind: CredentialKind, ctx: Ctx, name: string) {
      const issued = issueToken(PREFIX[kind], randomUUID());
      const row = await prisma.$transaction(async (tx) => {
        const t = (kind === "scim_token" ? tx.scimToken : tx.apiKey) as typeof tx.apiKey;
        const created = await t.create({
          data: { id: issued.id, orgId: ctx.orgId, name, secretHash: issued.secretHash },
        });
        await recordAudit(tx, ctx, {
          action: `${kind}.created`,
          targetType: kind,
          targetId: created.id,
          data: { name },
        });
        return created;
      });
      return { id: row.id, name: row.name, token: issued.token, createdAt: row.createdAt };
    },

    async list(kind: CredentialKind, orgId: string): Promise<CredentialView[]> {
      return table(kind).findMany({
        where: { orgId },
        orderBy: [{ createdAt: "desc" }, { id: "asc" }],
        select: { id: true, name: true, lastUsedAt: true, revokedAt: true, createdAt: true },
      });
    },

    async revoke(kind: CredentialKind, ctx: Ctx, id: string): Promise<void> {
      await prisma.$transaction(async (tx) => {
        const t = (kind === "scim_token" ? tx.scimToken : tx.apiKey) as typeof tx.apiKey;
        const { count } = await t.updateMany({
          where: { id, orgId: ctx.orgId, revokedAt: null },
          data: { revokedAt: clock() },
        });
        if (count === 0) {
          const exists = await t.findFirst({ where: { id, orgId: ctx.orgId }, select: { id: true } });
          if (!exists) throw new AppError("not_found", `no ${LABEL[kind]} ${id}`);
          return; // already revoked: DELETE is idempotent
        }
        await recordAudit(tx, ctx, { action: `${kind}.revoked`, targetType: kind, targetId: id });
      });
    },

    /** The credential a bearer token belongs to, or null (unknown, malformed, wrong secret, revoked). */
    async authenticate(kind: CredentialKind, token: string): Promise<AuthenticatedCredential | null> {
      const parsed = parseToken(PREFIX[kind], token);
      if (!parsed) return null;
      const row = await table(kind).findUnique({ where: { id: parsed.id } });
      if (!row || row.revokedAt || !verifySecret(parsed.secret, row.secretHash)) return null;
      const now = clock();
      if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
        await table(kind).update({ where: { id: row.id }, data: { lastUsedAt: now } });
      }
      return { id: row.id, orgId: row.orgId, name: row.name };
    },
  };
}

export type CredentialsService = ReturnType<typeof createCredentialsService>;
