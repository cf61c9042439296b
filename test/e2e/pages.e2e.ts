// Every portal page an Admin can open, checked by axe (no serious or critical violation) at
// desktop width, the users table at phone width, and the screenshots of docs/portal.md.
import type { Browser } from "playwright-core";
import {
  expectAccessible,
  givenSignedInAdmin,
  MOBILE,
  newPage,
  screenshot,
  usePortal,
  type PortalServer,
} from "./support";

let s: PortalServer;
let browser: Browser;
usePortal((server, b) => {
  [s, browser] = [server, b];
});

/** Half of the set-up done: a connection (off), a SCIM token, users from SCIM with groups and rules. */
async function halfSetUp(orgId: string) {
  const prisma = s.db.prisma;
  const org = await prisma.organization.findUniqueOrThrow({ where: { id: orgId } });
  await prisma.ssoConnection.create({ data: { orgId, protocol: "saml", enabled: false } });
  await s.given.scimToken(org, "Okta");
  const group = (name: string) => s.given.group(org, name);
  const [support, eng] = [await group("Okta-Support"), await group("Engineering")];
  const people = [
    ["Dana", "Scully", support.id],
    ["Fox", "Mulder", eng.id],
    ["Walter", "Skinner", eng.id],
    ["Monica", "Reyes", null],
  ] as const;
  const ids: string[] = [];
  for (const [firstName, lastName, groupId] of people) {
    const u = await s.given.user(org, {
      email: `${firstName.toLowerCase()}@acme.example`,
      firstName,
      lastName,
      provisionedBy: "scim",
      manualRole: false,
      assignedRole: null,
      role: null,
      lastSignInAt: new Date(Date.now() - 3 * 86_400_000),
    });
    if (groupId) await prisma.groupMembership.create({ data: { orgId, userId: u.id, groupId } });
    ids.push(u.id);
  }
  await s.services.roles.putMappings(
    { orgId, actor: { type: "cli" } },
    { defaultRole: "Viewer", rules: [{ group: "Okta-Support", role: "Support" }] },
    { force: false },
  );
  return ids;
}

test("when an Admin visits every page, then each is accessible and free of console errors", async () => {
  const { context, page, problems } = await newPage(browser);
  const admin = await givenSignedInAdmin(context, s);
  const [dana] = await halfSetUp(admin.org.id);

  await page.goto(s.url("/"));
  await expect(page.getByRole("heading", { name: "Set-up: 3 of 6 done" }).isVisible()).resolves.toBe(true);
  await expectAccessible(page);
  await screenshot(page, "overview");

  await page.goto(s.url("/users"));
  await expect(page.getByRole("cell", { name: "group Okta-Support" }).isVisible()).resolves.toBe(true);
  await expectAccessible(page);
  await screenshot(page, "users");

  for (const path of [
    `/users/${dana}`,
    "/groups",
    "/invitations",
    "/audit",
    "/settings",
    "/profile",
    "/users?q=nobody",
  ]) {
    await page.goto(s.url(path));
    await expectAccessible(page);
  }
  const missing = await page.goto(s.url("/no-such-page"));
  expect(missing?.status()).toBe(404);
  await expectAccessible(page);
  expect(problems.filter((p) => !p.includes("404"))).toEqual([]);
  await context.close();
});

test("when the users table is opened on a phone, then it fits the screen and stays accessible", async () => {
  const { context, page } = await newPage(browser, { viewport: MOBILE });
  const admin = await givenSignedInAdmin(context, s);
  await halfSetUp(admin.org.id);
  await page.goto(s.url("/users"));
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(MOBILE.width);
  await expectAccessible(page);
  await screenshot(page, "users-mobile");
  await context.close();
});
