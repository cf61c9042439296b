// Shared start-up for the server and the CLI's local mode: configuration, logger, secret
// key, database, pending migrations, services.
import { loadConfig, type ReadyConfig } from "./config";
import { ensureSecretKey } from "./config/secret-key";
import { openDatabase, type Database } from "./db/client";
import { migrate } from "./db/migrate";
import { createLogger, type Logger } from "./shared/logger";
import { createServices, type Services } from "./services";

export interface Booted {
  config: ReadyConfig;
  logger: Logger;
  db: Database;
  services: Services;
  applied: string[];
}

export async function boot(
  env: Record<string, string | undefined>,
  options: { logger?: Logger } = {},
): Promise<Booted> {
  const raw = loadConfig(env);
  const logger = options.logger ?? createLogger(raw.logLevel);
  const config = ensureSecretKey(raw, (m) => logger.warn(m));
  const db = openDatabase(config, (e) =>
    logger.warn("database connection lost while idle", { error: e.message }),
  );
  try {
    const conn = await db.raw();
    let applied: string[];
    try {
      applied = await migrate(conn);
    } finally {
      await conn.release();
    }
    if (applied.length) logger.info("migrations applied", { applied });
    return { config, logger, db, services: createServices({ config, db, logger }), applied };
  } catch (e) {
    await db.close().catch(() => undefined);
    throw e;
  }
}
