// The webhooks capability as the composition root builds it: the endpoints service, the test
// event, the attempts list, and a factory for workers (the server's and `sso-bridge worker`'s).
import type { Database } from "../db/client";
import type { Cipher } from "../shared/crypto";
import { createGuardedFetch } from "../shared/guarded-fetch";
import type { Logger } from "../shared/logger";
import { createEndpointsService } from "./endpoints-service";
import { PRIVATE_URLS_SETTING } from "./destination";
import { listAttempts } from "./list-attempts";
import { sendTestEvent } from "./test-event";
import { createWebhookWorker, DEFAULT_WORKER_OPTIONS, type WorkerOptions } from "./worker";

export interface WebhooksDeps {
  db: Database;
  cipher: Cipher;
  logger: Logger;
  clock: () => Date;
  production: boolean;
  allowPrivateUrls: boolean;
}

export function createWebhooksService({
  db,
  cipher,
  logger,
  clock,
  production,
  allowPrivateUrls,
}: WebhooksDeps) {
  const fetch = createGuardedFetch({ allowPrivate: allowPrivateUrls, setting: PRIVATE_URLS_SETTING });
  return {
    endpoints: createEndpointsService({
      db,
      cipher,
      clock,
      destination: { production, allowPrivate: allowPrivateUrls },
    }),
    sendTest: (org: { id: string; slug: string }, endpointId: string) =>
      sendTestEvent(
        { db, cipher, fetch, clock, timeoutMs: DEFAULT_WORKER_OPTIONS.timeoutMs },
        org,
        endpointId,
      ),
    listAttempts: (orgId: string, endpointId: string, query: { cursor?: string; limit: number }) =>
      listAttempts(db, orgId, endpointId, query),
    createWorker: (options: Partial<WorkerOptions> = {}) =>
      createWebhookWorker({ db, cipher, fetch, logger, clock }, options),
  };
}

export type WebhooksService = ReturnType<typeof createWebhooksService>;
