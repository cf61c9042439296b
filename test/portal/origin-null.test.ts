// Regression: a form on a page served with Referrer-Policy no-referrer (helmet's default, and
// the invitation page's own meta tag) is posted by Chrome with "Origin: null" and
// "Sec-Fetch-Site: same-origin"; the same-origin check refused it, so nobody could accept an
// invitation in a real browser (test/e2e/invitation.e2e.ts).
import request from "supertest";
import { createTestApp, type TestApp } from "../support/app";
import { orgWithMembers } from "../users/helpers";
import { formSession } from "./helpers";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

test("when our own no-referrer page posts a form (Origin: null, Sec-Fetch-Site: same-origin), then it is accepted", async () => {
  const m = await orgWithMembers(t);
  const s = await formSession(t, m.admin.cookie, "/settings");
  await request(t.app)
    .post("/settings")
    .set("Cookie", s.cookie)
    .set("Origin", "null")
    .set("Sec-Fetch-Site", "same-origin")
    .type("form")
    .send({ _csrf: s.token, name: "Renamed", invitationTtlHours: "72" })
    .expect(303);
  expect((await t.db.prisma.organization.findUniqueOrThrow({ where: { id: m.org.id } })).name).toBe(
    "Renamed",
  );
});

test("when an opaque origin posts from another site (Origin: null, Sec-Fetch-Site: cross-site), then it is still refused", async () => {
  const m = await orgWithMembers(t);
  const s = await formSession(t, m.admin.cookie, "/settings");
  await request(t.app)
    .post("/settings")
    .set("Cookie", s.cookie)
    .set("Origin", "null")
    .set("Sec-Fetch-Site", "cross-site")
    .type("form")
    .send({ _csrf: s.token, name: "Hijacked", invitationTtlHours: "72" })
    .expect(403);
  expect((await t.db.prisma.organization.findUniqueOrThrow({ where: { id: m.org.id } })).name).not.toBe(
    "Hijacked",
  );
});
