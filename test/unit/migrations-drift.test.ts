// The committed migrations must produce exactly what prisma/schema.prisma describes, and exactly
// the functions, triggers and storage options prisma/database-objects.txt lists (which the schema
// cannot describe: the statement triggers that stand for foreign keys, the user counts).
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
// Each check applies every migration twice in a child process (Prisma's diff, then the objects
// list), seconds of CPU that a loaded shared machine can stretch past jest's default.
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
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), "drift-")), "prisma");
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

test(
  "when a migration drops a trigger the list names, then the drift check fails naming it",
  async () => {
    const { schema, migrations } = copyOfPrisma();
    addMigration(migrations, `DROP TRIGGER "outbox_events_org_inserted" ON "outbox_events";\n`);
    const result = await check(schema, migrations);
    expect(result.code).toBe(1);
    expect(result.output).toMatch(
      /lists what the migrations do not create:\n.*CREATE TRIGGER outbox_events_org_inserted/,
    );
  },
  CHECK_TIMEOUT,
);

test(
  "when a migration changes a trigger's function, then the drift check fails naming the function",
  async () => {
    const { schema, migrations } = copyOfPrisma();
    addMigration(
      migrations,
      `CREATE OR REPLACE FUNCTION "sso_bridge_events_org_exists"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RETURN NULL; END $$;\n`,
    );
    const result = await check(schema, migrations);
    expect(result.code).toBe(1);
    expect(result.output).toMatch(
      /do not create:\n\s+function sso_bridge_events_org_exists\(\) returns trigger body md5/,
    );
    expect(result.output).toMatch(
      /does not list:\n\s+function sso_bridge_events_org_exists\(\) returns trigger body md5/,
    );
  },
  CHECK_TIMEOUT,
);

test(
  "when a migration adds a trigger or a storage option the list lacks, then the drift check fails naming it",
  async () => {
    const { schema, migrations } = copyOfPrisma();
    addMigration(
      migrations,
      `CREATE TRIGGER "groups_probe" AFTER DELETE ON "groups" FOR EACH STATEMENT EXECUTE FUNCTION "sso_bridge_credentials_changed"();
ALTER TABLE "groups" SET (fillfactor = 70);\n`,
    );
    const result = await check(schema, migrations);
    expect(result.code).toBe(1);
    expect(result.output).toContain("CREATE TRIGGER groups_probe");
    expect(result.output).toContain("storage groups fillfactor=70");
  },
  CHECK_TIMEOUT,
);
