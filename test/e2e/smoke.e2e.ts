// The portal's frame in a real browser: sign-in page, overview, the assets load under the CSP.
import type { Browser } from "playwright-core";
import { expectAccessible, givenSignedInAdmin, newPage, usePortal, type PortalServer } from "./support";

let s: PortalServer;
let browser: Browser;
usePortal((server, b) => {
  [s, browser] = [server, b];
});

test("when an Admin opens the portal, then the overview renders with its stylesheet and no CSP violation", async () => {
  const { context, page, problems } = await newPage(browser);
  await givenSignedInAdmin(context, s);
  await page.goto(s.url("/"));
  await expect(page.getByRole("heading", { name: "Overview" }).isVisible()).resolves.toBe(true);
  const navFont = await page.locator("header.top").evaluate((el) => getComputedStyle(el).borderBottomStyle);
  expect(navFont).toBe("solid");
  await expectAccessible(page);
  expect(problems).toEqual([]);
  await context.close();
});

test("when nobody is signed in, then the sign-in page asks for the organization and is accessible", async () => {
  const { context, page, problems } = await newPage(browser);
  await page.goto(s.url("/"));
  expect(new URL(page.url()).pathname).toBe("/login");
  await expect(page.getByLabel("Organization").isVisible()).resolves.toBe(true);
  await expectAccessible(page);
  expect(problems).toEqual([]);
  await context.close();
});
