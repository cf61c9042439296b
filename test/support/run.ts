// Identity of one `npm test` run: a temp folder for the PGlite snapshot and a prefix for the
// PostgreSQL databases it creates (all dropped at the end).
import os from "node:os";
import path from "node:path";

export const runId = (): string => {
  process.env.SSO_TEST_RUN_ID ??= `ssob_t_${process.pid}_${Date.now().toString(36)}`;
  return process.env.SSO_TEST_RUN_ID;
};

export const runDir = (): string => path.join(os.tmpdir(), runId());
export const snapshotFile = (): string => path.join(runDir(), "pglite-migrated.tar");
export const templateDb = (): string => `${runId()}_tpl`;

export function adminUrl(database = "postgres"): string {
  const url = new URL(process.env.TEST_DATABASE_URL as string);
  url.pathname = `/${database}`;
  return url.toString();
}
