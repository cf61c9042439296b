// The `sso-bridge` command line. It acts on the server's database: with the embedded database
// a running server owns the data directory, so commands go to it over the control socket;
// with no server (or with PostgreSQL) the CLI opens the database itself, but never creates
// one except for `migrate`, and prints URLs under the BASE_URL the server recorded. Either way
// the same command table runs. --json prints exactly one JSON object on stdout.
import { CommanderError } from "commander";
import { boot } from "../boot";
import { ConfigError, loadConfig, type ReadyConfig } from "../config";
import type { Database } from "../db/client";
import { embeddedDatabaseExists, noEmbeddedDatabase, NoDatabaseError } from "../db/data-dir";
import { recordedBaseUrl } from "../db/instance-settings";
import { createLogger, type Logger } from "../shared/logger";
import { runCommand, type CommandRequest, type CommandResult } from "./commands";
import { requestOverSocket } from "./control-socket";
import { acquireDataDirLock, dataDirLockHeld, DataDirLockedError } from "./data-dir-lock";
import { output } from "./output";
import { buildProgram } from "./program";
import { runWorkerCommand } from "./worker-command";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The commands that print public URLs (and so must print the server's). */
const PRINTS_URLS = new Set(["scim-token create", "user create-admin", "recover"]);

async function execute(request: CommandRequest, env: NodeJS.ProcessEnv): Promise<CommandResult> {
  const config = loadConfig(env);
  // Log lines go to stderr whatever their level: stdout carries the result alone.
  const logger = createLogger(env.LOG_LEVEL ? config.logLevel : "warn", { stream: process.stderr });
  const creates = request.command === "migrate";
  if (config.databaseUrl) return runLocally(request, env, logger);
  // A server may be starting up (lock held, socket not yet listening): retry for a while.
  for (let attempt = 0; ; attempt++) {
    const remote = await requestOverSocket(config.dataDir, request);
    if (remote) return remote;
    if (!creates && !embeddedDatabaseExists(config.dataDir) && !dataDirLockHeld(config.dataDir))
      throw noEmbeddedDatabase(config.dataDir);
    let release: () => void;
    try {
      release = acquireDataDirLock(config.dataDir);
    } catch (e) {
      if (e instanceof DataDirLockedError && attempt < 60) {
        await sleep(500);
        continue;
      }
      throw e;
    }
    try {
      return await runLocally(request, env, logger);
    } finally {
      release();
    }
  }
}

async function runLocally(request: CommandRequest, env: NodeJS.ProcessEnv, logger: Logger) {
  const serverUrls = async (config: ReadyConfig, db: Database): Promise<ReadyConfig> => {
    const baseUrl = await recordedBaseUrl(db);
    if (baseUrl) return Object.freeze({ ...config, baseUrl, secureCookies: baseUrl.startsWith("https://") });
    if (PRINTS_URLS.has(request.command))
      process.stderr.write(
        `sso-bridge: no server has run on this database yet: links use this shell's BASE_URL (${config.baseUrl})\n`,
      );
    return config;
  };
  const booted = await boot(env, {
    logger,
    existingOnly: request.command !== "migrate",
    configure: serverUrls,
  });
  try {
    const result = await runCommand(booted.services, request);
    // `migrate` run locally: boot already applied what was pending; report those.
    if (request.command === "migrate" && result.ok)
      return { ok: true as const, result: { applied: booted.applied } };
    return result;
  } finally {
    await booted.db.close();
  }
}

function failure(e: unknown): CommandResult {
  const code =
    e instanceof NoDatabaseError ? e.code : e instanceof ConfigError ? "invalid_configuration" : "internal";
  return { ok: false, error: { code, message: e instanceof Error ? e.message : String(e) } };
}

/** A usage error's message without commander's "error: " prefix. */
const usageMessage = (e: CommanderError): string =>
  e.code === "commander.help"
    ? "a command is required (see sso-bridge --help)"
    : e.message.replace(/^error: /, "");

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let code = 0;
  const program = buildProgram(
    async (request, json) => {
      let result: CommandResult;
      try {
        result = await execute(request, env);
      } catch (e) {
        result = failure(e);
      }
      code = output(request.command, result, json);
    },
    async () => {
      code = await runWorkerCommand(env).catch((e: unknown) => {
        process.stderr.write(`sso-bridge: ${e instanceof Error ? e.message : String(e)}\n`);
        return 1;
      });
    },
  );
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    if (e.exitCode === 0) return 0; // --help, --version
    // Usage errors (a missing option, an unknown command) answer in the format asked for too.
    if (argv.includes("--json"))
      process.stdout.write(
        JSON.stringify({ error: { code: "bad_request", message: usageMessage(e) } }) + "\n",
      );
    return 1;
  }
  return code;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`sso-bridge: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
