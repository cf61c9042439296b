// The single sign-on stepper at /sso-setup: the values to paste into the IdP, saving the IdP's
// details through the same service as the admin API (with field errors on the page), the
// enable confirmation with the preview numbers, and Admins only.
import { readFileSync } from "node:fs";
import path from "node:path";
import request from "supertest";
import { createTestApp, type TestApp } from "../support/app";
import { postForm } from "./form-helpers";

async function status(res: Promise<request.Response>, code: number) {
  const r = await res;
  expect({ status: r.status, text: r.status === code ? "" : r.text }).toEqual({ status: code, text: "" });
  return r;
}

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const IDP_CERT = readFileSync(path.join(__dirname, "../fixtures/saml/idp.test-only.crt"), "utf8");
const html = (cookie: string, p: string) =>
  request(t.app).get(p).set("Cookie", cookie).set("Accept", "text/html");

describe("single sign-on page", () => {
  test("when nothing is set up, then step 1 shows the values to paste and the other steps say what is missing", async () => {
    const org = await t.given.org();
    const { cookie } = await t.given.member(org, "Admin");
    const res = await html(cookie, "/sso-setup").expect(200);
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.text).toContain(`${t.config.baseUrl}/sso/${org.slug}/saml/acs`);
    expect(res.text).toContain(`${t.config.baseUrl}/sso/${org.slug}/oidc/callback`);
    expect(res.text).toContain("Nothing saved yet.");
    expect(res.text).toContain("No test sign-in has passed yet.");
  });

  test("when the SAML fields are saved, then the page shows them and the certificate's expiry; a bad URL is named on the page", async () => {
    const org = await t.given.org();
    const { cookie } = await t.given.member(org, "Admin");
    const bad = await status(
      postForm(t, "/sso-setup", "/sso-setup/connection", cookie, {
        protocol: "saml",
        idpEntityId: "https://idp.test",
        idpSsoUrl: "not a url",
        idpCertificate: IDP_CERT,
      }),
      400,
    );
    expect(bad.text).toContain("were not saved");
    expect(bad.text).toContain("idpSsoUrl");
    const ok = await status(
      postForm(t, "/sso-setup", "/sso-setup/connection", cookie, {
        protocol: "saml",
        idpEntityId: "https://idp.test",
        idpSsoUrl: "https://idp.test/sso",
        idpCertificate: IDP_CERT,
      }),
      303,
    );
    expect(ok.headers.location).toBe("/sso-setup?saved=1#step-3");
    const res = await html(cookie, "/sso-setup").expect(200);
    expect(res.text).toContain("https://idp.test/sso");
    expect(res.text).toContain("signing certificate expires");
    expect(res.text).toContain(`/sso/${org.slug}/login?test=1`);
    const audit = await t.db.prisma.auditEvent.findFirst({
      where: { orgId: org.id, action: "sso.connection_created" },
    });
    expect(audit?.actorType).toBe("user");
  });

  test("when the Admin reviews turning SSO on, then the page shows who changes role and that manual management turns off; confirming turns it on", async () => {
    const org = await t.given.org();
    const { cookie } = await t.given.member(org, "Admin", { email: "it@acme.test", ssoGroups: ["IT"] });
    await t.given.user(org, { email: "vic@acme.test", role: "Viewer", assignedRole: "Viewer" });
    await t.given.rules(org, [{ group: "IT", role: "Admin" }]);
    await t.db.prisma.ssoConnection.create({
      data: { orgId: org.id, protocol: "oidc", config: { issuer: "https://op.test", clientId: "c" } },
    });
    const confirm = await html(cookie, "/sso-setup/enable").expect(200);
    expect(confirm.text).toContain("manual management turns off");
    expect(confirm.text).toMatch(/<strong>1<\/strong> user change role now: 1 → no role/);
    expect(confirm.text).toContain("vic@acme.test");
    // The preview changed nothing.
    expect((await t.db.prisma.ssoConnection.findUniqueOrThrow({ where: { orgId: org.id } })).enabled).toBe(
      false,
    );
    await status(postForm(t, "/sso-setup/enable", "/sso-setup/enable", cookie, {}), 303);
    expect((await t.db.prisma.ssoConnection.findUniqueOrThrow({ where: { orgId: org.id } })).enabled).toBe(
      true,
    );
  });

  test("when a Viewer opens it, or a form comes without its CSRF token, then it is refused", async () => {
    const org = await t.given.org();
    const viewer = await t.given.member(org, "Viewer");
    await html(viewer.cookie, "/sso-setup").expect(403);
    const admin = await t.given.member(org, "Admin");
    await request(t.app)
      .post("/sso-setup/disable")
      .set("Cookie", admin.cookie)
      .type("form")
      .send({})
      .expect(403);
  });
});
