// The committed migrations must produce exactly what prisma/schema.prisma describes.
import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const tool = path.resolve("scripts/prisma-offline.mjs");

async function check(schema: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [tool, "check", schema, "prisma/migrations"], {
      cwd: path.resolve("."),
    });
    return { code: 0, output: stdout + stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, output: err.stdout + err.stderr };
  }
}

test("when the schema and the committed migrations agree, then the drift check passes", async () => {
  const result = await check("prisma/schema.prisma");
  expect(result.output).toContain("migrations match the schema");
  expect(result.code).toBe(0);
});

test("when the schema gains a column that no migration creates, then the drift check fails naming it", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "drift-"));
  const schema = path.join(dir, "schema.prisma");
  copyFileSync("prisma/schema.prisma", schema);
  const text = readFileSync(schema, "utf8").replace(
    "model Group {\n",
    "model Group {\n  driftProbe String?\n",
  );
  writeFileSync(
    schema,
    text.replace('output       = "../src/generated/prisma"', 'output = "' + path.join(dir, "gen") + '"'),
  );
  const result = await check(schema);
  expect(result.code).toBe(1);
  expect(result.output).toContain("driftProbe");
});
