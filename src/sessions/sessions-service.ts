// Server-side sessions: the cookie carries "<session id>.<secret>", the database only
// sha256(secret). Revoking a row ends the session on every instance at once.
import { randomUUID } from "node:crypto";
import type { Database, Db, SqlTx } from "../db/client";
import { randomSecret, sha256, verifySecret } from "../shared/crypto";
import { Prisma, type Organization, type Session, type User } from "../generated/prisma/client";

export const SESSION_COOKIE = "sso_bridge_session";

export type SessionStage = "full" | "mfa_verify" | "mfa_enroll";

export interface NewSession {
  orgId: string;
  userId: string;
  method: "password" | "saml" | "oidc" | "recovery" | "invitation";
  stage?: SessionStage;
}

export interface ResolvedSession {
  session: Session;
  user: User;
  org: Organization;
}

const UUID = /^[0-9a-f-]{36}$/;

export function createSessionsService({
  db,
  ttlHours,
  clock = () => new Date(),
}: {
  db: Pick<Database, "prisma">;
  ttlHours: number;
  clock?: () => Date;
}) {
  const prisma = db.prisma;

  /**
   * A new session as its INSERT statement, not yet run, for a caller that runs it inside a
   * statement of its own (a data-modifying CTE: the SSO sign-in writes it with its audit event).
   */
  function prepare(input: NewSession): {
    cookieValue: string;
    expiresAt: Date;
    id: string;
    insert: Prisma.Sql;
  } {
    const id = randomUUID();
    const secret = randomSecret(32);
    const expiresAt = new Date(clock().getTime() + ttlHours * 3600_000);
    const insert = Prisma.sql`INSERT INTO sessions (id, org_id, user_id, secret_hash, method, stage, expires_at)
      VALUES (${id}::uuid, ${input.orgId}::uuid, ${input.userId}::uuid, ${sha256(secret)}, ${input.method},
        ${input.stage ?? "full"}, ${expiresAt})`;
    return { cookieValue: `${id}.${secret}`, expiresAt, id, insert };
  }

  return {
    ttlMs: ttlHours * 3600_000,

    /**
     * Creates a session inside the caller's transaction (a Prisma one or a driver one: both are
     * a SqlTx); returns the cookie value (shown once).
     */
    async create(
      tx: SqlTx,
      input: NewSession,
    ): Promise<{ cookieValue: string; expiresAt: Date; id: string }> {
      const { insert, ...session } = prepare(input);
      await tx.$executeRaw(insert);
      return session;
    },

    prepare,

    /** The live session of a cookie value, or null. A session of a user who is not active is dead. */
    async resolve(cookieValue: string | undefined): Promise<ResolvedSession | null> {
      if (!cookieValue) return null;
      const [id, secret] = cookieValue.split(".");
      if (!id || !secret || !UUID.test(id)) return null;
      const session = await prisma.session.findUnique({ where: { id }, include: { user: true, org: true } });
      if (!session || !verifySecret(secret, session.secretHash)) return null;
      if (session.revokedAt || session.expiresAt <= clock() || session.user.status !== "active") return null;
      const { user, org, ...rest } = session;
      return { session: rest, user, org };
    },

    async setStage(sessionId: string, stage: SessionStage): Promise<void> {
      await prisma.session.update({ where: { id: sessionId }, data: { stage } });
    },

    async revoke(sessionId: string): Promise<void> {
      await prisma.session.updateMany({
        where: { id: sessionId, revokedAt: null },
        data: { revokedAt: clock() },
      });
    },

    /** Ends every session of a user (deactivation, block, delete, password change). */
    async revokeAllForUser(tx: Db, orgId: string, userId: string): Promise<number> {
      const { count } = await tx.session.updateMany({
        where: { orgId, userId, revokedAt: null },
        data: { revokedAt: clock() },
      });
      return count;
    },
  };
}

export type SessionsService = ReturnType<typeof createSessionsService>;
