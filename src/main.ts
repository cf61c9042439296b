// Composition root: config -> logger -> port check -> database (+ migrations) -> services ->
// HTTP app -> listen. On SIGTERM/SIGINT: stop accepting, let in-flight requests finish, close
// the database.
import { createServer, type Server } from "node:http";
import type { AddressInfo, Server as NetServer } from "node:net";
import { boot } from "./boot";
import { createApp } from "./http/app";
import { ConfigError, loadConfig } from "./config";
import { serveControlSocket } from "./cli/control-socket";
import { acquireDataDirLock } from "./cli/data-dir-lock";
import { startEmbeddedAutovacuum } from "./db/embedded-autovacuum";
import { recordInstanceSettings } from "./db/instance-settings";
import { listen, assertPortFree, ListenError } from "./http/listen";
import { pruneOutbox } from "./events/feed";
import { resumeRoleSweeps, stopRoleSweeps } from "./roles/sweep";

const SHUTDOWN_GRACE_MS = 10_000;
// Sign-in counters whose window has passed are deleted this often (any instance may do it).
const THROTTLE_PURGE_MS = 10 * 60_000;
// Above the idle timeouts of common load balancers (AWS ALB and GCP default to 60 s): a
// balancer reusing a connection the server has just closed answers its client 502.
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;
// Node requires headersTimeout above keepAliveTimeout, or it can cut a reused connection
// while the next request's headers arrive.
export const HEADERS_TIMEOUT_MS = 66_000;

export async function start(env: NodeJS.ProcessEnv = process.env) {
  // Fail fast with one line on bad configuration or a taken port, before touching anything.
  const config = loadConfig(env);
  await assertPortFree(config.port, config.host);
  const releaseLock = config.databaseUrl ? () => undefined : acquireDataDirLock(config.dataDir);
  const booted = await boot(env).catch((e: unknown) => {
    releaseLock();
    throw e;
  });
  const { services, logger, db } = booted;
  const server: Server = createServer(createApp(services));
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  try {
    // What the CLI prints (scimBaseUrl, invitation and recovery links) is this server's.
    await recordInstanceSettings(db, booted.config.baseUrl);
    // The port may have been taken while migrations ran.
    await listen(server, config.port, config.host);
  } catch (e) {
    await db.close().catch(() => undefined);
    releaseLock();
    throw e;
  }
  const control: NetServer | null = config.databaseUrl
    ? null
    : await serveControlSocket(services, config.dataDir, logger);
  const stopAutovacuum =
    db.kind === "pglite"
      ? startEmbeddedAutovacuum(db, (e) => logger.warn("embedded autovacuum failed", { error: e.message }))
      : async () => undefined;
  // Embedded: the whole-org role changes a stopped server left halfway finish while it answers.
  const resumed =
    db.kind === "pglite"
      ? resumeRoleSweeps(db).then(
          (n) => n > 0 && logger.info("role sweeps resumed and finished", { organizations: n }),
          (e: Error) => logger.error("role sweep resume failed", { error: e.message }),
        )
      : Promise.resolve();
  const purgeTimer = setInterval(() => {
    services.auth
      .purgeExpiredAttempts()
      .catch((e: Error) => logger.warn("sign-in throttle purge failed", { error: e.message }));
    pruneOutbox(db.prisma, new Date()).catch((e: Error) =>
      logger.warn("outbox prune failed", { error: e.message }),
    );
  }, THROTTLE_PURGE_MS);
  purgeTimer.unref();
  const webhookWorker = booted.config.webhookWorker ? services.webhooks.createWorker() : null;
  webhookWorker?.start();
  const { address, port } = server.address() as AddressInfo;
  logger.info("sso-bridge listening", {
    address,
    port,
    baseUrl: booted.config.baseUrl,
    database: db.kind,
  });

  let stopping: Promise<void> | null = null;
  const stop = (signal: string): Promise<void> =>
    (stopping ??= (async () => {
      logger.info("shutting down", { signal });
      clearInterval(purgeTimer);
      control?.close();
      // Before the server closes: a request awaiting a sweep answers 503 after its current chunk.
      if (db.kind === "pglite") await stopRoleSweeps(db);
      await resumed;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
      await closed;
      clearTimeout(timer);
      // Deliveries in flight are given back unsent; the next worker sends them (at least once).
      await webhookWorker?.stop();
      await stopAutovacuum();
      await services.rateLimits.close();
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
        e instanceof ConfigError || e instanceof ListenError
          ? e.message
          : `failed to start: ${e instanceof Error ? e.message : String(e)}`;
      process.stderr.write(`sso-bridge: ${message}\n`);
      process.exit(1);
    },
  );
}
