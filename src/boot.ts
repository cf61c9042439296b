// Shared start-up for the server and the CLI's local mode: configuration, logger, secret
// key, database, pending migrations, services.
import { loadConfig, type ReadyConfig } from "./config";
import { ensureSecretKey } from "./config/secret-key";
import { openDatabase, type Database } from "./db/client";
import { embeddedDatabaseExists, noEmbeddedDatabase, NoDatabaseError, restrictDataDir } from "./db/data-dir";
import { appliedMigrations, migrate } from "./db/migrate";
import { createLogger, type Logger } from "./shared/logger";
import { createServices, type Services } from "./services";

export interface Booted {
  config: ReadyConfig;
  logger: Logger;
  db: Database;
  services: Services;
  applied: string[];
}

export interface BootOptions {
  logger?: Logger;
  /**
   * Refuse a database that holds no sso-bridge tables instead of creating them: the CLI,
   * whose DATA_DIR or DATABASE_URL may not be the server's.
   */
  existingOnly?: boolean;
  /** Adjusts the configuration once the database is open (the CLI takes the server's BASE_URL). */
  configure?: (config: ReadyConfig, db: Database) => Promise<ReadyConfig>;
}

export async function boot(
  env: Record<string, string | undefined>,
  options: BootOptions = {},
): Promise<Booted> {
  const raw = loadConfig(env);
  const logger = options.logger ?? createLogger(raw.logLevel);
  if (!raw.databaseUrl) {
    if (options.existingOnly && !embeddedDatabaseExists(raw.dataDir)) throw noEmbeddedDatabase(raw.dataDir);
    restrictDataDir(raw.dataDir, (m) => logger.warn(m));
  }
  let config = ensureSecretKey(raw, (m) => logger.warn(m));
  const db = openDatabase(config, (e) =>
    logger.warn("database connection lost while idle", { error: e.message }),
  );
  try {
    const conn = await db.raw();
    let applied: string[];
    try {
      if (options.existingOnly && config.databaseUrl && (await appliedMigrations(conn)).length === 0)
        throw new NoDatabaseError(
          "no sso-bridge database at DATABASE_URL (it has no migrations applied): set DATABASE_URL to the server's, or run `sso-bridge migrate` to create the tables there",
        );
      applied = await migrate(conn);
    } finally {
      await conn.release();
    }
    if (applied.length) logger.info("migrations applied", { applied });
    if (options.configure) config = await options.configure(config, db);
    return { config, logger, db, services: createServices({ config, db, logger }), applied };
  } catch (e) {
    await db.close().catch(() => undefined);
    throw e;
  }
}
