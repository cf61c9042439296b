// Users and the user page through HTTP: the table with its why column, filters in the URL,
// the empty state, the Role panel's full reason, the actions through the same guards as the
// admin API (CSRF, SSO on, last Admin), and no user management for Support and Viewer.
import request from "supertest";
import { createTestApp, type TestApp } from "../support/app";
import { rolesFixtures } from "../roles/fixtures";
import { orgWithMembers, ssoOn } from "../users/helpers";
import { formSession, postForm, textOf } from "./helpers";

let t: TestApp;
let f: ReturnType<typeof rolesFixtures>;
beforeAll(async () => {
  t = await createTestApp();
  f = rolesFixtures(t);
});
afterAll(() => t.close());

async function mappedOrg() {
  const m = await orgWithMembers(t);
  const admins = await f.group(m.org, "Okta-Admins");
  const dana = await f.scimUser(m.org, { firstName: "Dana", lastName: "Scully", email: "dana@example.test" });
  await f.join(dana, admins.id);
  await t.services.roles.putMappings(
    { orgId: m.org.id, actor: { type: "cli" } },
    {
      defaultRole: "Viewer",
      rules: [
        { group: "Okta-Admins", role: "Admin" },
        { group: "Nobody", role: "Support" },
        { group: "Else", role: "Viewer" },
      ],
    },
    { force: false },
  );
  return { ...m, dana };
}

describe("the users table", () => {
  test("when an Admin lists users, then each row says the role and why", async () => {
    const m = await mappedOrg();
    const res = await request(t.app).get("/users").set("Cookie", m.admin.cookie).expect(200);
    const text = textOf(res.text);
    expect(text).toContain("Dana Scully dana@example.test Active Admin group Okta-Admins SCIM");
    expect(text).toContain("Ada Admin");
    expect(text).toContain("set by hand");
    expect(res.headers["cache-control"]).toBe("no-store");
  });

  test("when filters are in the URL, then only matching users are listed and the form keeps them", async () => {
    const m = await mappedOrg();
    const res = await request(t.app)
      .get("/users?q=scully&role=Admin")
      .set("Cookie", m.admin.cookie)
      .expect(200);
    expect(res.text).toContain("dana@example.test");
    expect(res.text).not.toContain(m.admin.user.email);
    expect(res.text).toContain('value="scully"');
    expect(res.text).toMatch(/<option value="Admin" selected/);
  });

  test("when a page is full, then the next page link keeps the filters and shows the rest", async () => {
    const m = await orgWithMembers(t);
    for (let i = 0; i < 3; i++) await f.scimUser(m.org, { email: `bulk${i}@example.test` });
    const first = await request(t.app).get("/users?limit=2&q=bulk").set("Cookie", m.admin.cookie).expect(200);
    const next = /href="(\/users\?[^"]*cursor=[^"]+)"/.exec(first.text)?.[1]?.replace(/&amp;/g, "&");
    expect(next).toContain("q=bulk");
    const second = await request(t.app)
      .get(next as string)
      .set("Cookie", m.admin.cookie)
      .expect(200);
    expect(second.text).toContain("bulk2@example.test");
    expect(second.text).not.toContain("bulk0@example.test");
  });

  test("when a filter is not valid, then the page says so instead of answering JSON", async () => {
    const m = await orgWithMembers(t);
    const res = await request(t.app).get("/users?role=King").set("Cookie", m.admin.cookie).expect(400);
    expect(res.headers["content-type"]).toMatch(/^text\/html/);
    expect(res.text).toContain("role");
  });

  test("when Support or a Viewer opens user management, then it is refused with a page", async () => {
    const m = await orgWithMembers(t);
    for (const who of [m.support, m.viewer]) {
      const res = await request(t.app)
        .get("/users")
        .set("Cookie", who.cookie)
        .set("Accept", "text/html")
        .expect(403);
      expect(res.text).toContain("You don&#39;t have access to this page");
      await request(t.app).get(`/users/${m.admin.user.id}`).set("Cookie", who.cookie).expect(403);
    }
  });
});

describe("the user page", () => {
  test("when a user's role comes from a group, then the Role panel gives the rule and what they would have without it", async () => {
    const m = await mappedOrg();
    const res = await request(t.app).get(`/users/${m.dana.id}`).set("Cookie", m.admin.cookie).expect(200);
    expect(textOf(res.text)).toContain(
      "Admin, because of group Okta-Admins (rule 1 of 3). Without it: Viewer (default role).",
    );
  });

  test("when SSO is on, then every control is disabled with the sentence, and a forced post changes nothing", async () => {
    const m = await mappedOrg();
    await ssoOn(t, m.org);
    const path = `/users/${m.viewer.user.id}`;
    const res = await request(t.app).get(path).set("Cookie", m.admin.cookie).expect(200);
    expect(res.text).toContain("Managed by your identity provider (single sign-on is on)");
    const buttons = [...res.text.matchAll(/<button type="submit"[^>]*>/g)]
      .map((b) => b[0])
      .filter((b) => !b.includes('class="link"'));
    expect(buttons.length).toBeGreaterThan(3);
    for (const b of buttons) expect(b).toContain("disabled");
    const s = await formSession(t, m.admin.cookie, path);
    const post = await postForm(t, s, `${path}/block`, {}).expect(409);
    expect(post.headers["content-type"]).toMatch(/^text\/html/);
    expect((await f.userOf(m.viewer.user.id)).status).toBe("active");
  });

  test("when an Admin blocks a user with the form, then the user is blocked and the page says so", async () => {
    const m = await orgWithMembers(t);
    const path = `/users/${m.viewer.user.id}`;
    const s = await formSession(t, m.admin.cookie, path);
    const post = await postForm(t, s, `${path}/block`, {}).expect(303);
    expect(post.headers.location).toBe(`${path}?done=block`);
    expect((await f.userOf(m.viewer.user.id)).status).toBe("blocked");
    const after = await request(t.app)
      .get(post.headers.location as string)
      .set("Cookie", m.admin.cookie);
    expect(after.text).toContain("The user was blocked.");
  });

  test("when the form is posted without its CSRF token, then it is refused and nothing changes", async () => {
    const m = await orgWithMembers(t);
    const path = `/users/${m.viewer.user.id}`;
    const s = await formSession(t, m.admin.cookie, path);
    const res = await request(t.app)
      .post(`${path}/block`)
      .set("Cookie", s.cookie)
      .type("form")
      .send({})
      .expect(403);
    expect(res.headers["content-type"]).toMatch(/^text\/html/);
    expect(res.text).toContain("This form has expired");
    expect((await f.userOf(m.viewer.user.id)).status).toBe("active");
  });

  test("when the last Admin would be demoted, then the page explains the refusal", async () => {
    const m = await orgWithMembers(t);
    const path = `/users/${m.admin.user.id}`;
    const s = await formSession(t, m.admin.cookie, path);
    const res = await postForm(t, s, `${path}/role`, { role: "Viewer" }).expect(409);
    expect(res.text).toContain("notice-error");
    expect((await f.userOf(m.admin.user.id)).role).toBe("Admin");
  });

  test("when delete is confirmed with the wrong email, then nothing is deleted; with the right one, the user is gone", async () => {
    const m = await orgWithMembers(t);
    const path = `/users/${m.viewer.user.id}`;
    const s = await formSession(t, m.admin.cookie, path);
    await postForm(t, s, `${path}/delete`, { confirm: "someone@else.test" }).expect((r) =>
      expect(r.status).toBeGreaterThanOrEqual(400),
    );
    await postForm(t, s, `${path}/delete`, { confirm: m.viewer.user.email }).expect(303);
    expect(await t.db.prisma.user.findUnique({ where: { id: m.viewer.user.id } })).toBeNull();
  });
});
