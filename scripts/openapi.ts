// npm run openapi: writes docs/openapi.json from the admin API's route specs, formatted as
// prettier formats it (so lint passes). test/api/openapi-document.test.ts fails while the
// committed copy differs from what the code generates.
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { format, resolveConfig } from "prettier";
import { buildOpenApi } from "../src/api/openapi";

const target = resolve(__dirname, "../docs/openapi.json");

async function main(): Promise<void> {
  const options = (await resolveConfig(target)) ?? {};
  const text = await format(JSON.stringify(buildOpenApi()), { ...options, filepath: target });
  await writeFile(target, text);
  process.stdout.write(`wrote ${target}\n`);
}

void main();
