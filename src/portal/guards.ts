// Who may open a portal page: signed in (else to /login and back), and holding the
// permission the same admin API route needs (one permission table for both surfaces).
import type { RequestHandler } from "express";
import { AppError } from "../shared/errors";
import { hasPermission, type Permission } from "../roles/permissions";
import { viewOf } from "./viewer";
import type { Viewer } from "./view";

export const signedIn: RequestHandler = (_req, res, next) => {
  if (!viewOf(res).viewer) throw new AppError("unauthorized", "sign in first");
  next();
};

export const allow =
  (permission: Permission): RequestHandler =>
  (_req, res, next) => {
    const viewer = viewOf(res).viewer;
    if (!viewer) throw new AppError("unauthorized", "sign in first");
    if (!hasPermission(viewer.role, permission))
      throw new AppError("forbidden", "This page is for the Admins of your organization.");
    next();
  };

/** The signed-in person; only after `signedIn` or `allow`. */
export function viewerOf(res: Parameters<RequestHandler>[1]): Viewer {
  const viewer = viewOf(res).viewer;
  if (!viewer) throw new AppError("unauthorized", "sign in first");
  return viewer;
}
