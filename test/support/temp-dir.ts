// A fresh directory inside this run's temp folder (run.ts), which the global teardown removes
// with everything in it: the embedded databases that tests create are tens of MB each, and CI
// runs on a machine whose disk every run shares. Not removed per file: a server a test started
// may still be writing into its data directory until the file's own hooks have stopped it.
import { mkdirSync, mkdtempSync } from "node:fs";
import path from "node:path";
import { runDir } from "./run";

export function tempDir(prefix: string): string {
  mkdirSync(runDir(), { recursive: true });
  return mkdtempSync(path.join(runDir(), prefix));
}
