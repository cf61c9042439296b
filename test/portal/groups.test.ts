// Groups & roles through HTTP: the editor's draft operations, the preview before saving (full
// page and fragment), saving through the role-mappings service, and the last-Admin guard.
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

async function orgWithEngineers() {
  const m = await orgWithMembers(t);
  const eng = await f.group(m.org, "Engineering");
  for (let i = 0; i < 3; i++)
    await f.join(await f.scimUser(m.org, { email: `eng${i}@example.test` }), eng.id);
  return m;
}

/** A urlencoded body with repeated group/role fields, as the browser posts the editor. */
function editorBody(token: string, rules: [string, string][], extra: Record<string, string>): string {
  const p = new URLSearchParams({ _csrf: token, defaultRole: "Viewer", ...extra });
  for (const [g, r] of rules) {
    p.append("group", g);
    p.append("role", r);
  }
  return p.toString();
}

test("when an Admin opens Groups & roles, then the groups show members, source and mapped role", async () => {
  const m = await orgWithEngineers();
  const res = await request(t.app).get("/groups").set("Cookie", m.admin.cookie).expect(200);
  expect(textOf(res.text)).toContain("Engineering 3 SCIM None");
  expect(res.text).toContain('data-preview="/groups/preview"');
});

test("when a rule is added in the draft, then the preview counts the users who would change and nothing is saved", async () => {
  const m = await orgWithEngineers();
  const s = await formSession(t, m.admin.cookie, "/groups");
  const body = editorBody(s.token, [["Engineering", "Support"]], { op: "preview" });
  const res = await request(t.app)
    .post("/groups/rules")
    .set("Cookie", s.cookie)
    .type("form")
    .send(body)
    .expect(200);
  expect(textOf(res.text)).toContain("3 users change role: 3 → Support.");
  expect(res.text).toContain("eng0@example.test");
  expect(await t.db.prisma.roleMappingRule.count({ where: { orgId: m.org.id } })).toBe(0);

  const fragment = await request(t.app)
    .post("/groups/preview")
    .set("Cookie", s.cookie)
    .type("form")
    .send(body)
    .expect(200);
  expect(fragment.text).not.toContain("<html");
  expect(textOf(fragment.text)).toContain("3 users change role: 3 → Support.");
});

test("when the draft's buttons move and remove rules, then the page shows the new order unsaved", async () => {
  const m = await orgWithEngineers();
  const s = await formSession(t, m.admin.cookie, "/groups");
  const rules: [string, string][] = [
    ["A", "Viewer"],
    ["B", "Support"],
    ["C", "Admin"],
  ];
  const moved = await request(t.app)
    .post("/groups/rules")
    .set("Cookie", s.cookie)
    .type("form")
    .send(editorBody(s.token, rules, { op: "up:2" }))
    .expect(200);
  const order = [...moved.text.matchAll(/name="group" value="([^"]*)"/g)].map((x) => x[1]);
  expect(order).toEqual(["A", "C", "B"]);
  const removed = await request(t.app)
    .post("/groups/rules")
    .set("Cookie", s.cookie)
    .type("form")
    .send(editorBody(s.token, rules, { op: "remove:0" }))
    .expect(200);
  expect([...removed.text.matchAll(/name="group" value="([^"]*)"/g)].map((x) => x[1])).toEqual(["B", "C"]);
  const added = await request(t.app)
    .post("/groups/rules")
    .set("Cookie", s.cookie)
    .type("form")
    .send(editorBody(s.token, rules, { op: "add" }))
    .expect(200);
  expect([...added.text.matchAll(/name="group" value="([^"]*)"/g)].map((x) => x[1])).toEqual([
    "A",
    "B",
    "C",
    "",
  ]);
});

test("when the rules are saved, then the users get the role and the user page gives the reason", async () => {
  const m = await orgWithEngineers();
  const s = await formSession(t, m.admin.cookie, "/groups");
  const res = await request(t.app)
    .post("/groups/rules")
    .set("Cookie", s.cookie)
    .type("form")
    .send(editorBody(s.token, [["Engineering", "Support"]], { op: "save" }))
    .expect(303);
  expect(res.headers.location).toBe("/groups?saved=3");
  const eng0 = await t.db.prisma.user.findFirstOrThrow({
    where: { orgId: m.org.id, email: "eng0@example.test" },
  });
  expect(eng0.role).toBe("Support");
  const page = await request(t.app).get(`/users/${eng0.id}`).set("Cookie", m.admin.cookie);
  expect(textOf(page.text)).toContain(
    "Support, because of group Engineering (rule 1 of 1). Without it: Viewer (default role).",
  );
});

test("when saving would leave no Admin while SSO is on, then the page explains the guard and nothing changes", async () => {
  const m = await orgWithEngineers();
  const admins = await f.group(m.org, "Admins");
  const boss = await f.scimUser(m.org, { email: "boss@example.test" });
  await f.join(boss, admins.id);
  await t.services.roles.putMappings(
    { orgId: m.org.id, actor: { type: "cli" } },
    { defaultRole: "Viewer", rules: [{ group: "Admins", role: "Admin" }] },
    { force: false },
  );
  await ssoOn(t, m.org);
  const s = await formSession(t, m.admin.cookie, "/groups");
  const res = await postForm(t, s, "/groups/rules", { op: "save", defaultRole: "Viewer" }).expect(409);
  expect(textOf(res.text)).toContain("These rules leave no active Admin while single sign-on is on");
  expect(res.text).toContain('name="force"');
  expect((await t.db.prisma.user.findUniqueOrThrow({ where: { id: boss.id } })).role).toBe("Admin");
});

test("when a Viewer posts the editor, then it is refused", async () => {
  const m = await orgWithMembers(t);
  const s = await formSession(t, m.viewer.cookie, "/profile").catch(() => null);
  const res = await request(t.app)
    .post("/groups/preview")
    .set("Cookie", s?.cookie ?? m.viewer.cookie)
    .type("form")
    .send({ _csrf: s?.token ?? "x" });
  expect(res.status).toBe(403);
});
