// Outgoing mail. A mail is first written to mail_outbox inside the transaction of the change
// that causes it (so it exists exactly when the change commits), then delivered after the
// commit: through SMTP_URL with nodemailer when set, otherwise it stays in the outbox and a
// log line says so. Bodies carry one-time links, so they are stored encrypted (AES-GCM).
import nodemailer, { type Transporter } from "nodemailer";
import type { Database, Db } from "../db/client";
import type { Cipher } from "../shared/crypto";
import type { Logger } from "../shared/logger";

export interface OutgoingMail {
  orgId: string;
  to: string;
  subject: string;
  text: string;
  html?: string;
}

export function createMailer({
  db,
  cipher,
  logger,
  smtpUrl,
  from,
  clock = () => new Date(),
}: {
  db: Pick<Database, "prisma">;
  cipher: Cipher;
  logger: Logger;
  smtpUrl?: string;
  from: string;
  clock?: () => Date;
}) {
  let transport: Transporter | null = null;
  const transportOf = (url: string): Transporter => (transport ??= nodemailer.createTransport(url));

  return {
    usesSmtp: smtpUrl !== undefined,

    /** Records the mail inside the caller's transaction; returns its outbox id for deliver(). */
    async enqueue(tx: Db, mail: OutgoingMail): Promise<string> {
      const row = await tx.mailOutbox.create({
        data: {
          orgId: mail.orgId,
          to: mail.to,
          subject: mail.subject,
          text: cipher.encrypt(mail.text),
          html: mail.html === undefined ? null : cipher.encrypt(mail.html),
        },
        select: { id: true },
      });
      return row.id;
    },

    /** After the commit: sends the mails through SMTP, or leaves them in the outbox. Never throws. */
    async deliver(ids: string[]): Promise<void> {
      for (const id of ids) {
        const row = await db.prisma.mailOutbox.findUnique({ where: { id } });
        if (!row || row.sentAt) continue;
        if (!smtpUrl) {
          logger.info("mail kept in the outbox (no SMTP_URL)", {
            mailId: id,
            to: row.to,
            subject: row.subject,
          });
          continue;
        }
        try {
          await transportOf(smtpUrl).sendMail({
            from,
            to: row.to,
            subject: row.subject,
            text: cipher.decrypt(row.text),
            ...(row.html ? { html: cipher.decrypt(row.html) } : {}),
          });
          await db.prisma.mailOutbox.update({ where: { id }, data: { sentAt: clock() } });
          logger.info("mail sent", { mailId: id, to: row.to, subject: row.subject });
        } catch (e) {
          // The change that caused the mail has committed; the row stays unsent for a later attempt.
          logger.warn("mail could not be sent; kept in the outbox", {
            mailId: id,
            to: row.to,
            error: e instanceof Error ? e.message : String(e),
          });
        }
      }
    },

    /** The readable body of an outbox row (for operators reading the outbox, and tests). */
    readText(row: { text: string }): string {
      return cipher.decrypt(row.text);
    },
  };
}

export type Mailer = ReturnType<typeof createMailer>;
