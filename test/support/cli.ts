// Runs the real sso-bridge CLI in-process against an environment of the test file's own:
// a fresh DATA_DIR for the embedded database, or a fresh empty PostgreSQL database in the
// "postgres" project. stdout/stderr are captured (only the streams, never the CLI's logic).
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { main } from "../../src/cli/main";
import { createEmptyPostgresDatabase, testDbKind } from "./db";
import { TEST_SECRET_KEY } from "./app";

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
 * A fresh environment; with `migrated` (the default) `sso-bridge migrate` has created the
 * database, as the server's first start or an operator would.
 */
export async function createCliEnv(prefix: string, { migrated = true } = {}): Promise<CliEnv> {
  const env: Record<string, string> = {
    SECRET_KEY: TEST_SECRET_KEY,
    LOG_LEVEL: "error",
    BASE_URL: "http://sso.test",
    DATA_DIR: mkdtempSync(path.join(os.tmpdir(), prefix)),
  };
  let drop: (() => Promise<void>) | undefined;
  if (testDbKind() === "postgres") {
    const db = await createEmptyPostgresDatabase();
    env.DATABASE_URL = db.url;
    drop = db.drop;
  }
  const cli = (...args: string[]) => runCli(args, env);
  if (migrated) {
    const res = await cli("migrate", "--json");
    if (res.code !== 0) throw new Error(`sso-bridge migrate failed: ${res.stderr}`);
  }
  return { env, cli, dispose: async () => drop?.() };
}
