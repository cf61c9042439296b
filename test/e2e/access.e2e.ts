// What a Viewer can reach, and a form posted without its CSRF token.
import type { Browser } from "playwright-core";
import {
  expectAccessible,
  givenPerson,
  givenSignedInAdmin,
  newPage,
  signInWithPassword,
  usePortal,
  type PortalServer,
} from "./support";

let s: PortalServer;
let browser: Browser;
usePortal((server, b) => {
  [s, browser] = [server, b];
});

test("when a Viewer signs in, then they see only their profile and user management is refused", async () => {
  const viewer = await givenPerson(s, "Viewer", { firstName: "Vic", lastName: "Viewer" });
  const { context, page, problems } = await newPage(browser);
  await signInWithPassword(page, s, viewer);
  await page.waitForURL((u) => u.pathname === "/profile");
  const nav = await page.getByRole("navigation", { name: "Portal" }).getByRole("link").allTextContents();
  expect(nav).toEqual(["Profile"]);
  await expectAccessible(page);
  const res = await page.goto(s.url("/users"));
  expect(res?.status()).toBe(403);
  await expect(
    page.getByRole("heading", { name: "You don't have access to this page" }).isVisible(),
  ).resolves.toBe(true);
  await expectAccessible(page);
  expect((await page.goto(s.url("/groups")))?.status()).toBe(403);
  expect(problems.filter((p) => !p.includes("403"))).toEqual([]);
  await context.close();
});

test("when a form is posted without its CSRF token, then it is refused and nothing changes", async () => {
  const { context, page } = await newPage(browser);
  const admin = await givenSignedInAdmin(context, s);
  await page.goto(s.url("/settings"));
  await page.locator('form[action="/settings"] input[name="_csrf"]').evaluate((el) => el.remove());
  await page.getByLabel("Organization name").fill("Hijacked");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("heading", { name: "This form has expired" }).isVisible()).resolves.toBe(true);
  await expectAccessible(page);
  const org = await s.db.prisma.organization.findUniqueOrThrow({ where: { id: admin.org.id } });
  expect(org.name).toBe("Acme Corp");
  await context.close();
});
