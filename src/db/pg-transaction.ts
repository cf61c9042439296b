// A driver transaction (Database.transaction on PostgreSQL) with two round trips fewer than
// BEGIN, its statements and COMMIT each sent and awaited on its own: BEGIN goes in the same
// write as the first statement, and COMMIT in the same write as the statement the caller marks
// as the last (`last`), before the one Sync that ends the batch. Why: on this kind of machine a
// round trip's socket write and the wake-ups on both sides cost more CPU than most statements
// (docs/benchmarks.md, "SAML sign-ins per CPU-second"); a sign-in's transaction was five round
// trips, it is three.
// How: the extended protocol runs the messages before a Sync in order and, after an error,
// skips the rest up to the Sync, so a failed statement leaves BEGIN's transaction open (and
// failed: the caller rolls it back) and never reaches the COMMIT behind it. BEGIN and COMMIT are
// prepared statements of the connection (bound and executed, not parsed: a ParseComplete of
// theirs would be filed by pg under the statement's name); a connection that has not prepared
// them yet sends them on their own once, which prepares them. pg 8.23.1 (pinned): a subclass of
// its Query whose prepare and _getRows add the messages; the results of the batch come as one
// per command, the statement's is picked out. test/foundation/driver-writes.test.ts holds the
// behaviour (all or nothing, the failed statement, the last statement) on both engines.
import pg from "pg";

const BEGIN = { name: "ssob_tx_begin", text: "BEGIN" };
const COMMIT = { name: "ssob_tx_commit", text: "COMMIT" };

export interface Statement {
  text: string;
  values: unknown[];
  name?: string;
}

/** The parts of pg's Connection (pg/lib/connection.js) the batch writes with. */
interface Connection {
  parsedStatements: Record<string, string>;
  bind(config: { statement: string; portal?: string }): void;
  execute(config: { portal?: string; rows?: number }): void;
  sync(): void;
}

type Results = pg.QueryResult | pg.QueryResult[];

/** Statement, with BEGIN's Bind and Execute before it and COMMIT's after it when asked. */
class Batched extends (pg.Query as unknown as new (config: object) => {
  prepare(connection: Connection): void;
  _getRows(connection: Connection, rows?: number): void;
  rows?: number;
}) {
  constructor(
    statement: Statement,
    private readonly begin: boolean,
    private readonly commit: boolean,
    callback: (err: Error | null, results: Results) => void,
  ) {
    super({ ...statement, callback });
  }

  // Always the extended protocol, even for a statement without values or name: BEGIN and
  // COMMIT ride in its batch.
  requiresPreparation() {
    return true;
  }

  override prepare(connection: Connection) {
    if (this.begin) {
      connection.bind({ statement: BEGIN.name });
      connection.execute({});
    }
    super.prepare(connection);
  }

  // pg's Query sends the statement's Execute and the Sync here (rows is never set by us).
  override _getRows(connection: Connection, rows?: number) {
    if (!this.commit || rows) return super._getRows(connection, rows);
    connection.execute({});
    connection.bind({ statement: COMMIT.name });
    connection.execute({});
    connection.sync();
  }
}

const prepared = (client: pg.PoolClient, name: string) =>
  (client as unknown as { connection: Connection }).connection.parsedStatements[name] !== undefined;

function send(client: pg.PoolClient, statement: Statement, begin: boolean, commit: boolean) {
  return new Promise<pg.QueryResult>((resolve, reject) => {
    const query = new Batched(statement, begin, commit, (err, results) => {
      if (err) return reject(err);
      // One result per command of the batch: BEGIN's first when it was sent.
      resolve(Array.isArray(results) ? results[begin ? 1 : 0]! : results);
    });
    client.query(query as unknown as pg.Submittable);
  });
}

export interface PgTransaction {
  /** Runs one statement in the transaction; `last`: commit with it, nothing may follow. */
  run(statement: Statement, last: boolean): Promise<pg.QueryResult>;
  /** Commits what was not committed with a last statement. */
  commit(): Promise<void>;
  /** Rolls back, when BEGIN was sent and the transaction did not commit. */
  rollback(): Promise<void>;
}

export function pgTransaction(client: pg.PoolClient): PgTransaction {
  let state: "not begun" | "open" | "committed" = "not begun";
  return {
    async run(statement, last) {
      if (state === "committed")
        throw new Error("the transaction has committed: its last statement was sent");
      let begin = state === "not begun";
      state = "open";
      if (begin && !prepared(client, BEGIN.name)) {
        await client.query(BEGIN);
        begin = false;
      }
      const commit = last && prepared(client, COMMIT.name);
      const result = await send(client, statement, begin, commit);
      if (last) {
        if (!commit) await client.query(COMMIT);
        state = "committed";
      }
      return result;
    },
    async commit() {
      if (state === "open") await client.query(COMMIT);
      state = "committed";
    },
    async rollback() {
      if (state === "open") await client.query("ROLLBACK");
    },
  };
}
