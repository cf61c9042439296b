// The latest SCIM error answers of each organization, for the portal's SCIM page: written from
// the SCIM error path only (a successful request never touches this table), after the answer
// is sent, and bounded per organization. It keeps what the IdP was told (status, scimType,
// detail), the method and route template and the request id: never a body, header or token.
import type { ErrorRequestHandler } from "express";
import type { Database } from "../../db/client";
import { Prisma } from "../../generated/prisma/client";
import { knownError } from "../../shared/known-error";
import { scimTypeOf } from "../scim-type";
import type { Logger } from "../../shared/logger";
import type { ScimCtx } from "../context";

/** How many error answers an organization keeps (the page lists the latest). */
export const KEEP_SCIM_ERRORS = 100;
const MAX_DETAIL = 500;

export interface ScimErrorRow {
  status: number;
  scimType: string | null;
  detail: string;
  method: string;
  path: string;
  requestId: string | null;
}

export async function recordScimError(
  db: Pick<Database, "prisma">,
  orgId: string,
  row: ScimErrorRow,
): Promise<void> {
  await db.prisma.scimError.create({ data: { orgId, ...row, detail: row.detail.slice(0, MAX_DETAIL) } });
  await db.prisma.$executeRaw(Prisma.sql`
    DELETE FROM scim_errors WHERE org_id = ${orgId}::uuid AND id IN (
      SELECT id FROM scim_errors WHERE org_id = ${orgId}::uuid
      ORDER BY created_at DESC OFFSET ${KEEP_SCIM_ERRORS})`);
}

/**
 * Last in the SCIM router: files the error of an authenticated request (the organization is
 * known only then) and hands it on, unchanged, to the one error handler that answers it.
 */
export function scimErrorRecorder(db: Pick<Database, "prisma">, logger: Logger): ErrorRequestHandler {
  // One write at a time per process: each insert's prune then sees every earlier insert, so
  // the table holds the bound (plus at most one in flight per other instance).
  let queue: Promise<void> = Promise.resolve();
  return (err, req, res, next) => {
    const ctx = res.locals.scim as ScimCtx | undefined;
    const known = knownError(err);
    // Not while the database cannot be reached: there is nowhere to file it, and a queue of
    // failing writes would only grow for the length of the outage.
    if (ctx && known?.code !== "unavailable") {
      const status = known?.status ?? 500;
      const template = (req.route as { path?: string } | undefined)?.path ?? req.path;
      const row: ScimErrorRow = {
        status,
        scimType: (known && scimTypeOf(known)) ?? null,
        detail: known?.message ?? "an unexpected error occurred",
        method: req.method,
        path: `/scim/v2/{org}${template}`,
        requestId: ctx.requestId ?? null,
      };
      // Why after the answer: the IdP must not wait for bookkeeping, and a failed write here must
      // never change what it is told.
      res.once("finish", () => {
        queue = queue
          .then(() => recordScimError(db, ctx.orgId, row))
          .catch((e: unknown) => {
            logger.error("could not record a SCIM error", { error: e, requestId: row.requestId });
          });
      });
    }
    next(err);
  };
}
