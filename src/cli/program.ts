// The command line's grammar (commander): every command, option and help text. Parsing ends in
// run({command, args}, json); main.ts decides where the command runs and prints the result.
import { readFileSync } from "node:fs";
import path from "node:path";
import { Command } from "commander";
import type { CommandRequest } from "./commands";

export const ENVIRONMENT_HELP = `
Environment (the server's own: run the CLI with the environment the server runs with):
  DATABASE_URL  the server's PostgreSQL database; unset: the embedded database in DATA_DIR
  DATA_DIR      the server's data directory (default ./data); a running server there runs
                the command; only \`migrate\` creates a database where there is none
  SECRET_KEY    the server's key (when it is not generated into DATA_DIR)
  BASE_URL      used for printed URLs only until a server has run on the database: after
                that, URLs come from the BASE_URL the server recorded
  LOG_LEVEL     log lines on stderr (default warn)

In production: \`node /app/bin/sso-bridge.js …\` beside the server, or
\`docker exec <container> sso-bridge …\` in the Docker image.`;

const SEE_ENVIRONMENT = "\nReads DATABASE_URL, DATA_DIR, SECRET_KEY and BASE_URL (see sso-bridge --help).";
const JSON_HELP = 'print exactly one JSON object on stdout (on error: {"error": {"code", "message"}})';
const ORG_HELP = "slug of the organization";

export function version(): string {
  const pkg = JSON.parse(readFileSync(path.resolve(__dirname, "../../package.json"), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

type Run = (request: CommandRequest, json: boolean) => Promise<void>;

export function buildProgram(run: Run, runWorker: () => Promise<void> = async () => undefined): Command {
  const program = new Command("sso-bridge")
    .description("SSO/SCIM provisioning bridge: set up organizations, credentials and first admins")
    .version(version(), "-V, --version", "print the version")
    .helpOption("-h, --help", "show help for the command")
    .addHelpText("after", ENVIRONMENT_HELP)
    .exitOverride()
    .configureOutput({ outputError: (message, write) => write(message.replace(/^error: /, "sso-bridge: ")) });
  program.helpCommand("help [command]", "show help for a command");

  const leaves: Command[] = [];
  const leaf = (parent: Command, name: string, command: string, description: string) => {
    const cmd = parent.command(name).description(description).addHelpText("after", SEE_ENVIRONMENT);
    leaves.push(cmd);
    return cmd.action(async (opts: Record<string, unknown>) => {
      const { json, ...args } = opts;
      await run({ command, args }, json === true);
    });
  };

  const org = program.command("org").description("organizations (tenants)");
  leaf(org, "create", "org create", "create an organization")
    .requiredOption("--slug <slug>", "immutable identifier: 2-63 characters of a-z, 0-9 and -")
    .requiredOption("--name <name>", "display name")
    .option("--plan <plan>", "free (10 seats) | team | enterprise", "free");
  leaf(org, "list", "org list", "list every organization");

  for (const [noun, what, defaultName] of [
    ["scim-token", "SCIM bearer tokens (for Okta or Entra provisioning)", "scim"],
    ["api-key", "admin API keys (act as Admin in their organization)", "api"],
  ] as const) {
    const group = program.command(noun).description(what);
    leaf(group, "create", `${noun} create`, `create one; its value is printed this once`)
      .requiredOption("--org <slug>", ORG_HELP)
      .option("--name <name>", "a name to recognise it by", defaultName);
    leaf(
      group,
      "list",
      `${noun} list`,
      "list them (never their values), revoked ones included",
    ).requiredOption("--org <slug>", ORG_HELP);
    leaf(group, "revoke", `${noun} revoke`, "revoke one: it stops working at once")
      .requiredOption("--org <slug>", ORG_HELP)
      .requiredOption("--id <id>", "its id, as `list` shows it");
  }

  const user = program.command("user").description("users of an organization");
  leaf(
    user,
    "create-admin",
    "user create-admin",
    "invite the first Admin of an organization; prints the invitation link",
  )
    .requiredOption("--org <slug>", ORG_HELP)
    .requiredOption("--email <email>", "the Admin's email address")
    .option("--first-name <name>", "first name")
    .option("--last-name <name>", "last name");
  leaf(user, "list", "user list", "list the users of an organization, oldest first")
    .requiredOption("--org <slug>", ORG_HELP)
    .option("--role <role>", "only users with this role: Admin | Support | Viewer | none")
    .option("--status <status>", "only users in this status: invited | active | deactivated | blocked");

  leaf(
    program,
    "recover",
    "recover",
    "break-glass: a one-time Admin sign-in link (15 minutes) that works while SSO is enforced",
  )
    .requiredOption("--org <slug>", ORG_HELP)
    .requiredOption("--email <email>", "email of an active user of the organization");

  leaf(
    program,
    "migrate",
    "migrate",
    "apply pending database migrations (creates the database when DATA_DIR or DATABASE_URL holds none)",
  );
  program
    .command("worker")
    .description(
      "deliver webhooks until SIGTERM or SIGINT (servers deliver too unless WEBHOOK_WORKER=false; several may run at once)",
    )
    .addHelpText("after", SEE_ENVIRONMENT)
    .action(runWorker);
  // Last, so that each command's help lists its own options first.
  for (const cmd of leaves) cmd.option("--json", JSON_HELP);
  return program;
}
