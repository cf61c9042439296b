// The OpenAPI document describes exactly the admin API the app serves: the committed copy
// (docs/openapi.json) is what the code generates, and every route under /api/v1 is one of its
// operations and the other way round.
import { readFileSync } from "node:fs";
import path from "node:path";
import request from "supertest";
import { buildOpenApi } from "../../src/api/openapi";
import { createTestApp, type TestApp } from "../support/app";
import { appRoutes } from "../support/routes";

const API = "/api/v1";
const committed = () =>
  JSON.parse(readFileSync(path.join(__dirname, "../../docs/openapi.json"), "utf8")) as ReturnType<
    typeof buildOpenApi
  >;

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

test("when the route specs change, then docs/openapi.json must be regenerated (npm run openapi)", () => {
  // A JSON round trip drops what JSON cannot hold, as writing the file did.
  expect(committed()).toEqual(JSON.parse(JSON.stringify(buildOpenApi())));
});

test("when anyone asks for /api/v1/openapi.json, then the generated document is served without authentication", async () => {
  const res = await request(t.app).get(`${API}/openapi.json`).expect(200);
  expect(res.body).toEqual(committed());
  expect(res.body.openapi).toBe("3.1.0");
});

test("when the app's routers are walked, then the routes under /api/v1 are exactly the document's operations", () => {
  const served = appRoutes(t.app)
    .filter((r) => r.path.startsWith(`${API}/`))
    .map((r) => `${r.method.toUpperCase()} ${r.path.slice(API.length).replace(/:(\w+)/g, "{$1}")}`);
  const documented = Object.entries(committed().paths ?? {}).flatMap(([p, ops]) =>
    Object.keys(ops ?? {}).map((method) => `${method.toUpperCase()} ${p}`),
  );
  expect(new Set(served).size).toBe(served.length);
  expect([...served].sort()).toEqual([...documented].sort());
});
