// Issue 13 item 5: when accounts share an email, an SSO sign-in picks its user by NameID against
// userName, then externalId, then the email only where exactly one user has it; otherwise it is
// refused with ambiguous_user (never a guess between two people).
import request from "supertest";
import { createTestApp, type TestApp } from "../../support/app";
import { startSamlIdps, type SamlIdp, type SamlIdpPool } from "../../support/saml-idp";
import { expectRefused, postAcs, samlOrg } from "./saml-flow";

let t: TestApp;
let pool: SamlIdpPool;
let idp: SamlIdp;
beforeAll(async () => {
  t = await createTestApp();
  pool = startSamlIdps();
  idp = pool.create("https://idp.test/entra");
});
afterAll(async () => {
  await pool.close();
  await t.close();
});

async function orgWithSharedEmail() {
  const s = await samlOrg(t, idp, { allowIdpInitiated: true });
  const shared = { email: "shared@acme.test", provisionedBy: "scim" as const, role: null };
  const a = await t.given.user(s.org, { ...shared, userName: "alias-a", externalId: "ext-a" });
  const b = await t.given.user(s.org, { ...shared, userName: "alias-b", externalId: "ext-b" });
  return { s, a, b };
}

async function signIn(s: Awaited<ReturnType<typeof samlOrg>>, nameId: string) {
  const xml = await idp.respond({
    destination: s.acsUrl,
    audience: s.spEntityId,
    nameId,
    attributes: { email: ["shared@acme.test"], groups: ["Admins"] },
  });
  return postAcs(t, s.org, xml);
}

async function signedIn(s: Awaited<ReturnType<typeof samlOrg>>, nameId: string) {
  const res = await signIn(s, nameId);
  expect({ status: res.status, location: res.headers.location }).toEqual({ status: 302, location: "/" });
  return res;
}

async function userOf(res: request.Response): Promise<string> {
  const cookie = (res.headers["set-cookie"] as unknown as string[])[0]!.split(";")[0]!;
  return (await request(t.app).get("/api/v1/me").set("Cookie", cookie).expect(200)).body.user.id;
}

describe("SSO sign-in when accounts share an email", () => {
  test("when the NameID is one account's userName (any letter case), then that account signs in, not the other holder of the email", async () => {
    const { s, b } = await orgWithSharedEmail();
    expect(await userOf(await signedIn(s, "ALIAS-B"))).toBe(b.id);
  });

  test("when the NameID is one account's externalId, then that account signs in", async () => {
    const { s, a } = await orgWithSharedEmail();
    expect(await userOf(await signedIn(s, "ext-a"))).toBe(a.id);
  });

  test("when the NameID names neither and two accounts have the email, then the sign-in is refused with ambiguous_user and no account is created", async () => {
    const { s } = await orgWithSharedEmail();
    await expectRefused(t, s.org, await signIn(s, "someone-else"), "ambiguous_user", 403);
    expect(await t.db.prisma.user.count({ where: { orgId: s.org.id } })).toBe(2);
  });

  test("when exactly one account has the email, then the email finds it", async () => {
    const s = await samlOrg(t, idp, { allowIdpInitiated: true });
    const only = await t.given.user(s.org, {
      email: "shared@acme.test",
      userName: "only",
      provisionedBy: "scim",
    });
    expect(await userOf(await signedIn(s, "opaque-subject-1"))).toBe(only.id);
  });
});
