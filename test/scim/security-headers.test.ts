// The security headers of SCIM answers (src/http/security-headers.ts): an API's few (nosniff, a
// CSP that loads and frames nothing, HSTS over https, the same as the pages'), not the document
// headers the portal and the admin API keep from helmet.
import express from "express";
import helmet from "helmet";
import request from "supertest";
import { createTestApp, type TestApp } from "../support/app";
import { scimClient, type ScimClient } from "./scim-client";

const DOCUMENT_HEADERS = [
  "x-frame-options",
  "referrer-policy",
  "cross-origin-opener-policy",
  "x-xss-protection",
];

describe("SCIM security headers over http", () => {
  let t: TestApp;
  let acme: ScimClient;
  beforeAll(async () => {
    t = await createTestApp();
    acme = await scimClient(t);
  });
  afterAll(() => t.close());

  test.each([
    [
      "a userName eq lookup",
      () => acme.get(`/Users?filter=${encodeURIComponent('userName eq "nobody@acme.test"')}`),
    ],
    ["a request without a token (401)", () => request(t.app).get(`${acme.base}/Users`)],
    ["an unknown SCIM path (404)", () => acme.get("/Nothing")],
  ])("when %s is answered, then it carries nosniff and a CSP that loads nothing", async (_title, send) => {
    const res = await send();
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.headers["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(res.headers["strict-transport-security"]).toBeUndefined();
    for (const h of DOCUMENT_HEADERS) expect(res.headers[h]).toBeUndefined();
  });

  test("when a health check or the admin API answers, then it carries exactly the headers helmet itself sets", async () => {
    // helmet's headers are computed once at start-up (security-headers.ts): held equal to
    // helmet run per request, with the same options, on an app of its own.
    const own = express().use(
      helmet({
        strictTransportSecurity: false,
        contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
      }),
    );
    own.get("/", (_req, res) => res.end());
    const expected = (await request(own).get("/")).headers;
    const helmetNames = Object.keys(expected).filter(
      (h) => !["date", "connection", "content-length", "keep-alive"].includes(h),
    );
    expect(helmetNames.length).toBeGreaterThan(10);
    for (const path of ["/healthz", "/api/v1/me"]) {
      const res = await request(t.app).get(path);
      for (const h of helmetNames) expect([h, res.headers[h]]).toEqual([h, expected[h]]);
      expect(res.headers["x-powered-by"]).toBeUndefined();
    }
  });

  test("when the admin API or the portal answers, then it keeps every helmet header", async () => {
    for (const path of ["/api/v1/me", "/"]) {
      const res = await request(t.app).get(path);
      expect(res.headers["x-content-type-options"]).toBe("nosniff");
      expect(res.headers["x-frame-options"]).toBe("SAMEORIGIN");
      expect(res.headers["referrer-policy"]).toBe("no-referrer");
    }
  });
});

describe("SCIM security headers over https", () => {
  let t: TestApp;
  let acme: ScimClient;
  beforeAll(async () => {
    t = await createTestApp({ BASE_URL: "https://sso.test" });
    acme = await scimClient(t);
  });
  afterAll(() => t.close());

  test("when served over https, then SCIM answers announce the same HSTS policy as the pages", async () => {
    const scim = await acme.get("/Users").expect(200);
    const page = await request(t.app).get("/api/v1/me");
    expect(page.headers["strict-transport-security"]).toMatch(/^max-age=\d+/);
    expect(scim.headers["strict-transport-security"]).toBe(page.headers["strict-transport-security"]);
  });
});
