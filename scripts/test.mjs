// `npm test`: jest once per database project (PGlite, then PostgreSQL when TEST_DATABASE_URL is
// set), each with workers of its own. A jest worker keeps the WebAssembly memory of every PGlite
// it opened until it exits, and jest replaces workers by their JavaScript heap only, so one run
// of both projects grew its workers until the kernel killed one. Arguments pass through
// (`npm test -- test/scim`); an explicit --selectProjects runs jest once, as asked.
import { spawnSync } from "node:child_process";

const args = process.argv.slice(2);
const jest = (extra) =>
  spawnSync(
    process.execPath,
    ["--experimental-vm-modules", "node_modules/jest/bin/jest.js", ...args, ...extra],
    {
      stdio: "inherit",
    },
  ).status ?? 1;

const projects =
  process.env.TEST_DATABASE_URL && !args.some((a) => a.startsWith("--selectProjects"))
    ? ["pglite", "postgres"]
    : [null];

let failed = 0;
for (const project of projects) {
  // A path given to `npm test` may hold only tests that run once (test/unit: PGlite only).
  // --selectProjects takes every word after it: it goes last.
  const extra = project === "postgres" ? ["--passWithNoTests"] : [];
  if (jest(project ? [...extra, "--selectProjects", project] : []) !== 0) failed = 1;
}
process.exit(failed);
