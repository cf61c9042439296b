// returnTo: where the browser lands after sign-in. Only paths on this host are accepted, so a
// sign-in link can never be turned into an open redirect (CWE-601).
import { AppError } from "../shared/errors";

const PROBE_ORIGIN = "http://return-to.invalid";

/** The value when it is a safe local path, else null. */
export function localPathOrNull(value: unknown): string | null {
  if (typeof value !== "string" || value.length === 0 || value.length > 2048) return null;
  // Why: "//evil.com" and "/\evil.com" are protocol-relative for browsers (which treat "\" as "/");
  // control characters and whitespace are stripped by browsers before parsing.
  if (!value.startsWith("/") || value.startsWith("//")) return null;
  if (/[\\\s]/.test(value) || [...value].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f))
    return null;
  let parsed: URL;
  try {
    parsed = new URL(value, PROBE_ORIGIN);
  } catch {
    return null;
  }
  // Why: resolution must stay on the same origin, whatever encoding tricks the value holds.
  if (parsed.origin !== PROBE_ORIGIN) return null;
  return `${parsed.pathname}${parsed.search}${parsed.hash}`;
}

/** GET /sso/{org}/login?returnTo=: default "/", a non-local value is refused (400 page). */
export function parseReturnTo(value: unknown): string {
  if (value === undefined || value === "") return "/";
  const path = localPathOrNull(value);
  if (!path) {
    throw new AppError("bad_request", "returnTo must be a path on this site, such as /settings", {
      extra: { reason: "invalid_return_to" },
    });
  }
  return path;
}
