// Set-up shared by the webhook tests: an organization with an API key and an endpoint created
// through the API, and user changes made through the API (each commits one outbox event).
import request from "supertest";
import type { TestApp } from "../support/app";
import { DEFAULT_RETRY } from "../../src/webhooks/retry";
import type { WorkerOptions } from "../../src/webhooks/worker";

/** Retries in milliseconds instead of seconds, so tests see several attempts quickly. */
export const FAST: Partial<WorkerOptions> = {
  idleMs: 10,
  retry: { ...DEFAULT_RETRY, baseMs: 10, capMs: 40 },
};

export async function orgWithWebhook(t: TestApp, url: string, events: string[] = ["*"]) {
  const org = await t.given.org({ plan: "enterprise" });
  const key = await t.given.apiKey(org);
  const base = `/api/v1/orgs/${org.slug}`;
  const api = {
    get: (path: string) =>
      request(t.app)
        .get(base + path)
        .set("Authorization", `Bearer ${key}`),
    post: (path: string, body?: unknown) =>
      request(t.app)
        .post(base + path)
        .set("Authorization", `Bearer ${key}`)
        .send(body as object),
    patch: (path: string, body: unknown) =>
      request(t.app)
        .patch(base + path)
        .set("Authorization", `Bearer ${key}`)
        .send(body as object),
    del: (path: string) =>
      request(t.app)
        .delete(base + path)
        .set("Authorization", `Bearer ${key}`),
  };
  const created = await api.post("/webhooks", { url, events }).expect(201);
  const endpoint = created.body as { id: string; secret: string };
  /** Changes a user's first name through the admin API: one user.updated event. */
  const rename = async (userId: string, firstName: string) => {
    await api.patch(`/users/${userId}`, { firstName }).expect(200);
  };
  return { org, key, base, api, endpoint, rename };
}
