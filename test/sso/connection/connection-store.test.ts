// The joined read every /sso request starts with (connection-store.ts loadOrgAndConnection) is
// raw SQL on the driver: these hold it equal to what the Prisma client reads for the same
// organization and connection, so a column added to either model cannot go missing from it.
import request from "supertest";
import { loadConnection, loadOrgAndConnection } from "../../../src/sso/connection-store";
import { createTestApp, type TestApp } from "../../support/app";
import { startSamlIdps, type SamlIdpPool } from "../../support/saml-idp";

let t: TestApp;
let pool: SamlIdpPool;

beforeAll(async () => {
  t = await createTestApp();
  pool = startSamlIdps();
});
afterAll(async () => {
  await pool.close();
  await t.close();
});

describe("loadOrgAndConnection", () => {
  test("when the organization has a connection, then both equal the Prisma client's reads, secrets decrypted", async () => {
    const org = await t.given.org({ seatLimit: 7, defaultRole: "Viewer", plan: "enterprise" });
    const key = await t.given.apiKey(org);
    const idp = pool.create(`https://idp.test/${org.slug}`);
    await request(t.app)
      .put(`/api/v1/orgs/${org.slug}/sso-connection`)
      .set("Authorization", `Bearer ${key}`)
      .send({ protocol: "saml", idpMetadataXml: idp.metadataXml(), allowIdpInitiated: true })
      .expect(201);
    await t.db.prisma.ssoConnection.update({
      where: { orgId: org.id },
      data: { testedAt: new Date(), secrets: t.services.cipher.encrypt(JSON.stringify({ spare: "kept" })) },
    });
    const found = await loadOrgAndConnection(t.db, t.services.cipher, org.slug);
    expect(found).not.toBeNull();
    expect(found!.org).toEqual(await t.db.prisma.organization.findUniqueOrThrow({ where: { id: org.id } }));
    const viaPrisma = await loadConnection(t.db.prisma, t.services.cipher, org.id);
    expect(found!.connection).toEqual(viaPrisma);
    expect(found!.connection!.testedAt).toBeInstanceOf(Date);
    expect(found!.connection!.secrets).toEqual({ spare: "kept" });
  });

  test("when the organization has no connection, then the organization comes with a null connection", async () => {
    const org = await t.given.org();
    const found = await loadOrgAndConnection(t.db, t.services.cipher, org.slug);
    expect(found).toEqual({
      org: await t.db.prisma.organization.findUniqueOrThrow({ where: { id: org.id } }),
      connection: null,
    });
  });

  test("when no organization has the slug, then the answer is null", async () => {
    expect(await loadOrgAndConnection(t.db, t.services.cipher, "no-such-org")).toBeNull();
  });
});
