// The real app over a real database of the test file's own, with log lines captured so
// tests can assert on them (request ids, redaction). Call close() in afterAll.
import { Writable } from "node:stream";
import type { Express } from "express";
import { loadConfig, type ReadyConfig } from "../../src/config";
import type { Database } from "../../src/db/client";
import { createApp } from "../../src/http/app";
import { createLogger } from "../../src/shared/logger";
import { createServices, type Services } from "../../src/services";
import { openTestDatabase } from "./db";
import { createGiven, type Given } from "./given";

export const TEST_SECRET_KEY = "test-secret-key-0123456789abcdefghijklmnop";

export interface TestApp {
  app: Express;
  services: Services;
  db: Database;
  config: ReadyConfig;
  given: Given;
  /** Every log line written so far, as parsed JSON objects (and raw text in `rawLogs`). */
  logs: Record<string, unknown>[];
  rawLogs: string[];
  close(): Promise<void>;
}

export async function createTestApp(
  env: Record<string, string> = {},
  options: { clock?: () => Date; db?: Database; checkEventRows?: boolean } = {},
): Promise<TestApp> {
  const config = loadConfig({
    NODE_ENV: "test",
    SECRET_KEY: TEST_SECRET_KEY,
    BASE_URL: "http://sso.test",
    LOG_LEVEL: "http",
    DATA_DIR: "/tmp/sso-bridge-test-unused",
    // The test IdPs listen on 127.0.0.1; tests of the address rule pass "false".
    SSO_ALLOW_PRIVATE_URLS: "true",
    ...env,
  }) as ReadyConfig;
  const rawLogs: string[] = [];
  const logs: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      const line = chunk.toString("utf8");
      rawLogs.push(line);
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        /* not JSON */
      }
      cb();
    },
  });
  const logger = createLogger(config.logLevel, { stream });
  const db = options.db ?? (await openTestDatabase({ checkEventRows: options.checkEventRows }));
  const services = createServices({ config, db, logger, clock: options.clock });
  const app = createApp(services);
  return {
    app,
    services,
    db,
    config,
    given: createGiven(services),
    logs,
    rawLogs,
    close: async () => {
      await services.rateLimits.close();
      await db.close();
    },
  };
}
