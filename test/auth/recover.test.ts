import request from "supertest";
import { createTestApp, type TestApp } from "../support/app";
import { runCommand } from "../../src/cli/commands";
import { movableClock, ssoOn } from "../users/helpers";
import { openForm } from "../support/forms";

const clock = movableClock(new Date("2026-06-01T12:00:00Z"));
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({}, { clock: clock.now });
});
afterAll(() => t.close());

async function recover(org: string, email: string) {
  return runCommand(t.services, { command: "recover", args: { org, email } });
}

async function recoverLink(org: string, email: string): Promise<{ url: string; expiresAt: string }> {
  const out = await recover(org, email);
  if (!out.ok) throw new Error(out.error.message);
  return out.result as { url: string; expiresAt: string };
}

const pathOf = (url: string) => new URL(url).pathname;

describe("break-glass recovery link", () => {
  test("when `recover` runs for an Admin while SSO is enforced, then the one-time link signs them in, once, and both steps are audited", async () => {
    const org = await t.given.org();
    const admin = await t.given.user(org, { role: "Admin", email: "it@acme.test" });
    await ssoOn(t, org);
    const { url, expiresAt } = await recoverLink(org.slug, "IT@acme.test");
    expect(url).toMatch(/^http:\/\/sso\.test\/auth\/recover\/sbr_/);
    expect(new Date(expiresAt).getTime() - clock.now().getTime()).toBe(15 * 60_000);
    const stored = await t.db.prisma.loginLink.findFirstOrThrow({ where: { userId: admin.id } });
    expect(url).not.toContain(stored.secretHash);

    // Opening the link only shows a confirmation form: a mail scanner's GET spends nothing.
    const page = await request(t.app).get(pathOf(url)).expect(200);
    expect(page.text).toContain(`action="${pathOf(url)}"`);
    await request(t.app).get(pathOf(url)).expect(200);

    const form = await openForm(t.app, pathOf(url));
    const res = await request(t.app)
      .post(pathOf(url))
      .set("Cookie", form.cookie)
      .type("form")
      .send({ _csrf: form.token })
      .expect(303);
    expect(res.headers.location).toBe("/");
    const cookie = res.headers["set-cookie"]![0]!.split(";")[0]!;
    const me = await request(t.app).get("/api/v1/me").set("Cookie", cookie).expect(200);
    expect(me.body.user.email).toBe("it@acme.test");
    const session = await t.db.prisma.session.findFirstOrThrow({ where: { userId: admin.id } });
    expect(session.method).toBe("recovery");

    const again = await request(t.app).post(pathOf(url)).expect(410);
    expect(again.body.reason).toBe("login_link_invalid");
    // The link's secret never reaches a log line (request lines show the path as :token).
    expect(t.rawLogs.join("")).not.toContain(url.split("/").pop());
    expect(t.logs.some((l) => l.path === "/auth/recover/:token")).toBe(true);
    const actions = (
      await t.db.prisma.auditEvent.findMany({ where: { orgId: org.id, targetId: admin.id } })
    ).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["auth.recovery_link_issued", "auth.recovery_link_used"]));
  });

  test("when 15 minutes have passed, then the link answers 410 with a page", async () => {
    const org = await t.given.org();
    await t.given.user(org, { role: "Admin", email: "late@acme.test" });
    const out = { result: await recoverLink(org.slug, "late@acme.test") };
    clock.advance(15 * 60_000);
    const page = await request(t.app).get(pathOf(out.result.url)).expect(410);
    expect(page.text).toMatch(/no longer valid/);
    await request(t.app).post(pathOf(out.result.url)).expect(410);
  });

  test("when the email is not an active user's, then no link is issued", async () => {
    const org = await t.given.org();
    await t.given.user(org, { role: "Admin", email: "gone@acme.test", status: "deactivated" });
    await t.given.user(org, { role: "Admin", email: "blocked@acme.test", status: "blocked" });
    for (const email of ["gone@acme.test", "blocked@acme.test", "nobody@acme.test"]) {
      const out = await recover(org.slug, email);
      expect(out).toEqual({
        ok: false,
        error: { code: "not_found", message: expect.stringMatching(/no active user/) },
      });
    }
    expect(await t.db.prisma.loginLink.count({ where: { orgId: org.id } })).toBe(0);
  });

  test("when a forced mapping change left no Admin, then a recovered user acts as Admin for that session and can repair the mapping", async () => {
    const org = await t.given.org();
    const user = await t.given.user(org, { role: "Viewer", email: "locked-out@acme.test" });
    await ssoOn(t, org);
    const { url } = await recoverLink(org.slug, "locked-out@acme.test");
    const form = await openForm(t.app, pathOf(url));
    const res = await request(t.app)
      .post(pathOf(url))
      .set("Cookie", form.cookie)
      .type("form")
      .send({ _csrf: form.token })
      .expect(303);
    const cookie = res.headers["set-cookie"]![0]!.split(";")[0]!;
    const me = await request(t.app).get("/api/v1/me").set("Cookie", cookie).expect(200);
    expect(me.body).toMatchObject({ role: "Admin", breakGlass: true, user: { id: user.id, role: "Viewer" } });
    await request(t.app)
      .put(`/api/v1/orgs/${org.slug}/role-mappings`)
      .set("Cookie", cookie)
      .send({ defaultRole: null, rules: [{ group: "IT Admins", role: "Admin" }] })
      .expect(200);
    // An ordinary session of the same user has only the user's own (mapped) role.
    const plain = await t.given.session(user);
    await request(t.app)
      .put(`/api/v1/orgs/${org.slug}/role-mappings`)
      .set("Cookie", plain)
      .send({ defaultRole: null, rules: [] })
      .expect(403);
  });

  test("when the link is tampered with, then 410", async () => {
    const org = await t.given.org();
    await t.given.user(org, { role: "Admin", email: "tamper@acme.test" });
    const out = { result: await recoverLink(org.slug, "tamper@acme.test") };
    const tampered = pathOf(out.result.url).slice(0, -2) + (out.result.url.endsWith("AA") ? "BB" : "AA");
    await request(t.app).post(tampered).expect(410);
    await request(t.app).get(pathOf(out.result.url)).expect(200);
  });
});
