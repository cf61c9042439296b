// Routes that declare what they take and answer. A route is a spec (method, path, permission,
// zod schemas for params, query, body and each response) plus a handler that receives the
// parsed input. The same specs generate the OpenAPI document (src/api/openapi.ts), so what the
// API promises and what it checks cannot drift apart.
import { Router, type Request, type RequestHandler, type Response } from "express";
import type { z } from "zod";
import type { Permission } from "../roles/permissions";
import { requirePermission } from "./auth";

export type Method = "get" | "post" | "put" | "patch" | "delete";

/** A response schema, or null for an answer without a body (204). */
export type ResponseSchema = z.ZodType | null;

export interface RouteSpec<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  R extends Record<number, ResponseSchema> = Record<number, ResponseSchema>,
> {
  method: Method;
  /** OpenAPI path template under /api/v1, e.g. "/orgs/{org}/users/{id}". */
  path: string;
  summary: string;
  tags: string[];
  /** Checked before the handler runs; omitted for routes any signed-in caller may use. */
  permission?: Permission;
  params?: P;
  query?: Q;
  body?: B;
  /**
   * Success answers by status. The lowest status is the default (JavaScript orders numeric keys);
   * a handler picks another with res.status(). Errors are listed in `errors`.
   */
  responses: R;
  /** Longer explanation for the document. */
  description?: string;
  /**
   * Refusals this route gives beyond the ones every route can (400, and 401/403 where the caller
   * must be authenticated), by status, each saying when: `{404: "No such user", 409: "..."}`.
   */
  errors?: { readonly [status: number]: string };
  /** "none" for a route anyone may call (no API key, no session); omitted: authenticated. */
  auth?: "none";
}

/** The parsed type of a part the spec declares; undefined for a part it leaves out. */
type Parsed<S, K extends string> = S extends { [P in K]: infer T }
  ? T extends z.ZodType
    ? z.output<T>
    : undefined
  : undefined;

export interface RouteInput<S extends RouteSpec> {
  params: Parsed<S, "params">;
  query: Parsed<S, "query">;
  body: Parsed<S, "body">;
  req: Request;
  res: Response;
}

type Answer<R> = { [K in keyof R]: R[K] extends z.ZodType ? z.input<R[K]> : void }[keyof R];

export type RouteHandler<S extends RouteSpec> = (input: RouteInput<S>) => Promise<Answer<S["responses"]>>;

/** Keeps the exact type of a spec (for the handler's input) while checking its shape. */
export const defineRoute = <const S extends RouteSpec>(spec: S): S => spec;

/** "/orgs/{org}/users/{id}" under the mount "/orgs/{org}" → "/users/:id". */
export function expressPath(path: string, mountedAt: string): string {
  if (!path.startsWith(mountedAt)) throw new Error(`route ${path} is not under its mount ${mountedAt}`);
  return (path.slice(mountedAt.length) || "/").replace(/\{(\w+)\}/g, ":$1");
}

/**
 * A router for specs mounted at `mountedAt` (an OpenAPI template, "" for /api/v1 itself).
 * `add` registers a spec with its handler behind the spec's permission and any extra guards.
 */
export function typedRouter(mountedAt = "") {
  const router = Router({ mergeParams: true });
  const specs: RouteSpec[] = [];
  return {
    router,
    specs,
    add<S extends RouteSpec>(spec: S, ...rest: [...guards: RequestHandler[], handler: RouteHandler<S>]) {
      const handler = rest.pop() as RouteHandler<S>;
      const guards = rest as RequestHandler[];
      const defaultStatus = Number(Object.keys(spec.responses)[0] ?? 200);
      const noBody = spec.responses[defaultStatus] === null;
      const chain = spec.permission ? [requirePermission(spec.permission), ...guards] : guards;
      specs.push(spec);
      router[spec.method](expressPath(spec.path, mountedAt), ...chain, async (req, res) => {
        const input = {
          params: spec.params ? spec.params.parse(req.params) : undefined,
          query: spec.query ? spec.query.parse(req.query) : undefined,
          body: spec.body ? spec.body.parse(req.body ?? {}) : undefined,
          req,
          res,
        } as RouteInput<S>;
        const answer = await handler(input);
        if (res.headersSent) return;
        // A handler picks another declared status (201 for a create) with res.status().
        if (res.statusCode === 200) res.status(defaultStatus);
        if (noBody && res.statusCode === defaultStatus) res.end();
        else res.json(answer);
      });
    },
  };
}
