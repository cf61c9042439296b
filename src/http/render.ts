// The three ways an error is shown, one per surface, all from AppError's code and status:
// problem+json (RFC 9457) for the admin API, the SCIM error schema (RFC 7644 3.12) for
// SCIM, and a readable HTML page with the request id for browsers.
import type { Response } from "express";
import { AppError, TITLES } from "../shared/errors";
import { scimTypeOf } from "../scim/scim-type";

export type ErrorFormat = "problem" | "scim" | "html";

export const PROBLEM_TYPE_BASE = "urn:sso-bridge:problem:";

export function sendProblem(res: Response, err: AppError): void {
  res
    .status(err.status)
    .type("application/problem+json")
    .json({
      type: `${PROBLEM_TYPE_BASE}${err.code}`,
      title: TITLES[err.code],
      status: err.status,
      detail: err.message,
      code: err.code,
      ...(err.errors ? { errors: err.errors } : {}),
      ...(err.extra ?? {}),
      requestId: res.locals.requestId,
    });
}

export function sendScimError(res: Response, err: AppError): void {
  const scimType = scimTypeOf(err);
  res
    .status(err.status)
    .type("application/scim+json")
    .json({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
      status: String(err.status),
      ...(scimType ? { scimType } : {}),
      detail: err.message,
    });
}

const escapeHtml = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );

/** A standalone page for people: what went wrong, what to do, and the id support will ask for. */
export function renderPage(opts: {
  title: string;
  message: string;
  requestId?: string;
  reason?: string;
}): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(opts.title)} · sso-bridge</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1f2933}
h1{font-size:1.5rem}code{background:#f0f4f8;padding:.1rem .3rem;border-radius:3px}.meta{color:#52606d;font-size:.9rem}</style>
</head><body><main><h1>${escapeHtml(opts.title)}</h1><p>${escapeHtml(opts.message)}</p>
${opts.reason ? `<p class="meta">Reason: <code>${escapeHtml(opts.reason)}</code></p>` : ""}
${opts.requestId ? `<p class="meta">Request id: <code>${escapeHtml(opts.requestId)}</code> — give it to your administrator.</p>` : ""}
</main></body></html>`;
}

export function sendHtmlError(res: Response, err: AppError): void {
  res
    .status(err.status)
    .type("text/html")
    .send(
      renderPage({
        title: TITLES[err.code],
        message: err.message,
        reason: typeof err.extra?.reason === "string" ? err.extra.reason : err.code,
        requestId: res.locals.requestId,
      }),
    );
}

export function sendError(res: Response, err: AppError, format: ErrorFormat): void {
  // RFC 6585 section 4: a 429 may say when to come back; the body carries the same number.
  if (typeof err.extra?.retryAfterSeconds === "number")
    res.set("Retry-After", String(err.extra.retryAfterSeconds));
  if (format === "scim") sendScimError(res, err);
  else if (format === "html") sendHtmlError(res, err);
  else sendProblem(res, err);
}
