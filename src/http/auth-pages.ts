// The two pages a person reaches from a link: set a password (invitation) and confirm a
// break-glass sign-in. Links are opened by GET, which only shows a form: mail scanners that
// prefetch links must not spend a one-time link, so spending it takes the form's POST.
import { CSRF_FIELD } from "./csrf";

const escapeHtml = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );

const csrfField = (token: string): string =>
  `<input type="hidden" name="${CSRF_FIELD}" value="${escapeHtml(token)}">`;

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)} · sso-bridge</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1f2933}
h1{font-size:1.5rem}label{display:block;margin:.75rem 0 .25rem}input{width:100%;padding:.5rem;font:inherit}
button{margin-top:1rem;padding:.5rem 1rem;font:inherit}.meta{color:#52606d;font-size:.9rem}</style>
</head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
}

export function invitationPage(input: {
  orgName: string;
  email: string;
  action: string;
  expiresAt: Date;
  csrfToken: string;
}): string {
  return layout(
    `Join ${input.orgName}`,
    `<p>Choose a password for <b>${escapeHtml(input.email)}</b> (at least 12 characters).</p>
<form method="post" action="${escapeHtml(input.action)}">${csrfField(input.csrfToken)}
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="new-password" minlength="12" required>
<button type="submit">Activate my account</button></form>
<p class="meta">This link expires on ${escapeHtml(input.expiresAt.toISOString().slice(0, 16).replace("T", " "))} UTC.</p>`,
  );
}

export function recoveryPage(input: { action: string; expiresAt: Date; csrfToken: string }): string {
  return layout(
    "Break-glass sign-in",
    `<p>This one-time link signs you in as an Admin, even while SSO is enforced. The sign-in is recorded in the audit log.</p>
<form method="post" action="${escapeHtml(input.action)}">${csrfField(input.csrfToken)}<button type="submit">Sign in</button></form>
<p class="meta">The link expires on ${escapeHtml(input.expiresAt.toISOString().slice(0, 19).replace("T", " "))} UTC.</p>`,
  );
}
