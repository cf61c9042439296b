// Data helpers for the roles tests: groups, memberships, SCIM-provisioned users, events.
import type { Organization, User } from "../../src/generated/prisma/client";
import type { TestApp } from "../support/app";

export function rolesFixtures(t: TestApp) {
  const prisma = t.db.prisma;
  return {
    group: (
      org: Organization,
      displayName: string,
      externalId: string | null = null,
      source: "scim" | "sso" | "manual" = "scim",
    ) =>
      prisma.group.create({
        data: { orgId: org.id, displayName, displayNameLower: displayName.toLowerCase(), externalId, source },
      }),
    scimUser: (org: Organization, extra: Parameters<TestApp["given"]["user"]>[1] = {}) =>
      t.given.user(org, {
        provisionedBy: "scim",
        manualRole: false,
        assignedRole: null,
        role: null,
        roleSource: { kind: "default", rules: [] },
        ...extra,
      }),
    join: (user: User, groupId: string) =>
      prisma.groupMembership.create({ data: { orgId: user.orgId, userId: user.id, groupId } }),
    ssoOn: (org: Organization) =>
      prisma.ssoConnection.create({ data: { orgId: org.id, protocol: "saml", enabled: true } }),
    roleEvents: async (org: Organization) => ({
      audit: await prisma.auditEvent.findMany({
        where: { orgId: org.id, action: "user.role_changed" },
        orderBy: { seq: "asc" },
      }),
      outbox: await prisma.outboxEvent.findMany({
        where: { orgId: org.id, type: "user.role_changed" },
        orderBy: { id: "asc" },
      }),
    }),
    userOf: (id: string) => prisma.user.findUniqueOrThrow({ where: { id } }),
  };
}
