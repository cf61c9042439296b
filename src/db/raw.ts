// A minimal raw SQL connection (outside Prisma) for what Prisma's query API cannot do:
// multi-statement migration scripts and session-level advisory locks. On PostgreSQL it is
// one dedicated pg client; on PGlite it is the single embedded connection.
import pg from "pg";
import type { PGlite } from "@electric-sql/pglite";

export interface RawConnection {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs a script of one or more statements (simple query protocol). */
  exec(sql: string): Promise<void>;
  release(): Promise<void>;
}

export async function connectPg(connectionString: string, connectTimeoutMs = 0): Promise<RawConnection> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: connectTimeoutMs });
  // A connection that breaks while held emits 'error'; unhandled, that would end the process.
  // The statement in flight fails on its own, and release() ends the client.
  client.on("error", () => undefined);
  await client.connect();
  return {
    async query<T>(sql: string, params: unknown[] = []) {
      return (await client.query(sql, params)).rows as T[];
    },
    async exec(sql) {
      await client.query(sql);
    },
    async release() {
      await client.end();
    },
  };
}

export function pgliteConnection(db: PGlite): RawConnection {
  return {
    async query<T>(sql: string, params: unknown[] = []) {
      return (await db.query<T>(sql, params)).rows;
    },
    async exec(sql) {
      await db.exec(sql);
    },
    async release() {
      // The embedded database stays open: it belongs to the Database handle.
    },
  };
}
