// /api/v1/orgs/{org}/webhooks (contract section 8): endpoints that receive the organization's
// events, their secret rotation, a test event and every delivery attempt. All need
// apikeys:write: an endpoint, like an API key, is a way for the downstream application to get
// the organization's data, and its secret a credential.
import { z } from "zod";
import { ctxOf, orgOf } from "../http/auth";
import { defineRoute, typedRouter } from "../http/typed-route";
import {
  attemptSchema,
  createWebhookBody,
  updateWebhookBody,
  webhookSchema,
  webhookWithSecretSchema,
} from "../webhooks/schemas";
import { orgParams, pageOf } from "./schemas";
import { pageQuery } from "../shared/pagination";
import type { Services } from "../services";

const tags = ["Webhooks"];
const permission = "apikeys:write" as const;
const endpointParams = orgParams.extend({ id: z.uuid({ error: "is not a webhook endpoint id" }) });

const notFound = { 404: "No such webhook endpoint in this organization" };

export const listWebhooksRoute = defineRoute({
  method: "get",
  path: "/orgs/{org}/webhooks",
  summary: "List the organization's webhook endpoints",
  tags,
  permission,
  params: orgParams,
  responses: { 200: pageOf(webhookSchema) },
});

export const createWebhookRoute = defineRoute({
  method: "post",
  path: "/orgs/{org}/webhooks",
  summary: "Add a webhook endpoint; its signing secret is shown only in this answer",
  tags,
  permission,
  params: orgParams,
  body: createWebhookBody,
  responses: { 201: webhookWithSecretSchema },
});

export const getWebhookRoute = defineRoute({
  method: "get",
  path: "/orgs/{org}/webhooks/{id}",
  summary: "One webhook endpoint",
  tags,
  permission,
  params: endpointParams,
  errors: notFound,
  responses: { 200: webhookSchema },
});

export const updateWebhookRoute = defineRoute({
  method: "patch",
  path: "/orgs/{org}/webhooks/{id}",
  summary: "Change an endpoint's URL, events or description, or disable or enable it",
  tags,
  permission,
  params: endpointParams,
  errors: notFound,
  body: updateWebhookBody,
  responses: { 200: webhookSchema },
});

export const deleteWebhookRoute = defineRoute({
  method: "delete",
  path: "/orgs/{org}/webhooks/{id}",
  summary: "Delete an endpoint and its pending deliveries",
  tags,
  permission,
  params: endpointParams,
  errors: notFound,
  responses: { 204: null },
});

export const rotateWebhookSecretRoute = defineRoute({
  method: "post",
  path: "/orgs/{org}/webhooks/{id}/rotate-secret",
  summary: "A new signing secret (shown once); the previous one keeps signing for 24 h",
  tags,
  permission,
  params: endpointParams,
  errors: notFound,
  responses: { 200: webhookWithSecretSchema },
});

export const testWebhookRoute = defineRoute({
  method: "post",
  path: "/orgs/{org}/webhooks/{id}/test",
  summary: "Send a webhook.test event now and answer the attempt",
  tags,
  permission,
  params: endpointParams,
  errors: notFound,
  responses: { 200: attemptSchema },
});

export const listWebhookDeliveriesRoute = defineRoute({
  method: "get",
  path: "/orgs/{org}/webhooks/{id}/deliveries",
  summary: "Every delivery attempt to the endpoint, newest first",
  tags,
  permission,
  params: endpointParams,
  errors: notFound,
  query: pageQuery,
  responses: { 200: pageOf(attemptSchema) },
});

export const WEBHOOKS_ROUTES = [
  listWebhooksRoute,
  createWebhookRoute,
  getWebhookRoute,
  updateWebhookRoute,
  deleteWebhookRoute,
  rotateWebhookSecretRoute,
  testWebhookRoute,
  listWebhookDeliveriesRoute,
];

export function webhooksRoutes(services: Services) {
  const { router, add } = typedRouter("/orgs/{org}");
  const { webhooks } = services;
  add(listWebhooksRoute, async ({ res }) => webhooks.endpoints.list(orgOf(res).id));
  add(createWebhookRoute, async ({ body, res }) => {
    res.status(201);
    return webhooks.endpoints.create(ctxOf(res), body);
  });
  add(getWebhookRoute, async ({ params, res }) => webhooks.endpoints.get(orgOf(res).id, params.id));
  add(updateWebhookRoute, async ({ params, body, res }) =>
    webhooks.endpoints.update(ctxOf(res), params.id, body),
  );
  add(deleteWebhookRoute, async ({ params, res }) => {
    await webhooks.endpoints.delete(ctxOf(res), params.id);
  });
  add(rotateWebhookSecretRoute, async ({ params, res }) =>
    webhooks.endpoints.rotateSecret(ctxOf(res), params.id),
  );
  add(testWebhookRoute, async ({ params, res }) => webhooks.sendTest(orgOf(res), params.id));
  add(listWebhookDeliveriesRoute, async ({ params, query, res }) =>
    webhooks.listAttempts(orgOf(res).id, params.id, query),
  );
  return router;
}
