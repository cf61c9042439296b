// A SCIM client for the tests: an organization with a SCIM token, and supertest calls under
// its base path with the bearer token and the SCIM media type.
import request from "supertest";
import type { Organization, Prisma } from "../../src/generated/prisma/client";
import type { TestApp } from "../support/app";

export const SCIM_JSON = "application/scim+json";
export const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
export const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

export interface ScimClient {
  org: Organization;
  token: string;
  base: string;
  get(path: string): request.Test;
  post(path: string, body: unknown): request.Test;
  put(path: string, body: unknown): request.Test;
  patch(path: string, body: unknown): request.Test;
  del(path: string): request.Test;
}

export async function scimClient(
  t: TestApp,
  org: Partial<Prisma.OrganizationUncheckedCreateInput> = { plan: "enterprise" },
  tokenName = "okta",
): Promise<ScimClient> {
  const o = await t.given.org(org);
  const token = await t.given.scimToken(o, tokenName);
  const base = `/scim/v2/${o.slug}`;
  const auth = (r: request.Test) => r.set("Authorization", `Bearer ${token}`);
  const json = (r: request.Test, body: unknown) =>
    auth(r).set("Content-Type", SCIM_JSON).send(JSON.stringify(body));
  return {
    org: o,
    token,
    base,
    get: (path) => auth(request(t.app).get(base + path)),
    post: (path, body) => json(request(t.app).post(base + path), body),
    put: (path, body) => json(request(t.app).put(base + path), body),
    patch: (path, body) => json(request(t.app).patch(base + path), body),
    del: (path) => auth(request(t.app).delete(base + path)),
  };
}

export const patchBody = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });

export const newUser = (userName: string, extra: Record<string, unknown> = {}) => ({
  schemas: [USER],
  userName,
  name: { givenName: "Given", familyName: "Family" },
  emails: [
    { value: userName.includes("@") ? userName : `${userName}@example.com`, type: "work", primary: true },
  ],
  active: true,
  ...extra,
});
