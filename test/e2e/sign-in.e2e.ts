// Signing in through the portal in a real browser: organization, email and password, then the
// authenticator's code; signing out. Runs on PGlite and PostgreSQL.
import type { Browser } from "playwright-core";
import { generateSync } from "otplib";
import { generateSecret } from "otplib";
import { expectAccessible, givenPerson, newPage, PASSWORD, usePortal, type PortalServer } from "./support";

let s: PortalServer;
let browser: Browser;
usePortal((server, b) => {
  [s, browser] = [server, b];
});

test("when an Admin with an authenticator signs in with password and TOTP, then the overview opens; signing out ends it", async () => {
  const admin = await givenPerson(s, "Admin");
  const secret = generateSecret();
  await s.db.prisma.user.update({
    where: { id: admin.user.id },
    data: { totpSecret: s.services.cipher.encrypt(secret), totpEnabledAt: new Date() },
  });
  const { context, page, problems } = await newPage(browser);
  await page.goto(s.url("/users"));
  expect(new URL(page.url()).pathname).toBe("/login");
  await page.getByLabel("Organization").fill(admin.org.slug);
  await page.getByRole("button", { name: "Continue" }).click();
  await expectAccessible(page);
  await page.getByLabel("Email").fill(admin.email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/login\/mfa/);
  await expectAccessible(page);
  await page.getByLabel("Authentication code").fill(generateSync({ secret }));
  await page.getByRole("button", { name: "Verify" }).click();
  await page.waitForURL((u) => u.pathname === "/users");
  await expect(page.getByRole("heading", { name: "Users" }).isVisible()).resolves.toBe(true);

  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(/\/login\?signedOut=1/);
  await expect(page.getByText("You are signed out.").isVisible()).resolves.toBe(true);
  await page.goto(s.url("/users"));
  expect(new URL(page.url()).pathname).toBe("/login");
  expect(problems).toEqual([]);
  await context.close();
});

test("when the password is wrong, then the sign-in page says so in words", async () => {
  const admin = await givenPerson(s, "Admin");
  const { context, page } = await newPage(browser);
  await page.goto(s.url(`/login?org=${admin.org.slug}`));
  await page.getByLabel("Email").fill(admin.email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(
    page.getByText("The organization, email or password is not correct.").isVisible(),
  ).resolves.toBe(true);
  await expectAccessible(page);
  await context.close();
});
