// People and their sign-in, for browser tests: an organization with an Admin who has a password,
// signed in through the real /login form (or, where the test is not about signing in, by the
// session cookie the sign-in would set).
import { randomBytes } from "node:crypto";
import type { BrowserContext, Page } from "playwright-core";
import type { Organization, User } from "../../../src/generated/prisma/client";
import { hashPassword } from "../../../src/auth/passwords";
import { SESSION_COOKIE } from "../../../src/sessions/sessions-service";
import type { PortalServer } from "./server";

export const PASSWORD = "correct horse battery staple";

export interface Person {
  org: Organization;
  user: User;
  email: string;
}

export async function givenPerson(
  s: PortalServer,
  role: User["role"],
  options: { org?: Organization; firstName?: string; lastName?: string } = {},
): Promise<Person> {
  const org = options.org ?? (await s.given.org({ name: "Acme Corp" }));
  const first = options.firstName ?? "Ada";
  const user = await s.given.user(org, {
    // Unique per test, readable in screenshots.
    email: `${first.toLowerCase()}.${randomBytes(3).toString("hex")}@acme.example`,
    role,
    assignedRole: role,
    firstName: first,
    lastName: options.lastName ?? "Admin",
    passwordHash: await hashPassword(PASSWORD),
  });
  return { org, user, email: user.email };
}

/** Signs in through the portal's own pages (organization, email, password). */
export async function signInWithPassword(
  page: Page,
  s: PortalServer,
  p: Person,
  returnTo = "/",
): Promise<void> {
  await page.goto(s.url(returnTo === "/" ? "/login" : `/login?returnTo=${encodeURIComponent(returnTo)}`));
  await page.getByLabel("Organization").fill(p.org.slug);
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByLabel("Email").fill(p.email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** A signed-in browser without going through the form (for tests about other pages). */
export async function signInByCookie(context: BrowserContext, s: PortalServer, p: Person): Promise<void> {
  const cookie = await s.given.session(p.user);
  const value = cookie.slice(`${SESSION_COOKIE}=`.length);
  await context.addCookies([
    { name: SESSION_COOKIE, value, url: s.baseUrl, httpOnly: true, sameSite: "Lax" },
  ]);
}

export async function givenSignedInAdmin(
  context: BrowserContext,
  s: PortalServer,
  org?: Organization,
): Promise<Person> {
  const admin = await givenPerson(s, "Admin", { org });
  await signInByCookie(context, s, admin);
  return admin;
}
