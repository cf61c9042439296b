// Factories: each test adds the data it needs, with defaults that make it valid.
// given.org(), given.apiKey(org), given.scimToken(org), given.user(org, {...}), given.users(org,
// emails), given.group(org, name), given.rules(org, [...]), given.session(user).
// Identity keys (*_lower, group_lower) are always the app's fold() of the value: build users,
// groups and rules here rather than computing keys by hand.
import { randomBytes } from "node:crypto";
import type { Group, Organization, Prisma, Role, User } from "../../src/generated/prisma/client";
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

    /**
     * Many users at once (one INSERT), userName = email, provisioned by SCIM unless overridden;
     * answers their ids in the order of `emails`.
     */
    async users(
      org: Organization,
      emails: string[],
      overrides: Omit<Partial<Prisma.UserCreateManyInput>, "email" | "userName"> = {},
    ): Promise<string[]> {
      const rows = await prisma.user.createManyAndReturn({
        data: emails.map((email) => ({
          orgId: org.id,
          email,
          emailLower: fold(email),
          userName: email,
          userNameLower: fold(email),
          provisionedBy: "scim" as const,
          ...overrides,
        })),
        select: { id: true, email: true },
      });
      const byEmail = new Map(rows.map((r) => [r.email, r.id]));
      return emails.map((e) => byEmail.get(e)!);
    },

    /** A group of the organization (SCIM's by default), optionally with members. */
    async group(
      org: Organization,
      displayName: string,
      overrides: Omit<Partial<Prisma.GroupUncheckedCreateInput>, "displayName"> & { members?: string[] } = {},
    ): Promise<Group> {
      const { members = [], ...rest } = overrides;
      const group = await prisma.group.create({
        data: { orgId: org.id, displayName, displayNameLower: fold(displayName), source: "scim", ...rest },
      });
      if (members.length > 0)
        await prisma.groupMembership.createMany({
          data: members.map((userId) => ({ groupId: group.id, userId, orgId: org.id })),
        });
      return group;
    },

    /**
     * Role-mapping rules written directly (no recompute: tests that need roles recomputed go
     * through the API or recomputeRoles), at positions from `from` (0) in list order.
     */
    async rules(org: Organization, rules: { group: string; role: Role }[], from = 0): Promise<void> {
      await prisma.roleMappingRule.createMany({
        data: rules.map((r, i) => ({
          orgId: org.id,
          position: from + i,
          group: r.group,
          groupLower: fold(r.group),
          role: r.role,
        })),
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
