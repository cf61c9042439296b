// Redaction of secrets from anything that may reach a log line. Keys are matched
// case-insensitively; values of matching keys are replaced whatever their type.
const SECRET_KEYS = new Set(
  [
    "authorization",
    "cookie",
    "set-cookie",
    "password",
    "currentpassword",
    "newpassword",
    "token",
    "accesstoken",
    "access_token",
    "idtoken",
    "id_token",
    "refreshtoken",
    "refresh_token",
    "secret",
    "clientsecret",
    "client_secret",
    "samlresponse",
    "samlrequest",
    "assertion",
    "code",
    "code_verifier",
    "codeverifier",
    "totp",
    "totpsecret",
    "key",
    "apikey",
    "privatekey",
    "secrethash",
    "passwordhash",
    "invitationurl",
    "url_with_token",
    "_csrf",
    "x-csrf-token",
  ].map((k) => k.toLowerCase()),
);

export const REDACTED = "[redacted]";

export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(key.toLowerCase());
}

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== "object") return value;
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = isSecretKey(k) ? REDACTED : redact(v, depth + 1);
  return out;
}

/** Paths that carry a one-time secret in a segment (invitation and break-glass links). */
const SECRET_PATH = /^(\/auth\/(?:invitations|recover)\/)[^/]+/;

/** A request path fit for a log line: the secret segment of a link path becomes ":token". */
export const redactPath = (path: string): string => path.replace(SECRET_PATH, "$1:token");
