// The SCIM page (token created with its value shown once, revoked, activity with the latest
// error) and the sign-in activity page (refusals with their reason, filterable), Admins only.
import request from "supertest";
import { createTestApp, type TestApp } from "../support/app";
import { login, PASSWORD, userWithPassword } from "../auth/helpers";
import { postForm } from "./form-helpers";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const html = (cookie: string, p: string) =>
  request(t.app).get(p).set("Cookie", cookie).set("Accept", "text/html");

describe("SCIM page", () => {
  test("when an Admin creates a token, then its value is shown once and works; revoked, it stops working", async () => {
    const org = await t.given.org();
    const { cookie } = await t.given.member(org, "Admin");
    const created = await postForm(t, "/scim-setup", "/scim-setup/tokens", cookie, { name: "Okta prod" });
    expect(created.status).toBe(201);
    expect(created.text).toContain("This is the only time it is shown");
    const token = /id="new-token" value="([^"]+)"/.exec(created.text)?.[1] as string;
    await request(t.app)
      .get(`/scim/v2/${org.slug}/Users`)
      .set("Authorization", `Bearer ${token}`)
      .expect(200);
    await request(t.app)
      .get(`/scim/v2/${org.slug}/Users/00000000-0000-4000-8000-000000000000`)
      .set("Authorization", `Bearer ${token}`)
      .expect(404);

    const again = await html(cookie, "/scim-setup").expect(200);
    expect(again.text).not.toContain(token);
    expect(again.text).toContain("Okta prod");
    expect(again.text).toContain(`${t.config.baseUrl}/scim/v2/${org.slug}`);
    const row = await t.db.prisma.scimToken.findFirstOrThrow({ where: { orgId: org.id } });
    for (let i = 0; i < 50 && (await t.db.prisma.scimError.count({ where: { orgId: org.id } })) === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const withError = await html(cookie, "/scim-setup").expect(200);
    expect(withError.text).toContain("GET /scim/v2/{org}/Users/:id");

    const revoked = await postForm(t, "/scim-setup", `/scim-setup/tokens/${row.id}/revoke`, cookie, {});
    expect(revoked.status).toBe(200);
    expect(revoked.text).toContain("The token is revoked.");
    await request(t.app)
      .get(`/scim/v2/${org.slug}/Users`)
      .set("Authorization", `Bearer ${token}`)
      .expect(401);
  });

  test("when a Support user opens it, then it is refused", async () => {
    const org = await t.given.org();
    const { cookie } = await t.given.member(org, "Support");
    await html(cookie, "/scim-setup").expect(403);
    await html(cookie, "/activity").expect(403);
  });
});

describe("activity page", () => {
  test("when a password is mistyped, then the refusal is listed in words with its code, and the filter keeps only refusals", async () => {
    const org = await t.given.org();
    const { cookie } = await t.given.member(org, "Admin");
    await userWithPassword(t, org, { email: "bob@acme.test" });
    await login(t, { org: org.slug, email: "bob@acme.test", password: PASSWORD });
    await login(t, { org: org.slug, email: "bob@acme.test", password: "wrong wrong wrong" });
    const all = await html(cookie, "/activity").expect(200);
    expect(all.text).toContain("wrong password");
    expect(all.text).toContain("<code>invalid_credentials</code>");
    expect(all.text).toContain("Signed in");
    const refused = await html(cookie, "/activity?result=refused").expect(200);
    expect(refused.text).toContain("invalid_credentials");
    expect(refused.text).not.toContain("<td>Signed in</td>");
  });
});
