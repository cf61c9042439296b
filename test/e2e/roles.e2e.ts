// Changing the role mapping in a real browser: edit a rule, watch the live preview, save, and
// read the new role and its reason on the user page.
import type { Browser } from "playwright-core";
import {
  expectAccessible,
  givenSignedInAdmin,
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

async function orgWithGroups(orgId: string) {
  const prisma = s.db.prisma;
  const org = await prisma.organization.findUniqueOrThrow({ where: { id: orgId } });
  const group = (name: string) => s.given.group(org, name);
  const [admins, eng] = [await group("Okta-Admins"), await group("Engineering")];
  const people = [
    ["dana@example.test", "Dana", "Scully", eng.id],
    ["fox@example.test", "Fox", "Mulder", eng.id],
    ["walter@example.test", "Walter", "Skinner", admins.id],
  ] as const;
  const users = [];
  for (const [email, firstName, lastName, groupId] of people) {
    const u = await s.given.user(org, {
      email,
      firstName,
      lastName,
      provisionedBy: "scim",
      manualRole: false,
      assignedRole: null,
      role: null,
    });
    await prisma.groupMembership.create({ data: { orgId, userId: u.id, groupId } });
    users.push(u);
  }
  await s.services.roles.putMappings(
    { orgId, actor: { type: "cli" } },
    { defaultRole: "Viewer", rules: [{ group: "Okta-Admins", role: "Admin" }] },
    { force: false },
  );
  return users;
}

test("when an Admin adds a rule, then the preview shows who changes before saving, and after saving the user page gives the reason", async () => {
  const { context, page, problems } = await newPage(browser);
  const admin = await givenSignedInAdmin(context, s);
  const [dana] = await orgWithGroups(admin.org.id);
  await page.goto(s.url("/groups"));
  await expectAccessible(page);

  await page.getByRole("button", { name: "Add a rule" }).click();
  await page.getByLabel("Group of rule 2").fill("Engineering");
  await page.getByLabel("Role of rule 2").selectOption("Support");
  const preview = page.locator("#preview");
  await preview.getByText("2 users change role: 2 → Support.").waitFor();
  await expect(preview.getByRole("cell", { name: "dana@example.test" }).isVisible()).resolves.toBe(true);
  expect(await s.db.prisma.roleMappingRule.count({ where: { orgId: admin.org.id } })).toBe(1);
  await expectAccessible(page);
  await screenshot(page, "mapping-preview");

  await page.getByRole("button", { name: "Move rule 2 up" }).click();
  expect(await page.getByLabel("Group of rule 1").inputValue()).toBe("Engineering");
  await page.getByRole("button", { name: "Save rules" }).click();
  await expect(page.getByText("Rules saved.").isVisible()).resolves.toBe(true);

  await page.goto(s.url(`/users/${dana!.id}`));
  await expect(
    page
      .getByText("Support, because of group Engineering (rule 1 of 2). Without it: Viewer (default role).")
      .isVisible(),
  ).resolves.toBe(true);
  await expectAccessible(page);
  await screenshot(page, "user-role-panel");
  expect(problems).toEqual([]);
  await context.close();
});
