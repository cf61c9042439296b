// Every route of the app, found by walking Express's router stack through mount()'s registry
// (so a route added later is walked too), called with hostile input: an invalid
// percent-encoding and a NUL in each path parameter, huge and repeated query parameters, a NUL
// in a JSON body. None may answer 5xx, and every refusal comes in its surface's format: the
// SCIM error schema under /scim, an HTML page under /sso, problem+json with a code elsewhere.
import request from "supertest";
import type { Organization } from "../../src/generated/prisma/client";
import { createTestApp, type TestApp } from "../support/app";
import { appRoutes, type RouteOf } from "../support/routes";

let t: TestApp;
let org: Organization;
let apiKey = "";
let scimToken = "";
let routes: RouteOf[] = [];

beforeAll(async () => {
  t = await createTestApp();
  org = await t.given.org({ plan: "enterprise" });
  apiKey = await t.given.apiKey(org);
  scimToken = await t.given.scimToken(org);
  routes = appRoutes(t.app);
});
afterAll(() => t.close());

const PARAM = /:(\w+)/g;

/** The path with every parameter valid (the org's slug, a uuid) but `hostile` in `param`. */
function pathWith(route: RouteOf, param: string | null, hostile: string): string {
  return route.path.replace(PARAM, (_m, name: string) =>
    name === param ? hostile : name === "org" ? org.slug : "00000000-0000-4000-8000-000000000000",
  );
}

/** Whether the URL is under a surface's prefix (`/scim/…`, not the portal's `/scim-setup`). */
const surface = (url: string, name: string) => new RegExp(`^/${name}([/?]|$)`).test(url);
const isPortal = (url: string) => !/^\/(api|scim|auth|sso|healthz|readyz|metrics)([/?]|$)/.test(url);

function call(route: RouteOf, url: string, body?: string): request.Test {
  const method = route.method as "get" | "post" | "put" | "patch" | "delete";
  let r = request(t.app)[method](url);
  if (url.startsWith("/scim")) r = r.set("Authorization", `Bearer ${scimToken}`);
  if (url.startsWith("/api")) r = r.set("Authorization", `Bearer ${apiKey}`);
  if (isPortal(url)) r = r.set("Accept", "text/html"); // as a browser asks for a page
  if (body !== undefined) r = r.set("Content-Type", "application/json").send(body);
  return r;
}

/** A refusal in the surface's own format. */
function expectSurfaceError(url: string, res: request.Response): void {
  const type = `${res.request.method} ${url}: ${String(res.headers["content-type"] ?? "")}`;
  if (surface(url, "scim")) {
    expect(type).toContain("application/scim+json");
    expect(res.body).toMatchObject({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
      status: String(res.status),
    });
  } else if (surface(url, "sso") || (surface(url, "auth") && res.request.method === "GET") || isPortal(url)) {
    expect(type).toContain("text/html");
    expect(res.text).toContain("Request id");
  } else {
    expect(type).toContain("application/problem+json");
    expect(res.body).toMatchObject({ status: res.status, code: expect.any(String) });
  }
}

async function expectRefused(route: RouteOf, url: string, body?: string, exactly?: number) {
  const res = await call(route, url, body);
  const what = `${route.method.toUpperCase()} ${url} answered ${res.status}`;
  expect({ what, serverError: res.status >= 500 }).toEqual({ what, serverError: false });
  // The portal sends an anonymous caller to sign in (303) before it reads any parameter.
  const expected = isPortal(url) && res.status === 303 ? 303 : exactly;
  if (expected !== undefined) expect({ what, status: res.status }).toEqual({ what, status: expected });
  if (res.status >= 400) expectSurfaceError(url, res);
  if (exactly === 400 && url.startsWith("/api"))
    expect(res.body.code).toMatch(/bad_request|validation_failed/);
}

const HUGE = ["99999999999999999999", "1e20"];
const QUERY_NAMES = ["startIndex", "count", "limit", "cursor", "after", "filter", "returnTo", "attributes"];
// base64url of {"seq":"99999999999999999999"}, an audit cursor whose number overflows bigint.
const OVERFLOWING_CURSOR = Buffer.from(JSON.stringify({ seq: "99999999999999999999" })).toString("base64url");

test("when the router stack is walked, then it finds the routes of every surface", () => {
  const paths = routes.map((r) => `${r.method} ${r.path}`);
  expect(paths).toEqual(
    expect.arrayContaining([
      "get /scim/v2/:org/Users/:id",
      "get /api/v1/orgs/:org/users/:id",
      "get /api/v1/orgs/:org/audit-events",
      "post /auth/login",
      "get /healthz",
    ]),
  );
  expect(routes.some((r) => r.path.startsWith("/sso/:org"))).toBe(true);
  expect(routes.length).toBeGreaterThan(40);
});

test("when any route is called with hostile input, then it never answers 5xx and refuses in its surface's format", async () => {
  for (const route of routes) {
    const params = [...route.path.matchAll(PARAM)].map((m) => m[1] as string);
    for (const param of params) {
      await expectRefused(route, pathWith(route, param, "%E0%A4%A"), undefined, 400);
      await expectRefused(route, pathWith(route, param, "a%00b"), undefined, 400);
    }
    const url = pathWith(route, null, "");
    for (const n of HUGE) {
      const q = QUERY_NAMES.filter((k) => k !== "cursor")
        .map((k) => `${k}=${n}`)
        .join("&");
      await expectRefused(route, `${url}?${q}`);
    }
    await expectRefused(route, `${url}?cursor=${OVERFLOWING_CURSOR}`);
    for (const name of QUERY_NAMES) await expectRefused(route, `${url}?${name}=1&${name}=2`, undefined, 400);
    if (route.method !== "get")
      await expectRefused(
        route,
        url,
        JSON.stringify({ org: "a\u0000", email: "x\u0000@y", name: "\u0000" }),
        400,
      );
  }
});
