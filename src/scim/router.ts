// The SCIM 2.0 surface under /scim/v2/{org}: our own thin routes over the
// SCIM use cases (scimmy supplies the schema definitions; its router layer keeps a process-wide
// base path and handles groups whole, so it is not used). Bodies are application/scim+json;
// requests may also be application/json.
import { Router, type Request, type RequestHandler, type Response } from "express";
import type { Database } from "../db/client";
import type { Logger } from "../shared/logger";
import type { VerifiedCache } from "../credentials/verified-cache";
import type { ScimTokenRow } from "../credentials/scim-token-row";
import type { ScimUseCases } from "./use-cases";
import { scimAuth, scimCtxOf } from "./auth";
import { asList, one, resourceTypes, schemas, serviceProviderConfig } from "./discovery";
import { AppError } from "../shared/errors";
import { parseListQuery } from "./list-query";
import { weakEtag } from "./context";
import { scimErrorRecorder } from "./activity/record-error";
import type { Doc } from "./schema/canonical";

const SCIM_JSON = "application/scim+json; charset=utf-8";

/**
 * Sends JSON text as application/scim+json, with the resource's version as its ETag. Why not
 * res.send: it hashes every body that has no ETag into one (a whole page of users), and
 * RFC 7644 versions resources, not lists.
 */
function sendJson(req: Request, res: Response, status: number, json: string, version?: number): void {
  res.status(status).setHeader("Content-Type", SCIM_JSON);
  if (version !== undefined) {
    res.setHeader("ETag", weakEtag(version));
    // RFC 7232 3.2 (RFC 7644 3.14): a GET naming the current version has nothing new to fetch.
    if (req.fresh) {
      res.status(304).end();
      return;
    }
  }
  res.setHeader("Content-Length", Buffer.byteLength(json));
  res.end(json);
}

const send = (req: Request, res: Response, status: number, body: unknown, version?: number) =>
  sendJson(req, res, status, JSON.stringify(body), version);

const created = (req: Request, res: Response, resource: Doc, version: number) => {
  res.set("Location", (resource.meta as { location: string }).location);
  send(req, res, 201, resource, version);
};

const q = (req: Request) => req.query as Record<string, unknown>;
const id = (req: Request) => String(req.params.id);
const ifMatch = (req: Request) => req.get("if-match");

/** POST /.search (RFC 7644 3.4.3): the query in the body, attribute lists as arrays. */
const searchQuery = (body: unknown) => {
  // An array or a scalar is no SearchRequest: refused, never read as an unfiltered search.
  if (body !== undefined && (typeof body !== "object" || body === null || Array.isArray(body)))
    throw new AppError("bad_request", "the body must be a SearchRequest object", {
      scimType: "invalidSyntax",
    });
  const b = (body ?? {}) as Record<string, unknown>;
  const list = (v: unknown) => (Array.isArray(v) ? v.join(",") : v);
  return parseListQuery({
    ...b,
    attributes: list(b.attributes),
    excludedAttributes: list(b.excludedAttributes),
  });
};

export interface ScimRouterDeps {
  db: Database;
  logger: Logger;
  clock: () => Date;
  scimTokenCache: VerifiedCache<ScimTokenRow>;
  scimBaseUrl: (slug: string) => string;
  scim: ScimUseCases;
  /** Counts each authenticated request against its token (http/rate-limit.ts). */
  rateLimits: { scimToken: RequestHandler };
}

export function scimRouter(deps: ScimRouterDeps): Router {
  const r = Router({ mergeParams: true });
  const { users, groupReads, groupWrites } = deps.scim;
  r.use(
    scimAuth({ db: deps.db, cache: deps.scimTokenCache, scimBaseUrl: deps.scimBaseUrl, clock: deps.clock }),
  );
  r.use(deps.rateLimits.scimToken);

  r.get("/Users", async (req, res) =>
    sendJson(req, res, 200, await users.list(scimCtxOf(res.locals), parseListQuery(q(req)))),
  );
  r.post("/Users/.search", async (req, res) =>
    sendJson(req, res, 200, await users.list(scimCtxOf(res.locals), searchQuery(req.body))),
  );
  r.post("/Users", async (req, res) => {
    const { resource, version } = await users.create(scimCtxOf(res.locals), req.body);
    created(req, res, resource, version);
  });
  r.get("/Users/:id", async (req, res) => {
    const query = q(req);
    const { json, version } = await users.get(
      scimCtxOf(res.locals),
      id(req),
      query.attributes,
      query.excludedAttributes,
    );
    sendJson(req, res, 200, json, version);
  });
  r.put("/Users/:id", async (req, res) => {
    const { resource, version } = await users.replace(scimCtxOf(res.locals), id(req), req.body, ifMatch(req));
    send(req, res, 200, resource, version);
  });
  r.patch("/Users/:id", async (req, res) => {
    const { resource, version } = await users.patch(scimCtxOf(res.locals), id(req), req.body, ifMatch(req));
    send(req, res, 200, resource, version);
  });
  r.delete("/Users/:id", async (req, res) => {
    await users.remove(scimCtxOf(res.locals), id(req), ifMatch(req));
    res.status(204).end();
  });

  r.get("/Groups", async (req, res) =>
    sendJson(req, res, 200, await groupReads.list(scimCtxOf(res.locals), parseListQuery(q(req)))),
  );
  r.post("/Groups/.search", async (req, res) =>
    sendJson(req, res, 200, await groupReads.list(scimCtxOf(res.locals), searchQuery(req.body))),
  );
  r.post("/Groups", async (req, res) => {
    const { resource, version } = await groupWrites.create(scimCtxOf(res.locals), req.body);
    created(req, res, resource, version);
  });
  r.get("/Groups/:id", async (req, res) => {
    const query = q(req);
    const { resource, version } = await groupReads.get(
      scimCtxOf(res.locals),
      id(req),
      query.attributes,
      query.excludedAttributes,
    );
    send(req, res, 200, resource, version);
  });
  r.put("/Groups/:id", async (req, res) => {
    const ctx = scimCtxOf(res.locals);
    const group = await groupWrites.replace(ctx, id(req), req.body, ifMatch(req));
    const { resource } = await groupReads.get(ctx, group.id);
    send(req, res, 200, resource, group.version);
  });
  // PATCH answers 204 (RFC 7644 3.5.2 allows it; Okta and Entra accept it): echoing a group of
  // thousands of members after each batch would cost more than the change itself.
  r.patch("/Groups/:id", async (req, res) => {
    const group = await groupWrites.patch(scimCtxOf(res.locals), id(req), req.body, ifMatch(req));
    res.set("ETag", weakEtag(group.version)).status(204).end();
  });
  r.delete("/Groups/:id", async (req, res) => {
    await groupWrites.remove(scimCtxOf(res.locals), id(req), ifMatch(req));
    res.status(204).end();
  });
  // Discovery after the resources: an IdP reads it once a cycle, and every Users and Groups
  // request would otherwise be matched against these five routes first.
  r.get("/ServiceProviderConfig", (req, res) =>
    send(req, res, 200, serviceProviderConfig(scimCtxOf(res.locals).baseUrl)),
  );
  r.get("/ResourceTypes", (req, res) =>
    sendJson(req, res, 200, asList(resourceTypes(scimCtxOf(res.locals).baseUrl))),
  );
  r.get("/ResourceTypes/:id", (req, res) =>
    send(req, res, 200, one(resourceTypes(scimCtxOf(res.locals).baseUrl), id(req), "ResourceType")),
  );
  r.get("/Schemas", (req, res) => sendJson(req, res, 200, asList(schemas(scimCtxOf(res.locals).baseUrl))));
  r.get("/Schemas/:id", (req, res) =>
    send(req, res, 200, one(schemas(scimCtxOf(res.locals).baseUrl), id(req), "Schema")),
  );
  // Error answers are filed for the portal's SCIM activity (scim/activity/record-error.ts).
  r.use(scimErrorRecorder(deps.db, deps.logger));
  return r;
}
