// The one error handler. Known refusals (AppError, zod, body-parser) become the surface's
// own error format; anything else is a bug: logged with its stack, answered as a generic 500
// that names only the request id.
import type { ErrorRequestHandler, Request, RequestHandler } from "express";
import { ZodError } from "zod";
import { AppError } from "../shared/errors";
import type { Logger } from "../shared/logger";
import { sendError, type ErrorFormat } from "./render";

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
  if (err && typeof err === "object") return fromBodyParser(err as { type?: string });
  return null;
}

// Paths of the machine surfaces; every other path is the portal's, where a browser gets a page.
const MACHINE_PATHS = /^\/(api|scim|healthz|readyz|metrics)(\/|$)/i;

/** The surface's format when no router chose one: a page for a browser on a portal path. */
export const formatOf = (locals: Record<string, unknown>, req?: Request): ErrorFormat => {
  const set = locals.errorFormat as ErrorFormat | undefined;
  if (set) return set;
  const browser =
    req !== undefined && !MACHINE_PATHS.test(req.path) && req.accepts(["json", "html"]) === "html";
  return browser ? "html" : "problem";
};

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    // A handler that already answered (a stream cut mid-answer, say) must not answer twice.
    if (res.headersSent) {
      if (!(err instanceof AppError))
        logger.error("error after response was sent", { error: err, path: req.path });
      return;
    }
    let appError = knownError(err);
    if (!appError) {
      logger.error("unhandled error", { error: err, method: req.method, path: req.path });
      appError = new AppError(
        "internal",
        "an unexpected error occurred; the request id identifies it in the logs",
      );
    } else if (appError.status >= 500) {
      logger.error("service error", {
        errorCode: appError.code,
        message: appError.message,
        cause: appError.cause,
      });
    }
    sendError(res, appError, formatOf(res.locals, req));
    void next;
  };
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new AppError("not_found", `no route for ${req.method} ${req.path}`));
};

/** Marks a subtree's errors as SCIM or HTML; must run before the body parsers. */
export const errorFormat =
  (format: ErrorFormat): RequestHandler =>
  (_req, res, next) => {
    res.locals.errorFormat = format;
    next();
  };
