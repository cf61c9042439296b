// One Prisma client over a driver adapter: PostgreSQL (DATABASE_URL) through
// @prisma/adapter-pg, otherwise PGlite embedded in this process with its data in DATA_DIR.
// The same schema, migrations and queries serve both.
import path from "node:path";
import { isMainThread } from "node:worker_threads";
import pg from "pg";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaPg } from "@prisma/adapter-pg";
import { Prisma, PrismaClient } from "../generated/prisma/client";
import { connectPg, pgliteConnection, type RawConnection } from "./raw";
import { createStatementNamer } from "./statement-names";
import { pgTransaction } from "./pg-transaction";
import { makePrivateDir } from "./data-dir";
import { assertChannel, pgListener } from "./pg-listener";

export type { PrismaClient };

// Prisma's defaults (wait 2 s for a connection, 5 s per interactive transaction) are too
// tight for PGlite, whose single connection serialises transactions, and for large
// set-based changes (a rules change over 100,000 users); a busy machine must not turn a
// valid request into a 500.
const TRANSACTION_OPTIONS = { maxWait: 15_000, timeout: 60_000 };

export interface Database {
  kind: "postgres" | "pglite";
  prisma: PrismaClient;
  /** A raw connection for migrations and health checks; release() it after use. */
  raw(): Promise<RawConnection>;
  /** A read outside any transaction, on the driver itself (see Reader). */
  read: Reader;
  /**
   * Statements on the driver itself outside any transaction, each one atomic on its own: for
   * the single-statement SCIM create, where the Prisma client's per-query work was a large part
   * of the server's CPU (docs/decisions.md). Rows are typed by the driver, as Reader's are.
   */
  direct: SqlTx;
  /**
   * Runs `fn` in one transaction on the driver itself, like Reader without the Prisma client:
   * for the member batches of SCIM Group PATCHes, where Prisma's interactive transaction was most
   * of the server's CPU (docs/decisions.md). Commits when `fn` resolves, rolls back when
   * it throws. Rows are typed by the driver, as Reader's are.
   */
  transaction<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T>;
  /**
   * Calls `onNotify` for every NOTIFY on `channel`, and `onLive` with whether it is listening:
   * true once LISTEN holds, false while its connection is down (PostgreSQL: a connection of its
   * own, re-opened every second until it holds again; a missed notification cannot be told
   * apart, so callers must treat "down" as "anything may have changed"). Ends with close().
   */
  listen(channel: string, handlers: ListenHandlers): void;
  /**
   * Resolves true once every process listening on `channel` has handled the notifications
   * committed before the call (so that "revoked" holds on every instance when the revoking
   * request answers); false when that is not known within `timeoutMs`. Never rejects.
   */
  settle(channel: string, timeoutMs: number): Promise<boolean>;
  /**
   * How many pieces of work wait for a connection now (PostgreSQL: the pool's queue; PGlite: 0,
   * its one connection queues inside PGlite): the back-pressure middleware refuses new requests
   * while it is over DB_QUEUE_LIMIT.
   */
  waiting(): number;
  /** PostgreSQL's pool itself, for a library that needs a pg pool (the rate-limit counters). */
  pgPool?: pg.Pool;
  close(): Promise<void>;
}

/**
 * Runs one read statement on the connection pool Prisma's adapter uses (PGlite: its single
 * connection), without the Prisma client: for the reads on every SCIM request (authentication,
 * lookups, pages, a group without its members), where the client's per-query work was a large
 * part of the server's CPU (docs/decisions.md). Rows come typed by the driver, which for the types
 * these statements select (text, int, boolean, jsonb/json, timestamptz, arrays of them) is what
 * $queryRaw answers; cast a bigint or numeric to int or text. Writes stay on Prisma, but for
 * the two hottest (Database.direct and Database.transaction).
 */
export type Reader = <T>(sql: Prisma.Sql) => Promise<T[]>;

/**
 * The raw-SQL half of Prisma's client and transaction client: what a statement written as a
 * tagged template (or a Prisma.Sql) needs. Both a Prisma transaction and a driver transaction
 * (Database.transaction) are one, so the statements of the hot SCIM paths run on either.
 */
export interface SqlTx {
  $queryRaw<T = unknown>(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): Promise<T>;
  $executeRaw(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): Promise<number>;
}

/** A Prisma.Sql from either form a SqlTx method is called with. */
const toSql = (query: TemplateStringsArray | Prisma.Sql, values: unknown[]): Prisma.Sql =>
  Array.isArray(query) ? Prisma.sql(query as TemplateStringsArray, ...values) : (query as Prisma.Sql);

type Runner = (sql: Prisma.Sql) => Promise<{ rows: unknown[]; count: number }>;

/** A SqlTx over one statement runner (a driver connection inside its transaction). */
function sqlTx(run: Runner, runLast?: Runner): SqlTx {
  const tx = {
    $queryRaw: async <T>(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]) =>
      (await run(toSql(query, values))).rows as T,
    $executeRaw: async (query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]) =>
      (await run(toSql(query, values))).count,
  };
  return runLast ? Object.assign(tx, { [LAST]: sqlTx(runLast) }) : tx;
}

const LAST = Symbol("the transaction's last statement");

/**
 * `tx` for the last statement of a driver transaction on PostgreSQL: COMMIT is sent with it, a
 * round trip less (pg-transaction.ts). Once it has run, the transaction has committed: the
 * callback must neither send another statement (that throws) nor fail after it (it would not
 * roll back). Anywhere else (PGlite, a Prisma transaction) it is `tx` itself, which commits when
 * the callback returns.
 */
export const committing = (tx: SqlTx): SqlTx => (tx as { [LAST]?: SqlTx })[LAST] ?? tx;

export interface ListenHandlers {
  onNotify(payload: string): void;
  onLive(live: boolean): void;
}

export interface PoolOptions {
  /** Connections this process opens at most; more work waits in the pool's queue. */
  poolSize?: number;
  /** How long opening a connection, or waiting in the queue for one, may take before it fails. */
  connectTimeoutMs?: number;
  /** Called when a connection the pool holds idle breaks (a restart, a failover). */
  onIdleError?: (e: Error) => void;
}

/** `options` may be the pool size alone (the older call). */
export function openPostgres(connectionString: string, options: PoolOptions | number = {}): Database {
  const opts = typeof options === "number" ? { poolSize: options } : options;
  const { poolSize = 10, connectTimeoutMs = 5_000, onIdleError = () => undefined } = opts;
  // Why a connect timeout: pg waits forever by default, so with the server unreachable (not
  // refusing) every request would hang instead of failing fast with 503. keepAlive lets the
  // kernel notice a peer that vanished without closing its connections.
  const pool = new pg.Pool({
    connectionString,
    max: poolSize,
    connectionTimeoutMillis: connectTimeoutMs,
    keepAlive: true,
  });
  // An idle pooled connection that the server ends (restart, failover, admin command) emits
  // 'error' on the pool; unhandled, that would kill the process. The pool drops the client
  // and the next query opens a new one.
  pool.on("error", onIdleError);
  // The adapter's type says a name is always returned; pg runs a query unnamed when it is not.
  const statementName = createStatementNamer();
  const statementNameGenerator = statementName as (query: { sql: string }) => string;
  const prisma = new PrismaClient({
    adapter: new PrismaPg(pool, { statementNameGenerator }),
    transactionOptions: TRANSACTION_OPTIONS,
  });
  const listener = pgListener(connectionString);
  // The same statement names as the adapter's: one name always stands for one text. (Sql.text
  // joins the statement's parts on every read: once per query.)
  const named = (sql: Prisma.Sql) => {
    const text = sql.text;
    return { text, values: sql.values, name: statementName({ sql: text }) };
  };
  // One statement on the pool, or on a client taken from it for a transaction.
  const on = (conn: pg.Pool | pg.PoolClient) => async (sql: Prisma.Sql) => {
    const r = await conn.query(named(sql));
    return { rows: r.rows as unknown[], count: r.rowCount ?? 0 };
  };
  const onPool = on(pool);
  return {
    kind: "postgres",
    prisma,
    raw: () => connectPg(connectionString, connectTimeoutMs),
    read: async <T>(sql: Prisma.Sql) => (await onPool(sql)).rows as T[],
    direct: sqlTx(onPool),
    async transaction(fn) {
      const client = await pool.connect();
      let broken: Error | undefined;
      // A checked-out client has no listener of the pool's: a connection that breaks between
      // two statements would otherwise raise an unhandled 'error' and end the process.
      const onError = (err: Error) => (broken = err);
      client.on("error", onError);
      const tx = pgTransaction(client);
      const run = (last: boolean) => async (sql: Prisma.Sql) => {
        const r = await tx.run(named(sql), last);
        return { rows: r.rows as unknown[], count: r.rowCount ?? 0 };
      };
      try {
        const result = await fn(sqlTx(run(false), run(true)));
        await tx.commit();
        return result;
      } catch (e) {
        // A connection that cannot even roll back is not handed out again.
        await tx.rollback().catch((err: Error) => (broken = err));
        throw e;
      } finally {
        client.removeListener("error", onError);
        client.release(broken);
      }
    },
    listen: listener.listen,
    settle: (channel, timeoutMs) => listener.settle(pool, channel, timeoutMs),
    waiting: () => pool.waitingCount,
    pgPool: pool,
    async close() {
      await listener.close();
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

/** `dir` undefined keeps the database in memory (tests); `loadDataDir` restores a snapshot. */
export function openPglite(options: { dir?: string; loadDataDir?: Blob } = {}): Database {
  if (options.dir) makePrivateDir(options.dir);
  // PGlite writes the files of a new database with the process's umask (0644 under the usual
  // 022) while it opens; they hold password hashes. (Worker threads may not set the umask: the
  // 0700 directory alone keeps others out there.)
  const umask = options.dir && isMainThread ? process.umask(0o077) : undefined;
  const db = new PGlite({ dataDir: options.dir, loadDataDir: options.loadDataDir });
  if (umask !== undefined) {
    const restore = () => void process.umask(umask);
    db.waitReady.then(restore, restore);
  }
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(db), transactionOptions: TRANSACTION_OPTIONS });
  let closed = false;
  // One statement on the embedded connection, or inside one of its transactions.
  const on = (conn: Pick<PGlite, "query">) => async (sql: Prisma.Sql) => {
    const r = await conn.query(sql.text, sql.values);
    return { rows: r.rows, count: r.affectedRows ?? 0 };
  };
  const onDb = on(db);
  return {
    kind: "pglite",
    prisma,
    raw: async () => pgliteConnection(db),
    read: async <T>(sql: Prisma.Sql) => (await onDb(sql)).rows as T[],
    direct: sqlTx(onDb),
    // PGlite's own transaction: it holds the single connection, as the Prisma adapter's do.
    transaction: (fn) => db.transaction((tx) => fn(sqlTx(on(tx)))),
    // In-process: PGlite hands a notification to its listeners while it completes the COMMIT
    // that sent it, before that statement's caller resumes.
    listen(channel, h) {
      assertChannel(channel);
      db.listen(channel, h.onNotify).then(
        () => !closed && h.onLive(true),
        () => h.onLive(false),
      );
    },
    // Its listeners are this process's, and have run when the COMMIT returned.
    settle: async () => true,
    waiting: () => 0,
    async close() {
      closed = true;
      await prisma.$disconnect();
      await db.close();
    },
  };
}

export function openDatabase(
  config: { databaseUrl?: string; dataDir: string; dbPoolSize?: number; dbConnectTimeoutMs?: number },
  onIdleError?: (e: Error) => void,
): Database {
  return config.databaseUrl
    ? openPostgres(config.databaseUrl, {
        poolSize: config.dbPoolSize,
        connectTimeoutMs: config.dbConnectTimeoutMs,
        onIdleError,
      })
    : openPglite({ dir: path.join(config.dataDir, "pglite") });
}

/** The client inside an interactive transaction, for services that compose several writes. */
export type Tx = Prisma.TransactionClient;
/** Either the client or a transaction: repositories accept both. */
export type Db = PrismaClient | Tx;
