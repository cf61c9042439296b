// What SSO code may use, named once. Each SSO file takes the slice it needs (Pick<SsoDeps, ...>),
// never the whole service set, so a file's signature says what it touches.
import type { ReadyConfig } from "../config";
import type { Database } from "../db/client";
import type { Cipher } from "../shared/crypto";
import type { SessionsService } from "../sessions/sessions-service";
import type { OrgsService } from "../orgs/orgs-service";

export interface SsoDeps {
  db: Database;
  cipher: Cipher;
  clock: () => Date;
  sessions: Pick<SessionsService, "create" | "prepare" | "resolve">;
  orgs: Pick<OrgsService, "findBySlug">;
  config: Pick<ReadyConfig, "baseUrl" | "secureCookies" | "ssoAllowPrivateUrls" | "env">;
}
