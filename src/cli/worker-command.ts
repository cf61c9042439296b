// `sso-bridge worker`: delivers webhooks until SIGTERM or SIGINT, beside or instead of the
// servers' own workers (WEBHOOK_WORKER=false), on the server's database. With the embedded
// database only one process can open it: while a server runs on DATA_DIR that server delivers,
// and the command says so instead of waiting.
import { boot } from "../boot";
import { loadConfig } from "../config";
import { createLogger } from "../shared/logger";
import { acquireDataDirLock, dataDirLockHeld } from "./data-dir-lock";

export async function runWorkerCommand(
  env: NodeJS.ProcessEnv,
  signals: NodeJS.EventEmitter = process,
): Promise<number> {
  const config = loadConfig(env);
  const logger = createLogger(config.logLevel, { stream: process.stderr });
  if (!config.databaseUrl && dataDirLockHeld(config.dataDir)) {
    process.stderr.write(
      `sso-bridge: a server runs on ${config.dataDir} and delivers webhooks itself (the embedded database has one process at a time)\n`,
    );
    return 1;
  }
  const release = config.databaseUrl ? () => undefined : acquireDataDirLock(config.dataDir);
  try {
    const booted = await boot(env, { logger, existingOnly: true });
    const worker = booted.services.webhooks.createWorker();
    worker.start();
    logger.info("webhook worker started", { database: booted.db.kind });
    const signal = await new Promise<string>((resolve) => {
      for (const s of ["SIGTERM", "SIGINT"]) signals.once(s, () => resolve(s));
    });
    logger.info("webhook worker stopping", { signal });
    await worker.stop();
    await booted.db.close();
    return 0;
  } finally {
    release();
  }
}
