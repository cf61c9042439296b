// /api/v1/orgs/{org}/scim-tokens and /api-keys: list, create (the value is shown once),
// revoke. SCIM tokens need scim:write, API keys apikeys:write.
import { z } from "zod";
import { ctxOf, orgOf } from "../http/auth";
import { defineRoute, typedRouter } from "../http/typed-route";
import {
  createCredentialBody,
  createdApiKeySchema,
  createdScimTokenSchema,
  credentialSchema,
  toCredentialDto,
} from "../credentials/credential-schema";
import type { Services } from "../services";
import { orgParams, pageOf } from "./schemas";

const idParams = orgParams.extend({ id: z.uuid({ error: "is not a credential id" }) });
const listOf = (path: string, what: string, permission: "scim:write" | "apikeys:write") =>
  defineRoute({
    method: "get",
    path: `/orgs/{org}/${path}`,
    summary: `The organization's ${what}s, revoked ones included, newest first (one page)`,
    tags: ["Credentials"],
    permission,
    params: orgParams,
    responses: { 200: pageOf(credentialSchema) },
  });
const revokeOf = (path: string, what: string, permission: "scim:write" | "apikeys:write") =>
  defineRoute({
    method: "delete",
    path: `/orgs/{org}/${path}/{id}`,
    summary: `Revoke a ${what} (idempotent)`,
    tags: ["Credentials"],
    permission,
    params: idParams,
    responses: { 204: null },
    errors: { 404: `No ${what} with this id in the organization` },
  });

export const listScimTokensRoute = listOf("scim-tokens", "SCIM token", "scim:write");
export const createScimTokenRoute = defineRoute({
  method: "post",
  path: "/orgs/{org}/scim-tokens",
  summary: "Create a SCIM token for the IdP's provisioning client; the token is shown this once",
  tags: ["Credentials"],
  permission: "scim:write",
  params: orgParams,
  body: createCredentialBody,
  responses: { 201: createdScimTokenSchema },
});
export const revokeScimTokenRoute = revokeOf("scim-tokens", "SCIM token", "scim:write");

export const listApiKeysRoute = listOf("api-keys", "API key", "apikeys:write");
export const createApiKeyRoute = defineRoute({
  method: "post",
  path: "/orgs/{org}/api-keys",
  summary: "Create an API key with Admin permissions; the key is shown this once",
  tags: ["Credentials"],
  permission: "apikeys:write",
  params: orgParams,
  body: createCredentialBody,
  responses: { 201: createdApiKeySchema },
});
export const revokeApiKeyRoute = revokeOf("api-keys", "API key", "apikeys:write");

export const CREDENTIALS_ROUTES = [
  listScimTokensRoute,
  createScimTokenRoute,
  revokeScimTokenRoute,
  listApiKeysRoute,
  createApiKeyRoute,
  revokeApiKeyRoute,
];

export function credentialsRoutes(services: Services) {
  const { router, add } = typedRouter("/orgs/{org}");
  const { credentials } = services;

  add(listScimTokensRoute, async ({ res }) => ({
    data: (await credentials.list("scim_token", orgOf(res).id)).map(toCredentialDto),
    nextCursor: null,
  }));
  add(createScimTokenRoute, async ({ body, res }) => {
    const created = await credentials.create("scim_token", ctxOf(res), body.name ?? "scim");
    const { id, name, token } = created;
    return { id, name, token, scimBaseUrl: services.scimBaseUrl(orgOf(res).slug) };
  });
  add(revokeScimTokenRoute, async ({ params, res }) => {
    await credentials.revoke("scim_token", ctxOf(res), params.id);
  });

  add(listApiKeysRoute, async ({ res }) => ({
    data: (await credentials.list("api_key", orgOf(res).id)).map(toCredentialDto),
    nextCursor: null,
  }));
  add(createApiKeyRoute, async ({ body, res }) => {
    const { id, name, token } = await credentials.create("api_key", ctxOf(res), body.name ?? "api");
    return { id, name, key: token };
  });
  add(revokeApiKeyRoute, async ({ params, res }) => {
    await credentials.revoke("api_key", ctxOf(res), params.id);
  });
  return router;
}
