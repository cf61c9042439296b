// Database.settle: the barrier a revocation waits on before it answers, so that every process
// listening on a channel (each instance's cache of verified SCIM tokens) has handled what was
// committed before it. PostgreSQL: the listeners are other connections, each answering the
// settling process's marker; PGlite: its listeners run inside the COMMIT, so there is nothing
// to wait for.
import pg from "pg";
import { openPglite, openPostgres, type Database } from "../../src/db/client";
import { createEmptyPostgresDatabase, testDbKind } from "../support/db";

const CHANNEL = "settle_test";

/** Listens on CHANNEL and records what it heard; resolves once LISTEN holds. */
async function listening(db: Database): Promise<string[]> {
  const heard: string[] = [];
  await new Promise<void>((resolve) =>
    db.listen(CHANNEL, { onNotify: (p) => heard.push(p), onLive: (up) => up && resolve() }),
  );
  return heard;
}

if (testDbKind() === "postgres") {
  let database: { url: string; drop(): Promise<void> };
  let a: Database;
  let b: Database;
  beforeAll(async () => {
    database = await createEmptyPostgresDatabase();
    a = openPostgres(database.url, 2);
    b = openPostgres(database.url, 2);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await database.drop();
  });

  test("when a change is committed and settle resolves, then every other process listening has already handled its notification", async () => {
    const [heardByA, heardByB] = await Promise.all([listening(a), listening(b)]);
    for (let i = 0; i < 20; i++) {
      await a.direct.$executeRaw`SELECT pg_notify(${CHANNEL}, ${`change-${i}`})`;
      expect(await a.settle(CHANNEL, 10_000)).toBe(true);
      // Read synchronously, right as settle resolves: nothing else has had a turn.
      expect({ i, b: heardByB.includes(`change-${i}`), a: heardByA.includes(`change-${i}`) }).toEqual({
        i,
        b: true,
        a: true,
      });
    }
  });

  test("when a listener never answers, then settle resolves false after its timeout instead of hanging", async () => {
    // A connection named as the listeners are, that listens and never answers the marker.
    const silent = new pg.Client({
      connectionString: database.url,
      application_name: `sso-bridge listen ${CHANNEL}`,
    });
    await silent.connect();
    await silent.query(`LISTEN ${CHANNEL}`);
    try {
      const started = Date.now();
      expect(await a.settle(CHANNEL, 300)).toBe(false);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    } finally {
      await silent.end();
    }
    // Gone, it is no longer waited for.
    expect(await a.settle(CHANNEL, 10_000)).toBe(true);
  });

  test("when no process listens on the channel, then settle resolves true at once", async () => {
    expect(await a.settle("settle_test_nobody", 10_000)).toBe(true);
  });
} else {
  test("when a change is committed on PGlite, then its listeners have handled it and settle resolves true", async () => {
    const db = openPglite();
    try {
      const heard = await listening(db);
      await db.direct.$executeRaw`SELECT pg_notify(${CHANNEL}, 'change')`;
      expect(heard).toEqual(["change"]);
      expect(await db.settle(CHANNEL, 10)).toBe(true);
    } finally {
      await db.close();
    }
  });
}
