// The OpenAPI 3.1 document of the admin API, generated from the routes' own zod schemas
// (src/http/typed-route.ts). Served at /api/v1/openapi.json and committed as docs/openapi.json;
// a test fails when the committed copy is stale.
import { z } from "zod";
import {
  createDocument,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponseObject,
} from "zod-openapi";
import type { RouteSpec } from "../http/typed-route";
import { API_ROUTE_SPECS } from "./route-specs";

const fieldError = z.object({ field: z.string(), message: z.string() });

/** RFC 9457 problem+json, as src/http/render.ts sends it. */
export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    errors: z.array(fieldError).optional(),
    requestId: z.string().optional(),
  })
  .loose()
  .meta({ id: "Problem", description: "An error (RFC 9457 problem details)." });

const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: problemSchema } },
});

/** What any route may answer: bad input, and for authenticated routes who may call it. */
const INVALID = {
  "400": problem("The input is invalid; `errors` lists each invalid field."),
  "503": problem("The database cannot take the work now; retry after the Retry-After header's seconds."),
};
const UNAUTHENTICATED = {
  "401": problem("Not signed in, or the API key is unknown or revoked."),
  "403": problem("The caller lacks the permission, or has no access to this organization."),
};

function errorsOf(spec: RouteSpec): Record<string, ZodOpenApiResponseObject> {
  const own = Object.fromEntries(
    Object.entries(spec.errors ?? {}).map(([status, when]) => [status, problem(when)]),
  );
  return { ...INVALID, ...(spec.auth === "none" ? {} : UNAUTHENTICATED), ...own };
}

function operationOf(spec: RouteSpec): ZodOpenApiOperationObject {
  const responses: Record<string, ZodOpenApiResponseObject> = {};
  for (const [status, schema] of Object.entries(spec.responses)) {
    responses[status] = schema
      ? { description: schema.description ?? "OK", content: { "application/json": { schema } } }
      : { description: "No content" };
  }
  return {
    operationId: `${spec.method}${spec.path.replace(/\{(\w+)\}/g, "By-$1").replace(/[^A-Za-z0-9]+(.)/g, (_m, c: string) => c.toUpperCase())}`,
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    tags: spec.tags,
    ...(spec.permission ? { "x-permission": spec.permission } : {}),
    requestParams: {
      ...(spec.params ? { path: spec.params as z.ZodObject } : {}),
      ...(spec.query ? { query: spec.query as z.ZodObject } : {}),
    },
    ...(spec.body ? { requestBody: { content: { "application/json": { schema: spec.body } } } } : {}),
    responses: { ...responses, ...errorsOf(spec) },
    ...(spec.auth === "none" ? { security: [] } : {}),
  };
}

export function buildOpenApi(specs: readonly RouteSpec[] = API_ROUTE_SPECS) {
  const paths: ZodOpenApiPathsObject = {};
  for (const spec of specs) {
    paths[spec.path] = { ...paths[spec.path], [spec.method]: operationOf(spec) };
  }
  return createDocument({
    openapi: "3.1.0",
    info: {
      title: "sso-bridge admin API",
      version: "1",
      description:
        "Manage an organization's users, roles, SSO connection, SCIM tokens and API keys. " +
        "Authenticate with the session cookie or `Authorization: Bearer <api key>`.",
    },
    servers: [{ url: "/api/v1" }],
    components: {
      securitySchemes: {
        apiKey: { type: "http", scheme: "bearer" },
        session: { type: "apiKey", in: "cookie", name: "sso_bridge_session" },
      },
    },
    security: [{ apiKey: [] }, { session: [] }],
    paths,
  });
}
