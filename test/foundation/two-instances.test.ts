// Several instances on one database. PostgreSQL: two processes started at once both come up
// (one waits on the migration lock). PGlite: one process owns a data directory; a second
// server on it refuses to start instead of corrupting it. What several instances do under
// traffic is test/resilience/several-instances.test.ts.
import { createEmptyPostgresDatabase, testDbKind } from "../support/db";
import { TEST_SECRET_KEY } from "../support/app";
import { launch } from "../support/instances";
import { start } from "../../src/main";
import { tempDir } from "../support/temp-dir";

if (testDbKind() === "postgres") {
  test("when two processes start at once against one empty PostgreSQL, then both come up and the schema is migrated once", async () => {
    const db = await createEmptyPostgresDatabase();
    const env = { DATABASE_URL: db.url, SECRET_KEY: TEST_SECRET_KEY, PORT: "0" };
    const a = launch(env);
    const b = launch(env);
    try {
      const ports = await Promise.all([a.ready, b.ready]);
      for (const port of ports) {
        const res = await fetch(`http://127.0.0.1:${port}/readyz`);
        expect(res.status).toBe(200);
      }
      const applied = [a.output(), b.output()].filter((o) => o.includes('"migrations applied"'));
      expect(applied).toHaveLength(1);
      expect(await a.stop()).toBe(0);
      expect(await b.stop()).toBe(0);
    } finally {
      await a.kill();
      await b.kill();
      await db.drop();
    }
  });
} else {
  test("when a second server starts on a data directory that a running server holds, then it refuses with one clear line", async () => {
    const dataDir = tempDir("sso-two-");
    const first = await start({
      DATA_DIR: dataDir,
      SECRET_KEY: TEST_SECRET_KEY,
      PORT: "0",
      LOG_LEVEL: "error",
    });
    try {
      const second = launch({ DATA_DIR: dataDir, SECRET_KEY: TEST_SECRET_KEY, PORT: "0" });
      await expect(second.ready).rejects.toThrow(/exited with 1/);
      expect(second.output()).toMatch(/another sso-bridge process \(pid \d+\) is using this DATA_DIR/);
    } finally {
      await first.stop("test");
    }
  });
}
