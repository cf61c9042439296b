// The committed migrations must produce exactly what prisma/schema.prisma describes, and exactly
// the functions, triggers and storage options prisma/database-objects.txt lists (which the schema
// cannot describe: the statement triggers that stand for foreign keys, the user counts).
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { tempDir } from "../support/temp-dir";

const run = promisify(execFile);
// Each check replays every migration in a child process (Prisma's diff, whose shadow database then
// gives the objects list), seconds of CPU that a loaded shared machine can stretch past jest's default.
const CHECK_TIMEOUT = 300_000;
const tool = path.resolve("scripts/prisma-offline.mjs");

async function check(
  schema: string,
  migrations = "prisma/migrations",
): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [tool, "check", schema, migrations], {
      cwd: path.resolve("."),
    });
    return { code: 0, output: stdout + stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, output: err.stdout + err.stderr };
  }
}

/** A copy of prisma/ (schema, migrations, the objects list) whose schema generates nowhere near src/. */
function copyOfPrisma(): { schema: string; migrations: string } {
  const dir = path.join(tempDir("drift-"), "prisma");
  cpSync("prisma", dir, { recursive: true });
  const schema = path.join(dir, "schema.prisma");
  writeFileSync(
    schema,
    readFileSync(schema, "utf8").replace(
      'output       = "../src/generated/prisma"',
      'output = "' + path.join(dir, "gen") + '"',
    ),
  );
  return { schema, migrations: path.join(dir, "migrations") };
}

/** One more migration after the committed ones. */
function addMigration(migrations: string, sql: string): void {
  const dir = path.join(migrations, "29991231000000_drift_probe");
  mkdirSync(dir);
  writeFileSync(path.join(dir, "migration.sql"), sql);
}

test(
  "when the schema and the committed migrations agree, then the drift check passes",
  async () => {
    const result = await check("prisma/schema.prisma");
    expect(result.output).toContain("migrations match the schema and database-objects.txt");
    expect(result.code).toBe(0);
  },
  CHECK_TIMEOUT,
);

test(
  "when the schema gains a column that no migration creates, then the drift check fails naming it",
  async () => {
    const { schema, migrations } = copyOfPrisma();
    writeFileSync(
      schema,
      readFileSync(schema, "utf8").replace("model Group {\n", "model Group {\n  driftProbe String?\n"),
    );
    const result = await check(schema, migrations);
    expect(result.code).toBe(1);
    expect(result.output).toContain("driftProbe");
  },
  CHECK_TIMEOUT,
);

// The three object probes below go into one added migration checked once (a check replays every
// migration, seconds of CPU): each touches an object of its own, and each test asserts that the
// output names its own probe, so each still fails when the check misses that kind of drift.
const DROPPED_TRIGGER = `DROP TRIGGER "outbox_events_org_inserted" ON "outbox_events";\n`;
const CHANGED_FUNCTION = `CREATE OR REPLACE FUNCTION "sso_bridge_events_org_exists"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RETURN NULL; END $$;\n`;
const ADDED_TRIGGER_AND_STORAGE = `CREATE TRIGGER "groups_probe" AFTER DELETE ON "groups" FOR EACH STATEMENT EXECUTE FUNCTION "sso_bridge_credentials_changed"();
ALTER TABLE "groups" SET (fillfactor = 70);\n`;

/** The lines the check printed under its heading ending with `heading:`. */
function listed(output: string, heading: "do not create" | "does not list"): string[] {
  const lines = output.split("\n");
  const start = lines.findIndex((l) => l.startsWith("drift:") && l.endsWith(heading + ":"));
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && !l.startsWith("  "));
  return lines.slice(start + 1, end < 0 ? undefined : end).map((l) => l.trim());
}

let probed: Promise<{ code: number; output: string }> | null = null;
function objectProbes(): Promise<{ code: number; output: string }> {
  probed ??= (async () => {
    const { schema, migrations } = copyOfPrisma();
    addMigration(migrations, DROPPED_TRIGGER + CHANGED_FUNCTION + ADDED_TRIGGER_AND_STORAGE);
    return check(schema, migrations);
  })();
  return probed;
}

test(
  "when a migration drops a trigger the list names, then the drift check fails naming it",
  async () => {
    const result = await objectProbes();
    expect(result.code).toBe(1);
    expect(listed(result.output, "do not create")).toContainEqual(
      expect.stringMatching(/^trigger CREATE TRIGGER outbox_events_org_inserted /),
    );
  },
  CHECK_TIMEOUT,
);

test(
  "when a migration changes a trigger's function, then the drift check fails naming the function",
  async () => {
    const result = await objectProbes();
    expect(result.code).toBe(1);
    const fn = expect.stringMatching(/^function sso_bridge_events_org_exists\(\) returns trigger body md5 /);
    expect(listed(result.output, "do not create")).toContainEqual(fn);
    expect(listed(result.output, "does not list")).toContainEqual(fn);
  },
  CHECK_TIMEOUT,
);

test(
  "when a migration adds a trigger or a storage option the list lacks, then the drift check fails naming it",
  async () => {
    const result = await objectProbes();
    expect(result.code).toBe(1);
    const unexpected = listed(result.output, "does not list");
    expect(unexpected).toContainEqual(expect.stringMatching(/^trigger CREATE TRIGGER groups_probe /));
    expect(unexpected).toContain("storage groups fillfactor=70");
  },
  CHECK_TIMEOUT,
);
