// What a thrown value stands for as an AppError: our own, a zod refusal, a bad percent-encoding,
// a body parser's refusal. Every surface (admin API, SCIM, portal, CLI) starts here, so each kind
// of bad input is answered alike everywhere.
import { ZodError } from "zod";
import { AppError } from "./errors";
import { isDatabaseUnavailable } from "../db/unavailable";

/** zod's own message for a missing field ("Invalid input: expected string, received undefined"). */
const MISSING = /received undefined$/;

export function fromZod(error: ZodError): AppError {
  const errors = error.issues.map((i) => ({
    field: i.path.join(".") || "(body)",
    message: i.code === "invalid_type" && MISSING.test(i.message) ? "required" : i.message,
  }));
  return new AppError("validation_failed", errors.map((e) => `${e.field}: ${e.message}`).join("; "), {
    errors,
  });
}

/** body-parser errors carry a `type`; map them to our codes. */
function fromBodyParser(err: { type?: string; status?: number; message?: string }): AppError | null {
  switch (err.type) {
    case "entity.parse.failed":
      return new AppError("invalid_json", "the request body is not valid JSON");
    case "entity.too.large":
      return new AppError("payload_too_large", "the request body is too large");
    case "charset.unsupported":
    case "encoding.unsupported":
      return new AppError("unsupported_media_type", err.message ?? "unsupported body encoding");
    case "entity.nul":
      return new AppError("validation_failed", "(body): holds a NUL character (\\u0000)", {
        errors: [{ field: "(body)", message: "holds a NUL character (\\u0000)" }],
        scimType: "invalidValue",
      });
    case "request.aborted":
    case "request.size.invalid":
      return new AppError("bad_request", "the request body was incomplete");
    default:
      return null;
  }
}

/**
 * The AppError a thrown value stands for: our own, a zod refusal, a bad percent-encoding in a
 * path parameter, a body parser's refusal; null for anything else (a bug). Every surface's
 * error handler starts here, so each kind of bad input is answered alike everywhere.
 */
export function knownError(err: unknown): AppError | null {
  if (err instanceof AppError) return err;
  if (err instanceof ZodError) return fromZod(err);
  // The router's decodeURIComponent of a path parameter (`/Users/%E0%A4%A`).
  if (err instanceof URIError)
    return new AppError("bad_request", "the path holds an invalid percent-encoding", {
      scimType: "invalidValue",
    });
  if (isDatabaseUnavailable(err)) return databaseUnavailable(err);
  if (err && typeof err === "object") return fromBodyParser(err as { type?: string });
  return null;
}

/** Seconds a client is asked to wait when the database cannot be reached. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** The 503 for a database that cannot be reached now: the client retries, nothing is a bug. */
export const databaseUnavailable = (cause?: unknown): AppError =>
  new AppError("unavailable", "the database cannot be reached right now: try again in a few seconds", {
    cause,
    extra: { retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS },
  });
