// /api/v1/orgs/{org}/sso-connection: GET (users:read), PUT, enable, disable, DELETE, test (a
// pasted answer) and the results of round-trip test sign-ins (sso:write). Secrets are never
// part of an answer.
import { z } from "zod";
import { ctxOf, orgOf, requireAuthOf } from "../http/auth";
import { defineRoute, typedRouter } from "../http/typed-route";
import type { Services } from "../services";
import { AppError } from "../shared/errors";
import { loadConnection } from "../sso/connection-store";
import { protocolOf } from "../sso/registry";
import { forceQuery } from "../roles/mappings-input";
import { readTestResult } from "../sso/test-sign-in/record-result";
import {
  samlTestReportSchema,
  ssoConnectionInput,
  ssoConnectionSchema,
  ssoToggleSchema,
  testResultSchema,
} from "../sso/connection-schema";
import { samlTestBody } from "../sso/saml/test-response";
import { orgParams } from "./schemas";

const path = "/orgs/{org}/sso-connection";
const tags = ["SSO connection"];
const NONE = "The organization has no SSO connection yet";

export const getConnectionRoute = defineRoute({
  method: "get",
  path,
  summary: "The SSO connection (SAML or OIDC) and what to enter at the IdP; never a secret",
  tags,
  permission: "users:read",
  params: orgParams,
  responses: { 200: ssoConnectionSchema },
  errors: { 404: NONE },
});

export const putConnectionRoute = defineRoute({
  method: "put",
  path,
  summary: "Create (201) or replace (200) the SSO connection; its enabled state is kept",
  description:
    "SAML: `idpMetadataXml`, or `idpEntityId`, `idpSsoUrl` and `idpCertificates`. OIDC: `issuer`, " +
    "`clientId`, `clientSecret` (kept when omitted for the same client), checked against discovery.",
  tags,
  permission: "sso:write",
  params: orgParams,
  body: ssoConnectionInput,
  responses: { 200: ssoConnectionSchema, 201: ssoConnectionSchema },
});

export const enableRoute = defineRoute({
  method: "post",
  path: `${path}/enable`,
  summary: "Turn SSO on: roles come from the mapping, manual management stops",
  tags,
  permission: "sso:write",
  params: orgParams,
  query: forceQuery,
  responses: { 200: ssoToggleSchema },
  errors: {
    404: NONE,
    409: "No rule maps an IdP group to Admin (would_remove_last_admin); repeat with ?force=true",
  },
});

export const disableRoute = defineRoute({
  method: "post",
  path: `${path}/disable`,
  summary: "Turn SSO off: manual roles and password sign-in return",
  tags,
  permission: "sso:write",
  params: orgParams,
  responses: { 200: ssoToggleSchema },
  errors: { 404: NONE },
});

export const deleteConnectionRoute = defineRoute({
  method: "delete",
  path,
  summary: "Delete the SSO connection (SSO goes off with it)",
  tags,
  permission: "sso:write",
  params: orgParams,
  responses: { 204: null },
  errors: { 404: NONE },
});

export const testConnectionRoute = defineRoute({
  method: "post",
  path: `${path}/test`,
  summary: "Check a pasted SAMLResponse as a sign-in would, signing nobody in",
  tags,
  permission: "sso:write",
  params: orgParams,
  body: samlTestBody,
  responses: { 200: samlTestReportSchema },
  errors: {
    400: "The input is invalid, or the connection's protocol cannot test a pasted answer",
    404: NONE,
  },
});

export const testResultRoute = defineRoute({
  method: "get",
  path: `${path}/test-results/{id}`,
  summary: "The result of a round-trip test sign-in, for the session that started it only",
  tags,
  permission: "sso:write",
  params: orgParams.extend({
    id: z.union([z.uuid(), z.literal("latest")]).describe("A result's id, or latest"),
  }),
  responses: { 200: testResultSchema },
  errors: { 404: "No test sign-in result of this session has this id" },
});

export const SSO_CONNECTION_ROUTES = [
  getConnectionRoute,
  putConnectionRoute,
  enableRoute,
  disableRoute,
  deleteConnectionRoute,
  testConnectionRoute,
  testResultRoute,
];

export function ssoConnectionRoutes(services: Services) {
  const { router, add } = typedRouter("/orgs/{org}");
  const connections = services.ssoConnections;

  add(getConnectionRoute, async ({ res }) => connections.get(ctxOf(res), orgOf(res)));
  add(putConnectionRoute, async ({ body, res }) => {
    const { created, connection } = await connections.put(ctxOf(res), orgOf(res), body);
    res.status(created ? 201 : 200);
    return connection;
  });
  add(enableRoute, async ({ query, res }) =>
    connections.enable(ctxOf(res), orgOf(res), { force: query.force === "true" }),
  );
  add(disableRoute, async ({ res }) => connections.disable(ctxOf(res), orgOf(res)));
  add(deleteConnectionRoute, async ({ res }) => {
    await connections.remove(ctxOf(res));
  });
  add(testConnectionRoute, async ({ body, req, res }) => {
    const ctx = ctxOf(res);
    const connection = await loadConnection(services.db.prisma, services.cipher, ctx.orgId);
    if (!connection) throw new AppError("not_found", "this organization has no SSO connection yet");
    const protocol = protocolOf(services.ssoProtocols, connection.protocol);
    if (!protocol.testSignIn) {
      throw new AppError(
        "bad_request",
        `testing a ${protocol.protocol} connection by pasting an answer is not supported`,
      );
    }
    return protocol.testSignIn(body, { ctx, org: orgOf(res), connection, req, res });
  });
  add(testResultRoute, async ({ params, res }) => {
    const auth = requireAuthOf(res);
    const result =
      auth.kind === "session" ? await readTestResult(services, auth.orgId, auth.sessionId, params.id) : null;
    if (!result) throw new AppError("not_found", "no test sign-in result of yours has this id");
    res.set("Cache-Control", "no-store");
    // The result is JSON stored by recordTestResult in this shape (held by the API's document test).
    return result as z.input<typeof testResultSchema>;
  });
  return router;
}
