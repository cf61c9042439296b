// The one error handler. Known refusals (AppError, zod, body-parser) become the surface's
// own error format; anything else is a bug: logged with its stack, answered as a generic 500
// that names only the request id.
import type { ErrorRequestHandler, RequestHandler } from "express";
import { ZodError } from "zod";
import { AppError } from "../shared/errors";
import type { Logger } from "../shared/logger";
import { sendError, type ErrorFormat } from "./render";

export function fromZod(error: ZodError): AppError {
  const errors = error.issues.map((i) => ({ field: i.path.join(".") || "(body)", message: i.message }));
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
    case "request.aborted":
    case "request.size.invalid":
      return new AppError("bad_request", "the request body was incomplete");
    default:
      return null;
  }
}

/** The AppError a thrown value is answered as, or null for a bug (answered as a generic 500). */
export function knownError(err: unknown): AppError | null {
  if (err instanceof AppError) return err;
  if (err instanceof ZodError) return fromZod(err);
  if (err && typeof err === "object") return fromBodyParser(err as { type?: string });
  return null;
}

export const formatOf = (locals: Record<string, unknown>): ErrorFormat =>
  (locals.errorFormat as ErrorFormat | undefined) ?? "problem";

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    // A handler that already answered (scimmy-routers does, then forwards) must not answer twice.
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
    sendError(res, appError, formatOf(res.locals));
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
