// The invitation mail: who invited whom to which organization, the set-password link and
// when it stops working. Plain text and a minimal HTML part with the same content.
import type { OutgoingMail } from "../../mail/mailer";

const escapeHtml = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );

export function invitationMail(input: {
  orgId: string;
  orgName: string;
  to: string;
  firstName?: string | null;
  url: string;
  expiresAt: Date;
  invitedBy?: string;
}): OutgoingMail {
  const greeting = input.firstName ? `Hello ${input.firstName},` : "Hello,";
  const by = input.invitedBy ? ` by ${input.invitedBy}` : "";
  const expires = input.expiresAt.toISOString().replace("T", " ").slice(0, 16) + " UTC";
  const text = [
    greeting,
    "",
    `You have been invited${by} to ${input.orgName}.`,
    "Choose your password here to activate your account:",
    "",
    input.url,
    "",
    `The link works once and expires on ${expires}. If you did not expect this invitation, ignore this mail.`,
  ].join("\n");
  const html = `<p>${escapeHtml(greeting)}</p><p>You have been invited${escapeHtml(by)} to <b>${escapeHtml(
    input.orgName,
  )}</b>. Choose your password to activate your account:</p><p><a href="${escapeHtml(input.url)}">${escapeHtml(
    input.url,
  )}</a></p><p>The link works once and expires on ${escapeHtml(expires)}.</p>`;
  return {
    orgId: input.orgId,
    to: input.to,
    subject: `You are invited to ${input.orgName}`,
    text,
    html,
  };
}
