// Builds every service once from the narrow dependencies each one needs. HTTP routes, SCIM,
// sign-in, the portal and the CLI all call these same functions.
import type { ReadyConfig } from "./config";
import type { Database } from "./db/client";
import type { Logger } from "./shared/logger";
import { createCipher, type Cipher } from "./shared/crypto";
import { createOrgsService } from "./orgs/orgs-service";
import { createCredentialsService } from "./credentials/credentials-service";
import { createSessionsService } from "./sessions/sessions-service";
import { createRolesService } from "./roles/roles-service";

export interface ServiceDeps {
  config: ReadyConfig;
  db: Database;
  logger: Logger;
  clock?: () => Date;
}

export function createServices({ config, db, logger, clock = () => new Date() }: ServiceDeps) {
  const cipher: Cipher = createCipher(config.secretKey);
  return {
    config,
    db,
    logger,
    clock,
    cipher,
    scimBaseUrl: (slug: string) => `${config.baseUrl}/scim/v2/${slug}`,
    orgs: createOrgsService({ db }),
    roles: createRolesService({ db }),
    credentials: createCredentialsService({ db, clock }),
    sessions: createSessionsService({ db, ttlHours: config.sessionTtlHours, clock }),
  };
}

export type Services = ReturnType<typeof createServices>;
