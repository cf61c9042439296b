// The committed fixtures (test/fixtures/saml, made by pysaml2 + xmlsec1 with test-only keys),
// each posted to the ACS with the clock pinned to the fixture's own IssueInstant, and the exact
// outcome asserted: valid ones sign in, every invalid one is refused with its reason.
import { readFileSync } from "node:fs";
import path from "node:path";
import request from "supertest";
import { createTestApp, type TestApp } from "../../support/app";
import { FIXTURE, type FixtureEntry } from "../../fixtures/saml/generate";
import type { Organization } from "../../../src/generated/prisma/client";
import { expectRefused, postAcs, sessionCount } from "./saml-flow";

const DIR = path.join(__dirname, "../../fixtures/saml");
const manifest = JSON.parse(readFileSync(path.join(DIR, "manifest.json"), "utf8")) as FixtureEntry[];

let t: TestApp;
let org: Organization;
let now = new Date();

beforeAll(async () => {
  t = await createTestApp({ BASE_URL: FIXTURE.baseUrl }, { clock: () => now });
  org = await t.given.org({ slug: FIXTURE.slug });
  const key = await t.given.apiKey(org);
  await t.given.rules(org, [{ group: "Admins", role: "Admin" }]);
  await request(t.app)
    .put(`/api/v1/orgs/${org.slug}/sso-connection`)
    .set("Authorization", `Bearer ${key}`)
    .send({
      protocol: "saml",
      idpEntityId: FIXTURE.idpEntityId,
      idpSsoUrl: `${FIXTURE.idpEntityId}/sso/redirect`,
      idpCertificates: [readFileSync(path.join(DIR, "idp.test-only.crt"), "utf8")],
    })
    .expect(201);
  await request(t.app)
    .post(`/api/v1/orgs/${org.slug}/sso-connection/enable`)
    .set("Authorization", `Bearer ${key}`)
    .expect(200);
});
afterAll(() => t.close());

test.each(manifest.map((e) => [e.file, e.expect, e] as const))(
  "when the ACS receives %s, then the outcome is %s",
  async (_file, expected, entry) => {
    const xml = readFileSync(path.join(DIR, entry.file), "utf8");
    const issued = /<(?:\w+:)?Response [^>]*IssueInstant="([^"]+)"/.exec(xml)?.[1] as string;
    now = new Date(Date.parse(issued) + entry.clockOffsetSeconds * 1000);
    // A fresh, unanswered AuthnRequest with the id the fixture answers.
    await t.db.prisma.samlRequest.deleteMany({ where: { id: FIXTURE.requestId } });
    await t.db.prisma.samlRequest.create({
      data: {
        id: FIXTURE.requestId,
        orgId: org.id,
        returnTo: "/fixtures",
        expiresAt: new Date(now.getTime() + 600_000),
      },
    });
    const before = await sessionCount(t, org);
    const res = await postAcs(t, org, xml);
    if (expected === "signed_in") {
      expect(res.status).toBe(302);
      expect(res.headers.location).toBe("/fixtures");
      expect(await sessionCount(t, org)).toBe(before + 1);
    } else {
      await expectRefused(t, org, res, expected, 401, before);
    }
  },
);
