// The IT admin's first hour in a real browser: the single sign-on stepper against the real
// pysaml2 IdP started here (its page posts the signed answer back), the test sign-in and its
// result, turning SSO on and seeing the user controls disabled, signing in through SSO, a
// refused sign-in in the activity log, and a SCIM token created, used and revoked.
import type { Browser, Page } from "playwright-core";
import { startSamlIdps, type SamlIdp, type SamlIdpPool } from "../support/saml-idp";
import {
  expectAccessible,
  givenPerson,
  launchBrowser,
  newPage,
  screenshot,
  signInByCookie,
  startPortal,
  type PortalServer,
} from "./support";
import { startIdpFront, type IdpFront } from "./support/saml-idp-front";

let s: PortalServer;
let browser: Browser;
let pool: SamlIdpPool;
let idp: SamlIdp;
let front: IdpFront;

beforeAll(async () => {
  [s, browser] = await Promise.all([startPortal(), launchBrowser()]);
  pool = startSamlIdps();
  idp = pool.create("https://idp.test/okta");
});
afterAll(async () => {
  await front?.close();
  await pool?.close();
  await browser?.close();
  await s?.stop();
});

const DANA = {
  nameId: "dana@acme.test",
  attributes: { email: ["dana@acme.test"], firstName: ["Dana"], groups: ["Admins"] },
};

async function idpContinue(page: Page) {
  await page.getByRole("button", { name: "Continue" }).click();
}

test("when the IT admin sets up SAML, tests, turns SSO on and signs in through it, then each step shows what is done and the user controls say they are managed by the IdP", async () => {
  const admin = await givenPerson(s, "Admin", { firstName: "Ian", lastName: "Tee" });
  const org = admin.org;
  // Ian is in the IdP's Admins group too, so he stays Admin once roles come from the mapping.
  await s.db.prisma.user.update({ where: { id: admin.user.id }, data: { ssoGroups: ["Admins"] } });
  await s.given.rules(org, [{ group: "Admins", role: "Admin" }]);
  const vic = await s.given.user(org, {
    email: "vic@acme.test",
    role: "Viewer",
    assignedRole: "Viewer",
    firstName: "Vic",
  });
  const base = `${s.baseUrl}/sso/${org.slug}`;
  front = await startIdpFront(idp, { entityId: `${base}/saml/metadata`, acsUrl: `${base}/saml/acs` });

  const { context, page, problems } = await newPage(browser);
  await signInByCookie(context, s, admin);
  await page.goto(s.url("/sso-setup"));
  await expect(page.getByLabel("ACS URL (single sign-on URL)", { exact: true }).inputValue()).resolves.toBe(
    `${base}/saml/acs`,
  );
  await expectAccessible(page);
  await screenshot(page, "sso-step-1");

  // Step 2: the IdP's fields.
  await page.getByLabel("IdP entity ID (issuer)").fill(idp.entityId);
  await page.getByLabel("IdP sign-in URL").fill(front.ssoUrl);
  await page.getByLabel("IdP signing certificate (PEM)").fill(idp.certPem);
  await page.getByRole("button", { name: "Save the fields" }).click();
  await page.waitForURL((u) => u.pathname === "/sso-setup" && u.searchParams.get("saved") === "1");
  await expect(page.getByText("signing certificate expires").first().isVisible()).resolves.toBe(true);
  await expectAccessible(page);
  await screenshot(page, "sso-step-2");

  // Step 3: the test sign-in opens the IdP in a new tab and comes back to the result.
  front.person = DANA;
  const [tab] = await Promise.all([
    context.waitForEvent("page"),
    page.getByRole("link", { name: "Start a test sign-in (opens a new tab)" }).click(),
  ]);
  await tab.waitForLoadState();
  await idpContinue(tab);
  await tab.waitForURL((u) => u.pathname === "/sso-setup" && u.searchParams.has("result"));
  await expect(tab.getByRole("heading", { name: /Test sign-in passed/ }).isVisible()).resolves.toBe(true);
  await expect(
    tab.getByText("This person would be signed in as Admin, because of group Admins.").count(),
  ).resolves.toBe(1);
  await expectAccessible(tab);
  await tab.locator("#step-3").scrollIntoViewIfNeeded();
  await screenshot(tab, "sso-step-3-test-result");
  expect(await s.db.prisma.user.count({ where: { orgId: org.id, email: "dana@acme.test" } })).toBe(0);

  // Step 4: the confirmation with the preview numbers, then on.
  await tab.getByRole("link", { name: "Review and turn on" }).click();
  await expect(tab.getByText(/manual management turns off/).isVisible()).resolves.toBe(true);
  await expect(tab.getByRole("cell", { name: "vic@acme.test" }).isVisible()).resolves.toBe(true);
  await expectAccessible(tab);
  await screenshot(tab, "sso-step-4-confirm");
  await tab.getByRole("button", { name: "Turn single sign-on on" }).click();
  await tab.waitForURL((u) => u.pathname === "/sso-setup");
  await expect(tab.getByText("Single sign-on: on").isVisible()).resolves.toBe(true);

  // The user controls, disabled with the sentence.
  await tab.goto(s.url(`/users/${vic.id}`));
  await expect(
    tab.getByText("Managed by your identity provider (single sign-on is on)").first().isVisible(),
  ).resolves.toBe(true);
  const buttons = tab.locator("main form button[type=submit]");
  expect(await buttons.count()).toBeGreaterThan(0);
  for (const b of await buttons.all()) await expect(b.isDisabled()).resolves.toBe(true);
  await expectAccessible(tab);
  expect(problems).toEqual([]);
  await context.close();

  // Dana signs in through SSO.
  const dana = await newPage(browser);
  await dana.page.goto(s.url("/login"));
  await dana.page.getByLabel("Organization").fill(org.slug);
  await dana.page.getByRole("button", { name: "Continue" }).click();
  await dana.page.getByRole("link", { name: "Continue with SSO" }).click();
  await idpContinue(dana.page);
  await dana.page.waitForURL((u) => u.pathname === "/");
  await expect(dana.page.getByRole("heading", { name: "Overview" }).isVisible()).resolves.toBe(true);

  // Someone whose groups give no role is refused, and the activity log says why.
  front.person = {
    nameId: "eve@acme.test",
    attributes: { email: ["eve@acme.test"], groups: ["Contractors"] },
  };
  const eve = await newPage(browser);
  await eve.page.goto(s.url(`/sso/${org.slug}/login`));
  await idpContinue(eve.page);
  await expect(eve.page.getByText("no_role").isVisible()).resolves.toBe(true);
  await eve.context.close();
  await dana.page.goto(s.url("/activity?result=refused"));
  await expect(dana.page.getByText("none of their groups gives a role").isVisible()).resolves.toBe(true);
  await expectAccessible(dana.page);
  await screenshot(dana.page, "activity-refusal");
  await dana.context.close();
});

test("when the admin creates a SCIM token, then it is shown once, the IdP's calls and errors appear, and a revoked token stops working", async () => {
  const admin = await givenPerson(s, "Admin");
  const { context, page, problems } = await newPage(browser);
  await signInByCookie(context, s, admin);
  await page.goto(s.url("/scim-setup"));
  await expectAccessible(page);
  await page.getByLabel("New token's name").fill("Okta");
  await page.getByRole("button", { name: "Create a token" }).click();
  await expect(page.getByText("This is the only time it is shown").isVisible()).resolves.toBe(true);
  const token = await page.getByLabel("SCIM token (shown once)", { exact: true }).inputValue();
  const scim = (path: string, init: RequestInit = {}) =>
    fetch(s.url(`/scim/v2/${admin.org.slug}${path}`), {
      ...init,
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/scim+json" },
    });
  const user = JSON.stringify({
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
    userName: "kim@acme.test",
    active: true,
  });
  expect((await scim("/Users", { method: "POST", body: user })).status).toBe(201);
  expect((await scim("/Users", { method: "POST", body: user })).status).toBe(409);
  for (
    let i = 0;
    i < 50 && (await s.db.prisma.scimError.count({ where: { orgId: admin.org.id } })) === 0;
    i++
  ) {
    await new Promise((r) => setTimeout(r, 20));
  }
  await page.goto(s.url("/scim-setup"));
  await expect(page.getByText("POST /scim/v2/{org}/Users").isVisible()).resolves.toBe(true);
  await expect(page.content()).resolves.not.toContain(token);
  await expectAccessible(page);
  await screenshot(page, "scim-activity");
  await page.getByRole("button", { name: "Revoke Okta" }).click();
  await expect(page.getByText("The token is revoked.").isVisible()).resolves.toBe(true);
  expect((await scim("/Users")).status).toBe(401);
  expect(problems).toEqual([]);
  await context.close();
});
