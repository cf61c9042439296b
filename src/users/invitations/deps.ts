// What the invitation use cases need, and what they do once their transaction committed:
// deliver the mails and, outside production without SMTP, print each link for the quickstart.
import type { Database } from "../../db/client";
import type { Mailer } from "../../mail/mailer";
import type { Logger } from "../../shared/logger";

export interface InvitationDeps {
  db: Pick<Database, "prisma">;
  mailer: Pick<Mailer, "enqueue" | "deliver" | "usesSmtp">;
  logger: Logger;
  baseUrl: string;
  /** Outside production the API answer carries each invitationUrl. */
  production: boolean;
  clock: () => Date;
}

export interface SentLink {
  email: string;
  url: string;
}

export async function afterCommit(deps: InvitationDeps, mailIds: string[], links: SentLink[]): Promise<void> {
  await deps.mailer.deliver(mailIds);
  if (deps.production || deps.mailer.usesSmtp) return;
  // Deliberately in the message text (the redacting logger would hide an invitationUrl key):
  // the quickstart needs the link on the console outside production when there is no SMTP.
  for (const link of links)
    deps.logger.info(`invitation link for ${link.email} (development only): ${link.url}`);
}
