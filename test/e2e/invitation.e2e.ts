// An Admin invites someone from the portal; the invitee opens the link in another browser,
// chooses a password and arrives signed in.
import type { Browser } from "playwright-core";
import { expectAccessible, givenSignedInAdmin, newPage, usePortal, type PortalServer } from "./support";

let s: PortalServer;
let browser: Browser;
usePortal((server, b) => {
  [s, browser] = [server, b];
});

test("when an Admin invites a Support user and the invitee accepts, then the invitee is signed in with that role", async () => {
  const admin = await newPage(browser);
  await givenSignedInAdmin(admin.context, s);
  await admin.page.goto(s.url("/invitations"));
  await expectAccessible(admin.page);
  await admin.page.getByLabel("Email").fill("sam@example.test");
  await admin.page.getByLabel("First name").fill("Sam");
  await admin.page.getByLabel("Role").selectOption("Support");
  await admin.page.getByRole("button", { name: "Send invitation" }).click();
  await expect(admin.page.getByText("Invitation sent to sam@example.test.").isVisible()).resolves.toBe(true);
  await expectAccessible(admin.page);
  const link = (await admin.page.locator("#invitation-link").textContent())?.trim() ?? "";
  expect(link).toContain(`${s.baseUrl}/auth/invitations/`);

  const invitee = await newPage(browser);
  await invitee.page.goto(link);
  await invitee.page.getByLabel("Password").fill("a long enough password");
  await invitee.page.getByRole("button", { name: "Activate my account" }).click();
  await invitee.page.waitForURL((u) => u.pathname === "/profile");
  await expect(invitee.page.getByText("Support, set by hand by an Admin.").isVisible()).resolves.toBe(true);
  await expectAccessible(invitee.page);

  await admin.page.goto(s.url("/users?q=sam"));
  await expect(admin.page.getByRole("cell", { name: "Active" }).isVisible()).resolves.toBe(true);
  expect([...admin.problems, ...invitee.problems]).toEqual([]);
  await admin.context.close();
  await invitee.context.close();
});
