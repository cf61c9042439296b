// Issue 13 item 3: turning SSO on, the first day of a rollout. Rules already map an IdP group to
// Admin but nobody holds it yet: SSO goes on, the answer says who changed role, and the local
// admin, whose role now comes from the mapping, gets back in with `sso-bridge recover`.
import request from "supertest";
import type { Organization, Role } from "../../../src/generated/prisma/client";
import { cliActor } from "../../../src/shared/context";
import { createTestApp, type TestApp } from "../../support/app";
import { startSamlIdps, type SamlIdp, type SamlIdpPool } from "../../support/saml-idp";
import { sessionCookieOf, submitForm } from "../../support/forms";

let t: TestApp;
let pool: SamlIdpPool;
let idp: SamlIdp;

beforeAll(async () => {
  t = await createTestApp();
  pool = startSamlIdps();
  idp = pool.create("https://idp.test/okta");
});
afterAll(async () => {
  await pool.close();
  await t.close();
});

async function orgWithConnection(rules: { group: string; role: Role }[], defaultRole: Role | null = null) {
  const org = await t.given.org({ defaultRole });
  const key = await t.given.apiKey(org);
  await t.given.rules(org, rules);
  await request(t.app)
    .put(`/api/v1/orgs/${org.slug}/sso-connection`)
    .set("Authorization", `Bearer ${key}`)
    .send({ protocol: "saml", idpMetadataXml: idp.metadataXml() })
    .expect(201);
  const localAdmin = await t.given.user(org, {
    email: `it@${org.slug}.test`,
    role: "Admin",
    assignedRole: "Admin",
  });
  const agent = await t.given.user(org, { role: "Support", assignedRole: "Support" });
  return { org, key, localAdmin, agent };
}

const toggle = (org: Organization, key: string, action: "enable" | "disable", query = "") =>
  request(t.app)
    .post(`/api/v1/orgs/${org.slug}/sso-connection/${action}${query}`)
    .set("Authorization", `Bearer ${key}`);

const roleOf = async (id: string) => (await t.db.prisma.user.findUniqueOrThrow({ where: { id } })).role;

describe("POST /sso-connection/enable (issue 13 item 3)", () => {
  test("when a rule maps sso-admins to Admin but nobody holds that group yet, then SSO goes on and the answer counts who changed role, by new role", async () => {
    const { org, key, localAdmin, agent } = await orgWithConnection([{ group: "sso-admins", role: "Admin" }]);
    const res = await toggle(org, key, "enable").expect(200);
    expect(res.body).toMatchObject({
      enabled: true,
      changed: 2,
      byRole: { Admin: 0, Support: 0, Viewer: 0, none: 2 },
    });
    expect(res.body.notice).toMatch(/local admins' included, now comes from the role mapping/);
    expect(res.body.notice).toContain(`sso-bridge recover --org ${org.slug}`);
    expect(await roleOf(localAdmin.id)).toBeNull();
    expect(await roleOf(agent.id)).toBeNull();
    const detail = await request(t.app)
      .get(`/api/v1/orgs/${org.slug}/users/${localAdmin.id}`)
      .set("Authorization", `Bearer ${key}`)
      .expect(200);
    // No rule matches their (absent) IdP groups and there is no default role: no role, not a hand-set one.
    expect(detail.body).toMatchObject({ role: null, roleSource: { kind: "default" } });
    const audit = await t.db.prisma.auditEvent.findFirstOrThrow({
      where: { orgId: org.id, action: "sso.enabled" },
    });
    expect(audit.data).toMatchObject({ changed: 2, byRole: { none: 2 } });
    expect(audit.data).not.toHaveProperty("forced");

    // Turning it off answers the same way: the hand-set roles return.
    const off = await toggle(org, key, "disable").expect(200);
    expect(off.body).toMatchObject({
      enabled: false,
      changed: 2,
      byRole: { Admin: 1, Support: 1, Viewer: 0, none: 0 },
    });
    expect(await roleOf(localAdmin.id)).toBe("Admin");
  });

  test("when the default role is Admin, then SSO goes on (anyone signing in could become Admin)", async () => {
    const { org, key } = await orgWithConnection([{ group: "staff", role: "Viewer" }], "Admin");
    const res = await toggle(org, key, "enable").expect(200);
    expect(res.body).toMatchObject({
      enabled: true,
      changed: 1,
      byRole: { Admin: 1, Support: 0, Viewer: 0, none: 0 },
    });
  });

  test("when no rule maps any group to Admin, then 409 would_remove_last_admin and nothing changes; ?force=true turns SSO on and is audited as forced", async () => {
    const { org, key, localAdmin } = await orgWithConnection([{ group: "staff", role: "Viewer" }]);
    const refused = await toggle(org, key, "enable").expect(409);
    expect(refused.headers["content-type"]).toMatch(/application\/problem\+json/);
    expect(refused.body).toMatchObject({ code: "would_remove_last_admin", status: 409 });
    expect(refused.body.detail).toMatch(/no role-mapping rule maps an IdP group to Admin/);
    expect((await t.db.prisma.ssoConnection.findUniqueOrThrow({ where: { orgId: org.id } })).enabled).toBe(
      false,
    );
    expect(await roleOf(localAdmin.id)).toBe("Admin");

    const forced = await toggle(org, key, "enable", "?force=true").expect(200);
    expect(forced.body).toMatchObject({ enabled: true, changed: 2, byRole: { none: 2 } });
    const audit = await t.db.prisma.auditEvent.findFirstOrThrow({
      where: { orgId: org.id, action: "sso.enabled" },
    });
    expect(audit.data).toMatchObject({ forced: true });
  });

  test("when SSO is already on, then enable answers that nothing changed", async () => {
    const { org, key } = await orgWithConnection([{ group: "sso-admins", role: "Admin" }]);
    await toggle(org, key, "enable").expect(200);
    const again = await toggle(org, key, "enable").expect(200);
    expect(again.body).toMatchObject({
      enabled: true,
      changed: 0,
      byRole: { Admin: 0, Support: 0, Viewer: 0, none: 0 },
    });
  });
});

describe("sso-bridge recover while SSO is on (issue 13 item 3)", () => {
  test.each([
    ["the local admin, whose mapped role is none", "none"],
    ["an SSO user whose mapping makes them Viewer", "Viewer"],
  ])("when the link is issued for %s, then it signs them in once, acting as Admin", async (_who, mapped) => {
    const { org, key, localAdmin } = await orgWithConnection(
      [{ group: "sso-admins", role: "Admin" }],
      mapped === "Viewer" ? "Viewer" : null,
    );
    await toggle(org, key, "enable").expect(200);
    const user =
      mapped === "Viewer"
        ? await t.given.user(org, {
            role: "Viewer",
            manualRole: false,
            assignedRole: null,
            provisionedBy: "sso",
          })
        : localAdmin;
    expect(await roleOf(user.id)).toBe(mapped === "Viewer" ? "Viewer" : null);

    // What `sso-bridge recover --org <slug> --email <email>` runs.
    const link = await t.services.auth.issueRecoveryLink(
      { orgId: org.id, actor: cliActor },
      { email: user.email },
    );
    const path = new URL(link.url).pathname;
    const signedIn = await submitForm(t.app, path);
    expect(signedIn.status).toBe(303);
    const cookie = sessionCookieOf(signedIn);
    const me = await request(t.app).get("/api/v1/me").set("Cookie", cookie).expect(200);
    expect(me.body).toMatchObject({ user: { email: user.email }, role: "Admin", breakGlass: true });
    // Acting as Admin: the mapping can be repaired from this session.
    await request(t.app)
      .put(`/api/v1/orgs/${org.slug}/role-mappings`)
      .set("Cookie", cookie)
      .set("Origin", t.config.baseUrl)
      .send({
        defaultRole: null,
        rules: [
          { group: "sso-admins", role: "Admin" },
          { group: "it", role: "Admin" },
        ],
      })
      .expect(200);
    await request(t.app).post(path).set("Origin", t.config.baseUrl).expect(410);
  });
});
