// setupState: the Overview's checklist and "needs attention" list tick from the real rows.
import { readFileSync } from "node:fs";
import path from "node:path";
import request from "supertest";
import { createTestApp, type TestApp } from "../support/app";
import { setupState } from "../../src/orgs/setup-state";
import { certificateDaysLeft, certificateNeedsWarning } from "../../src/sso/connection-health";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const IDP_CERT = readFileSync(path.join(__dirname, "../fixtures/saml/idp.test-only.crt"), "utf8");

describe("setup state", () => {
  test("when an organization is new, then nothing is ticked and no Admin is left", async () => {
    const org = await t.given.org();
    const state = await setupState(t.services, org.id, new Date());
    expect(state.steps).toEqual({
      connectionConfigured: false,
      testSignInPassed: false,
      scimTokenCreated: false,
      firstUserProvisioned: false,
      adminGroupMapped: false,
      ssoOn: false,
    });
    expect(state.attention).toEqual({
      certificateDaysLeft: null,
      certificateExpiring: false,
      scimErrors24h: 0,
      refusedSignIns24h: 0,
      noAdminLeft: true,
    });
  });

  test("when each step is done, then each line ticks, and the certificate's days left are counted from its notAfter", async () => {
    const org = await t.given.org();
    const key = await t.given.apiKey(org);
    await t.given.member(org, "Admin", { ssoGroups: ["IT"] });
    await t.given.scimToken(org);
    await t.given.user(org, { provisionedBy: "scim" });
    await request(t.app)
      .put(`/api/v1/orgs/${org.slug}/role-mappings`)
      .set("Authorization", `Bearer ${key}`)
      .send({ defaultRole: null, rules: [{ group: "IT", role: "Admin" }] })
      .expect(200);
    await request(t.app)
      .put(`/api/v1/orgs/${org.slug}/sso-connection`)
      .set("Authorization", `Bearer ${key}`)
      .send({
        protocol: "saml",
        idpEntityId: "https://idp.test",
        idpSsoUrl: "https://idp.test/sso",
        idpCertificates: [IDP_CERT],
      })
      .expect(201);
    await t.db.prisma.ssoConnection.update({ where: { orgId: org.id }, data: { testedAt: new Date() } });
    await request(t.app)
      .post(`/api/v1/orgs/${org.slug}/sso-connection/enable`)
      .set("Authorization", `Bearer ${key}`)
      .expect(200);

    const conn = await request(t.app)
      .get(`/api/v1/orgs/${org.slug}/sso-connection`)
      .set("Authorization", `Bearer ${key}`);
    const notAfter = new Date(conn.body.certificatesExpireAt[0] as string);
    const thirtyOneDaysBefore = new Date(notAfter.getTime() - 31 * 86_400_000);
    const state = await setupState(t.services, org.id, thirtyOneDaysBefore);
    expect(Object.values(state.steps)).toEqual([true, true, true, true, true, true]);
    expect(state.attention).toMatchObject({
      certificateDaysLeft: 31,
      certificateExpiring: false,
      noAdminLeft: false,
    });

    const record = { protocol: "saml" as const, config: { idpCertificates: [IDP_CERT] } };
    const thirtyDaysBefore = new Date(notAfter.getTime() - 30 * 86_400_000);
    expect(certificateDaysLeft(record, thirtyDaysBefore)).toBe(30);
    expect(certificateNeedsWarning(certificateDaysLeft(record, thirtyDaysBefore))).toBe(true);
    expect(certificateDaysLeft(record, new Date(notAfter.getTime() + 1000))).toBe(-1);
  });
});
