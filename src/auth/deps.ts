// What the sign-in use cases need, and the session they hand back to the route.
import type { Database } from "../db/client";
import type { SessionsService, SessionStage } from "../sessions/sessions-service";
import type { Cipher } from "../shared/crypto";
import type { Throttle } from "./throttle";

export interface AuthDeps {
  db: Pick<Database, "prisma">;
  sessions: Pick<SessionsService, "create" | "resolve" | "revoke">;
  cipher: Cipher;
  throttle: Throttle;
  baseUrl: string;
  clock: () => Date;
}

export interface SignedIn {
  cookieValue: string;
  expiresAt: Date;
  stage: SessionStage;
  userId: string;
}
