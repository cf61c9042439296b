// winston JSON logger. Every line carries the request id of the call chain it was written
// in, and secrets are redacted by key before formatting (see redact.ts): no token,
// password, code or SAML body may appear in a log line.
import winston from "winston";
import { currentRequestId } from "./request-context";
import { redact, isSecretKey, REDACTED } from "./redact";

export type Logger = winston.Logger;

const redactFormat = winston.format((info) => {
  for (const key of Object.keys(info)) {
    if (isSecretKey(key)) info[key] = REDACTED;
    else if (key !== "level" && key !== "message") info[key] = redact(info[key]);
  }
  const requestId = currentRequestId();
  if (requestId && info.requestId === undefined) info.requestId = requestId;
  return info;
});

export function createLogger(
  level: string,
  options: { silent?: boolean; stream?: NodeJS.WritableStream } = {},
): Logger {
  const transport = options.stream
    ? new winston.transports.Stream({ stream: options.stream })
    : new winston.transports.Console({ stderrLevels: ["error", "warn"] });
  return winston.createLogger({
    level,
    silent: options.silent,
    format: winston.format.combine(redactFormat(), winston.format.timestamp(), winston.format.json()),
    transports: [transport],
  });
}
