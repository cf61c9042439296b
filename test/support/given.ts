// Factories: each test adds the data it needs, with defaults that make it valid.
// given.org(), given.apiKey(org), given.scimToken(org), given.user(org, {...}), given.session(user)
import { randomBytes } from "node:crypto";
import type { Organization, Prisma, User } from "../../src/generated/prisma/client";
import type { Services } from "../../src/services";
import { cliActor } from "../../src/shared/context";
import { SESSION_COOKIE } from "../../src/sessions/sessions-service";
import { fold } from "../../src/shared/fold";

const unique = () => randomBytes(4).toString("hex");

export function createGiven(services: Services) {
  const prisma = services.db.prisma;
  const ctx = (org: Organization) => ({ orgId: org.id, actor: cliActor });

  const given = {
    async org(overrides: Partial<Prisma.OrganizationUncheckedCreateInput> = {}): Promise<Organization> {
      const slug = overrides.slug ?? `org-${unique()}`;
      return prisma.organization.create({ data: { slug, name: `Org ${slug}`, ...overrides } });
    },

    async apiKey(org: Organization, name = "test"): Promise<string> {
      return (await services.credentials.create("api_key", ctx(org), name)).token;
    },

    async scimToken(org: Organization, name = "okta"): Promise<string> {
      return (await services.credentials.create("scim_token", ctx(org), name)).token;
    },

    async user(org: Organization, overrides: Partial<Prisma.UserUncheckedCreateInput> = {}): Promise<User> {
      const email = overrides.email ?? `user-${unique()}@${org.slug}.test`;
      return prisma.user.create({
        data: {
          orgId: org.id,
          email,
          emailLower: fold(email),
          userName: overrides.userName ?? email,
          userNameLower: fold(overrides.userName ?? email),
          status: "active",
          role: "Viewer",
          manualRole: true,
          assignedRole: overrides.role === undefined ? "Viewer" : overrides.role,
          roleSource: { kind: "manual", rules: [] },
          provisionedBy: "invite",
          ...overrides,
        },
      });
    },

    /** A full session for the user; returns the Cookie header value. */
    async session(user: User, method: "password" | "saml" | "oidc" = "password"): Promise<string> {
      const s = await services.sessions.create(prisma, { orgId: user.orgId, userId: user.id, method });
      return `${SESSION_COOKIE}=${s.cookieValue}`;
    },

    /** An active user with a role and a signed-in session. */
    async member(
      org: Organization,
      role: User["role"],
      overrides: Partial<Prisma.UserUncheckedCreateInput> = {},
    ) {
      const user = await given.user(org, { role, ...overrides });
      return { user, cookie: await given.session(user) };
    },
  };
  return given;
}

export type Given = ReturnType<typeof createGiven>;
