// The `sso-bridge` command line. With the embedded database, a running
// server owns the data directory, so commands go to it over the control socket; with no
// server (or with PostgreSQL) the CLI opens the database itself. Either way the same command
// table runs. --json prints exactly one JSON object on stdout.
import { Command } from "commander";
import { boot } from "../boot";
import { loadConfig } from "../config";
import { createLogger } from "../shared/logger";
import { runCommand, type CommandRequest, type CommandResult } from "./commands";
import { requestOverSocket } from "./control-socket";
import { acquireDataDirLock, DataDirLockedError } from "./data-dir-lock";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function execute(request: CommandRequest, env: NodeJS.ProcessEnv): Promise<CommandResult> {
  const config = loadConfig(env);
  const logger = createLogger(env.LOG_LEVEL ? config.logLevel : "warn");
  if (!config.databaseUrl) {
    // A server may be starting up (lock held, socket not yet listening): retry for a while.
    for (let attempt = 0; ; attempt++) {
      const remote = await requestOverSocket(config.dataDir, request);
      if (remote) return remote;
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
  return runLocally(request, env, logger);
}

async function runLocally(
  request: CommandRequest,
  env: NodeJS.ProcessEnv,
  logger: ReturnType<typeof createLogger>,
) {
  const booted = await boot(env, { logger });
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

function output(result: CommandResult, json: boolean): number {
  if (result.ok) {
    if (json) process.stdout.write(JSON.stringify(result.result) + "\n");
    else
      for (const [k, v] of Object.entries(result.result))
        process.stdout.write(`${k}: ${Array.isArray(v) ? v.join(", ") || "(none)" : String(v)}\n`);
    return 0;
  }
  process.stderr.write(`sso-bridge: ${result.error.message}\n`);
  if (json) process.stdout.write(JSON.stringify({ error: result.error }) + "\n");
  return 1;
}

export function buildProgram(run: (request: CommandRequest, json: boolean) => Promise<void>): Command {
  const program = new Command("sso-bridge").description("SSO/SCIM provisioning bridge").exitOverride();
  const action =
    (command: string) =>
    async (opts: Record<string, unknown>): Promise<void> => {
      const { json, ...args } = opts;
      await run({ command, args }, json === true);
    };

  const org = program.command("org").description("organizations");
  org
    .command("create")
    .requiredOption("--slug <slug>", "immutable identifier, [a-z0-9-]{2,63}")
    .requiredOption("--name <name>", "display name")
    .option("--plan <plan>", "free | team | enterprise", "free")
    .option("--json", "print one JSON object")
    .action(action("org create"));

  program
    .command("scim-token")
    .description("SCIM bearer tokens")
    .command("create")
    .requiredOption("--org <slug>")
    .option("--name <name>", "a name to recognise it by", "scim")
    .option("--json")
    .action(action("scim-token create"));

  program
    .command("api-key")
    .description("admin API keys")
    .command("create")
    .requiredOption("--org <slug>")
    .option("--name <name>", "a name to recognise it by", "api")
    .option("--json")
    .action(action("api-key create"));

  program
    .command("user")
    .description("users")
    .command("create-admin")
    .requiredOption("--org <slug>")
    .requiredOption("--email <email>")
    .option("--first-name <name>")
    .option("--last-name <name>")
    .option("--json")
    .action(action("user create-admin"));

  program
    .command("recover")
    .description("break-glass: a one-time Admin sign-in link (15 minutes) that works while SSO is enforced")
    .requiredOption("--org <slug>")
    .requiredOption("--email <email>")
    .option("--json")
    .action(action("recover"));

  program
    .command("migrate")
    .description("apply pending database migrations")
    .option("--json")
    .action(action("migrate"));
  return program;
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let code = 0;
  const program = buildProgram(async (request, json) => {
    try {
      code = output(await execute(request, env), json);
    } catch (e) {
      code = output(
        { ok: false, error: { code: "internal", message: e instanceof Error ? e.message : String(e) } },
        json,
      );
    }
  });
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (e) {
    const err = e as { exitCode?: number; code?: string };
    if (err.code === "commander.helpDisplayed" || err.code === "commander.version") return 0;
    return err.exitCode && err.exitCode !== 0 ? 1 : 0;
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
