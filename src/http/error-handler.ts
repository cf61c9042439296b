// The one error handler. Known refusals (AppError, zod, body-parser) become the surface's
// own error format; anything else is a bug: logged with its stack, answered as a generic 500
// that names only the request id.
import type { ErrorRequestHandler, Request, RequestHandler } from "express";
import { AppError } from "../shared/errors";
import { knownError } from "../shared/known-error";
import type { Logger } from "../shared/logger";
import { sendError, type ErrorFormat } from "./render";

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
