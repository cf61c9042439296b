// Composition root: config -> logger -> database (+ migrations) -> services -> HTTP app ->
// listen. On SIGTERM/SIGINT: stop accepting, let in-flight requests finish, close the database.
import type { Server } from "node:http";
import type { AddressInfo, Server as NetServer } from "node:net";
import { boot } from "./boot";
import { createApp } from "./http/app";
import { ConfigError, loadConfig } from "./config";
import { serveControlSocket } from "./cli/control-socket";
import { acquireDataDirLock } from "./cli/data-dir-lock";
import { startEmbeddedAutovacuum } from "./db/embedded-autovacuum";

const SHUTDOWN_GRACE_MS = 10_000;

export async function start(env: NodeJS.ProcessEnv = process.env) {
  // Fail fast with one line on bad configuration, before touching anything.
  const config = loadConfig(env);
  const releaseLock = config.databaseUrl ? () => undefined : acquireDataDirLock(config.dataDir);
  const booted = await boot(env).catch((e: unknown) => {
    releaseLock();
    throw e;
  });
  const { services, logger, db } = booted;
  const app = createApp(services);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(booted.config.port, () => resolve(s));
  });
  const control: NetServer | null = config.databaseUrl
    ? null
    : await serveControlSocket(services, config.dataDir, logger);
  const stopAutovacuum =
    db.kind === "pglite"
      ? startEmbeddedAutovacuum(db, (e) => logger.warn("embedded autovacuum failed", { error: e.message }))
      : async () => undefined;
  const { port } = server.address() as AddressInfo;
  logger.info("sso-bridge listening", {
    port,
    baseUrl: booted.config.baseUrl,
    database: db.kind,
  });

  let stopping: Promise<void> | null = null;
  const stop = (signal: string): Promise<void> =>
    (stopping ??= (async () => {
      logger.info("shutting down", { signal });
      control?.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
      await closed;
      clearTimeout(timer);
      await stopAutovacuum();
      await db.close();
      releaseLock();
      logger.info("stopped");
    })());
  return { server, stop, services };
}

if (require.main === module) {
  start().then(
    ({ stop }) => {
      for (const signal of ["SIGTERM", "SIGINT"] as const) {
        process.once(signal, () => {
          stop(signal).then(
            () => process.exit(0),
            () => process.exit(1),
          );
        });
      }
    },
    (e: unknown) => {
      // One line naming what is wrong, then exit 1.
      const message =
        e instanceof ConfigError
          ? e.message
          : `failed to start: ${e instanceof Error ? e.message : String(e)}`;
      process.stderr.write(`sso-bridge: ${message}\n`);
      process.exit(1);
    },
  );
}
