// One HTTP attempt: POST the signed envelope, wait at most `timeoutMs`, follow no redirect, and
// describe what happened without anything that could leak the secret or other tenants' data.
import { AddressRefused, type GuardedFetch } from "../shared/guarded-fetch";
import { signedHeaders } from "./signing";

const EXCERPT_CHARS = 500;

export interface Message {
  id: string;
  body: string;
  /** Current secret first, then the previous one while it still signs. */
  secrets: string[];
}

export interface SendResult {
  ok: boolean;
  status: number | null;
  latencyMs: number;
  excerpt: string | null;
  error: string | null;
  retryAfter: string | null;
  /** Aborted by the caller (the worker stopping), not by the timeout: nothing to record. */
  abandoned: boolean;
}

export interface SendDeps {
  fetch: GuardedFetch;
  clock: () => Date;
  timeoutMs: number;
}

export async function sendMessage(
  deps: SendDeps,
  url: string,
  message: Message,
  stop?: AbortSignal,
): Promise<SendResult> {
  const started = performance.now();
  const timeout = AbortSignal.timeout(deps.timeoutMs);
  const signal = stop ? AbortSignal.any([stop, timeout]) : timeout;
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const res = await deps.fetch(url, {
      method: "POST",
      headers: {
        ...signedHeaders(message.secrets, message.id, deps.clock(), message.body),
        "user-agent": "sso-bridge-webhooks/1",
      },
      body: message.body,
      signal,
    });
    const text = await res.text().catch(() => "");
    const ok = res.status >= 200 && res.status < 300;
    return {
      ok,
      status: res.status,
      latencyMs: elapsed(),
      excerpt: text ? text.slice(0, EXCERPT_CHARS) : null,
      error: ok ? null : res.status >= 300 && res.status < 400 ? "redirects are not followed" : null,
      retryAfter: res.headers.get("retry-after"),
      abandoned: false,
    };
  } catch (e) {
    const abandoned = !!stop?.aborted;
    const error = timeout.aborted
      ? `no answer within ${deps.timeoutMs / 1000} s`
      : e instanceof AddressRefused
        ? e.message
        : `could not get an answer from ${new URL(url).host}`;
    return {
      ok: false,
      status: null,
      latencyMs: elapsed(),
      excerpt: null,
      error,
      retryAfter: null,
      abandoned,
    };
  }
}
