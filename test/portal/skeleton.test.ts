// The portal's frame through HTTP: HTML answers with the strict CSP and no-store, sign-in
// redirects, role-based navigation, escaping of people's names, error pages for browsers,
// and long-cached assets.
import request from "supertest";
import { createTestApp, type TestApp } from "../support/app";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe("portal pages", () => {
  test("when an Admin opens /, then the overview is HTML with no-store and a CSP without inline script or style", async () => {
    const org = await t.given.org({ name: "Acme Corp" });
    const { cookie } = await t.given.member(org, "Admin");
    const res = await request(t.app).get("/").set("Cookie", cookie).set("Accept", "text/html").expect(200);
    expect(res.headers["content-type"]).toMatch(/^text\/html/);
    expect(res.headers["cache-control"]).toBe("no-store");
    const csp = res.headers["content-security-policy"] as string;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(res.text).toContain("Acme Corp");
    expect(res.text).toContain("Single sign-on: not set up");
    expect(res.text).toMatch(/Set-up: \d of 6 done/);
    expect(res.text).not.toMatch(/<script>|<style|style="|\son[a-z]+="/);
    for (const label of [
      "Users",
      "Groups &amp; roles",
      "Single sign-on",
      "SCIM",
      "Activity",
      "Audit log",
      "Settings",
    ])
      expect(res.text).toContain(`>${label}</a>`);
  });

  test("when a user's name holds markup, then the header shows it escaped", async () => {
    const org = await t.given.org({ name: "<b>Org</b>" });
    const { cookie } = await t.given.member(org, "Admin", { firstName: "<script>alert(1)</script>" });
    const res = await request(t.app).get("/").set("Cookie", cookie).expect(200);
    expect(res.text).not.toContain("<script>alert");
    expect(res.text).toContain("&lt;script>alert(1)&lt;/script>");
    expect(res.text).not.toContain("<b>Org</b>");
  });

  test("when a Viewer opens /, then they are sent to their profile and see only Profile in the navigation", async () => {
    const org = await t.given.org();
    const { cookie } = await t.given.member(org, "Viewer");
    const res = await request(t.app).get("/").set("Cookie", cookie).expect(303);
    expect(res.headers.location).toBe("/profile");
  });

  test("when nobody is signed in, then a portal page redirects to /login with returnTo", async () => {
    const res = await request(t.app).get("/?from=mail").set("Accept", "text/html").expect(303);
    expect(res.headers.location).toBe(`/login?returnTo=${encodeURIComponent("/?from=mail")}`);
    const home = await request(t.app).get("/").expect(303);
    expect(home.headers.location).toBe("/login");
  });

  test("when a browser asks for an unknown URL, then it gets an HTML 404 page with the request id, never JSON", async () => {
    const res = await request(t.app).get("/no-such-page").set("Accept", "text/html,*/*").expect(404);
    expect(res.headers["content-type"]).toMatch(/^text\/html/);
    expect(res.text).toContain("Page not found");
    expect(res.text).toContain(res.headers["x-request-id"] as string);
  });

  test("when an API client asks for an unknown URL, then it still gets problem+json", async () => {
    const res = await request(t.app).get("/api/v1/nothing").set("Accept", "text/html").expect(404);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    const other = await request(t.app).get("/no-such-page").set("Accept", "application/json").expect(404);
    expect(other.headers["content-type"]).toMatch(/^application\/problem\+json/);
  });
});

describe("portal assets", () => {
  test("when a page links its stylesheet and scripts, then they are served from /assets with a year of caching", async () => {
    const res = await request(t.app).get("/login").expect(200);
    const urls = [...res.text.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((m) => m[1] as string);
    expect(urls).toHaveLength(2); // portal.css and portal.js
    for (const url of urls) {
      const asset = await request(t.app).get(url).expect(200);
      expect(asset.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    }
    await request(t.app).get("/assets/x/nothing.js").set("Accept", "*/*").expect(404);
  });
});
