// DATA_DIR holds the embedded database (its WAL carries password hashes), the generated
// secret key, the CLI's control socket and lock: only its owner may read it. A database is
// created there on purpose (the server's start, `sso-bridge migrate`), never because a
// command ran in another directory.
import { chmodSync, existsSync, mkdirSync, statSync } from "node:fs";
import path from "node:path";

export const pgliteDir = (dataDir: string): string => path.join(dataDir, "pglite");

/** True when DATA_DIR holds an embedded database (PostgreSQL writes PG_VERSION at initdb). */
export const embeddedDatabaseExists = (dataDir: string): boolean =>
  existsSync(path.join(pgliteDir(dataDir), "PG_VERSION"));

/** The CLI was pointed at a place that holds no sso-bridge database. */
export class NoDatabaseError extends Error {
  override name = "NoDatabaseError";
  readonly code = "no_database";
}

export const noEmbeddedDatabase = (dataDir: string) =>
  new NoDatabaseError(
    `no database at ${dataDir}: set DATA_DIR to the server's data directory, or DATABASE_URL (\`sso-bridge migrate\` creates a new one here)`,
  );

/** Creates `dir` (and missing parents) readable by its owner only. */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/**
 * Takes group and other permissions off DATA_DIR and its database directory when an earlier
 * version (or a `mkdir`) left them readable, saying so.
 */
export function restrictDataDir(dataDir: string, warn: (message: string) => void): void {
  for (const dir of [dataDir, pgliteDir(dataDir)]) {
    if (!existsSync(dir)) continue;
    const mode = statSync(dir).mode & 0o777;
    if ((mode & 0o077) === 0) continue;
    chmodSync(dir, 0o700);
    warn(`${dir} was readable by other users (mode ${mode.toString(8)}): changed it to 700`);
  }
}
