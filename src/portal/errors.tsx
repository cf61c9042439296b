// The portal's error pages: what happened, what to do next, and the request id. A browser
// never gets JSON from a portal URL; a person who is not signed in is sent to sign in and
// brought back afterwards.
import type { ErrorRequestHandler, Request, RequestHandler, Response } from "express";
import { AppError } from "../shared/errors";
import type { Logger } from "../shared/logger";
import { knownError } from "../shared/known-error";
import { page } from "./page";
import type { View } from "./view";
import { isAdmin } from "./view";

interface ErrorCopy {
  title: string;
  /** What to do next: our own markup, never user text. */
  safeNext: JSX.Element;
}

function copyFor(err: AppError, view: View): ErrorCopy {
  const home = view.viewer ? (isAdmin(view.viewer) ? "/" : "/profile") : "/login";
  const back = <a href={home}>Go back to the portal</a>;
  switch (err.code) {
    case "not_found":
      return { title: "Page not found", safeNext: <>Check the address, or {back}.</> };
    case "forbidden":
      return {
        title: "You don't have access to this page",
        safeNext: (
          <>
            Your role ({view.viewer?.role ?? "none"}) does not allow it. Ask an Admin of your organization if
            you need access, or <a href={home}>go to your own page</a>.
          </>
        ),
      };
    case "csrf_failed":
      return {
        title: "This form has expired",
        safeNext: <>Go back, reload the page and submit the form again. Nothing was changed.</>,
      };
    case "internal":
      return {
        title: "Something went wrong on our side",
        safeNext: (
          <>Try again in a moment. If it keeps happening, give the request id below to your administrator.</>
        ),
      };
    default:
      return {
        title: "This request could not be completed",
        safeNext: <>Go back and try again, or {back}.</>,
      };
  }
}

export async function sendPortalError(res: Response, err: AppError, view: View): Promise<void> {
  const copy = copyFor(err, view);
  const safeNext = copy.safeNext;
  const detail = err.code === "internal" ? null : err.message;
  await page(
    res,
    { view, title: copy.title, narrow: !view.viewer, status: err.status },
    <>
      <h1 safe>{copy.title}</h1>
      {detail ? <p safe>{detail}</p> : ""}
      <p>{safeNext}</p>
      <p class="muted">
        Request id: <code safe>{view.requestId}</code>
      </p>
    </>,
  );
}

/** The path and query to come back to after signing in (only ever a local path). */
export const loginUrl = (req: Request): string =>
  req.method === "GET" && req.originalUrl !== "/"
    ? `/login?returnTo=${encodeURIComponent(req.originalUrl)}`
    : "/login";

export function portalErrorHandler(
  logger: Logger,
  fallbackView: (req: Request, res: Response) => View,
): ErrorRequestHandler {
  return async (err, req, res, next) => {
    if (res.headersSent) return next(err);
    let appError = knownError(err);
    if (!appError) {
      logger.error("unhandled error", { error: err, method: req.method, path: req.path });
      appError = new AppError("internal", "an unexpected error occurred");
    }
    if (appError.code === "unauthorized") return res.redirect(303, loginUrl(req));
    if (appError.status >= 500 && appError.code !== "internal")
      logger.error("service error", { errorCode: appError.code, message: appError.message });
    await sendPortalError(
      res,
      appError,
      (res.locals.portalView as View | undefined) ?? fallbackView(req, res),
    );
  };
}

/** Unknown portal URLs: a page for browsers; other clients get the app's own 404 after this. */
export const portalNotFound: RequestHandler = (req, _res, next) => {
  next(new AppError("not_found", `There is no page at ${req.path}.`));
};
