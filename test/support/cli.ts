// Runs the real sso-bridge CLI in-process against an environment of the test file's own:
// a fresh DATA_DIR for the embedded database, or a fresh empty PostgreSQL database in the
// "postgres" project. stdout/stderr are captured (only the streams, never the CLI's logic).
import { main } from "../../src/cli/main";
import { openPglite } from "../../src/db/client";
import { pgliteDir } from "../../src/db/data-dir";
import {
  createEmptyPostgresDatabase,
  createMigratedPostgresDatabase,
  migratedPgliteSnapshot,
  testDbKind,
} from "./db";
import { TEST_SECRET_KEY } from "./app";
import { tempDir } from "./temp-dir";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  json: Record<string, any>;
}

export interface CliEnv {
  env: Record<string, string>;
  cli(...args: string[]): Promise<CliResult>;
  dispose(): Promise<void>;
}

/** One run of the CLI with exactly this environment. */
export async function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const out = jest.spyOn(process.stdout, "write").mockImplementation((c) => ((stdout += String(c)), true));
  const err = jest.spyOn(process.stderr, "write").mockImplementation((c) => ((stderr += String(c)), true));
  try {
    const code = await main(args, env);
    const last = stdout.trim().split("\n").pop();
    let json: Record<string, any> = {};
    try {
      json = last ? JSON.parse(last) : {};
    } catch {
      /* not JSON: a text-mode run */
    }
    // Node's own warnings (the experimental VM modules jest runs on) are not the CLI's output.
    stderr = stderr.replace(/^\((node:\d+|Use `node).*\n/gm, "");
    return { code, stdout, stderr, json };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/**
 * A fresh environment; with `migrated` (the default) the database holds every migration, as after
 * the server's first start or `sso-bridge migrate`: restored from the run's migrated snapshot
 * (PGlite) or cloned from its template (PostgreSQL), seconds quicker than migrating an empty one.
 * `sso-bridge migrate` on an empty database has its own test (cli-database.test.ts), and on one
 * of these it must apply nothing (cli.test.ts).
 */
export async function createCliEnv(prefix: string, { migrated = true } = {}): Promise<CliEnv> {
  const env: Record<string, string> = {
    SECRET_KEY: TEST_SECRET_KEY,
    LOG_LEVEL: "error",
    BASE_URL: "http://sso.test",
    DATA_DIR: tempDir(prefix),
  };
  let drop: (() => Promise<void>) | undefined;
  if (testDbKind() === "postgres") {
    const db = migrated ? await createMigratedPostgresDatabase() : await createEmptyPostgresDatabase();
    env.DATABASE_URL = db.url;
    drop = db.drop;
  } else if (migrated) {
    // Opened as the CLI and the server open it (a private directory), then closed: theirs now.
    await openPglite({ dir: pgliteDir(env.DATA_DIR!), loadDataDir: migratedPgliteSnapshot() }).close();
  }
  const cli = (...args: string[]) => runCli(args, env);
  return { env, cli, dispose: async () => drop?.() };
}
