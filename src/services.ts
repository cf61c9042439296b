// Builds every service once from the narrow dependencies each one needs. HTTP routes, SCIM,
// sign-in, the portal and the CLI all call these same functions.
import type { ReadyConfig } from "./config";
import type { Database } from "./db/client";
import type { Logger } from "./shared/logger";
import { createCipher, type Cipher } from "./shared/crypto";
import { createOrgsService } from "./orgs/orgs-service";
import { createCredentialsService } from "./credentials/credentials-service";
import { createSessionsService } from "./sessions/sessions-service";
import { createMailer } from "./mail/mailer";
import { createUsersService } from "./users/users-service";
import { createAuthService } from "./auth/auth-service";
import { createRolesService } from "./roles/roles-service";
import { createCredentialsCache } from "./credentials/verified-cache";
import type { ScimTokenRow } from "./credentials/scim-token-row";
import { createProtocolRegistry } from "./sso/registry";
import { createSsoConnectionsService } from "./sso/connections-service";
import { createScimUseCases } from "./scim/use-cases";
import { createCsrf } from "./http/csrf";
import { createWebhooksService } from "./webhooks/webhooks-service";
import { createRateLimits } from "./http/rate-limit";

export interface ServiceDeps {
  config: ReadyConfig;
  db: Database;
  logger: Logger;
  clock?: () => Date;
}

export function createServices({ config, db, logger, clock = () => new Date() }: ServiceDeps) {
  const cipher: Cipher = createCipher(config.secretKey);
  const sessions = createSessionsService({ db, ttlHours: config.sessionTtlHours, clock });
  // Verified SCIM tokens; the credentials service empties it when this process revokes one.
  const scimTokenCache = createCredentialsCache<ScimTokenRow>(db);
  const mail = createMailer({ db, cipher, logger, smtpUrl: config.smtpUrl, from: config.mailFrom, clock });
  const orgs = createOrgsService({ db });
  const ssoProtocols = createProtocolRegistry({ db, cipher, clock, sessions, orgs, config });
  return {
    config,
    db,
    logger,
    clock,
    cipher,
    // One instance: the portal's forms and /auth/login sign and check tokens with the same key.
    csrf: createCsrf(config.secretKey, { secureCookies: config.secureCookies }),
    scimBaseUrl: (slug: string) => `${config.baseUrl}/scim/v2/${slug}`,
    rateLimits: createRateLimits({ config, db, logger }),
    orgs,
    roles: createRolesService({ db }),
    scimTokenCache,
    credentials: createCredentialsService({
      db,
      clock,
      // Past the barrier's timeout another instance may accept the token until its cache hears.
      onScimTokenRevoked: async () => {
        if (!(await scimTokenCache.changed()))
          logger.warn("revocation not confirmed by every instance", { event: "credentials.settle_timeout" });
      },
    }),
    sessions,
    mail,
    users: createUsersService({
      db,
      sessions,
      mailer: mail,
      logger,
      baseUrl: config.baseUrl,
      production: config.env === "production",
      clock,
    }),
    auth: createAuthService({ db, sessions, cipher, baseUrl: config.baseUrl, clock }),
    ssoProtocols,
    ssoConnections: createSsoConnectionsService({ db, cipher, clock, protocols: ssoProtocols }),
    scim: createScimUseCases({ db }),
    webhooks: createWebhooksService({
      db,
      cipher,
      logger,
      clock,
      production: config.env === "production",
      allowPrivateUrls: config.webhookAllowPrivateUrls,
    }),
  };
}

export type Services = ReturnType<typeof createServices>;
