// Data helpers for the roles tests: groups, memberships, SCIM-provisioned users, events.
import request from "supertest";
import type { Organization, User } from "../../src/generated/prisma/client";
import type { TestApp } from "../support/app";

export const mappingsUrl = (org: Organization, suffix = "") =>
  `/api/v1/orgs/${org.slug}/role-mappings${suffix}`;

export function rolesFixtures(t: TestApp) {
  const prisma = t.db.prisma;
  const f = {
    /** PUT /role-mappings with an API key (the query string may carry ?force=true). */
    put: (org: Organization, key: string, body: object, query = "") =>
      request(t.app).put(mappingsUrl(org, query)).set("Authorization", `Bearer ${key}`).send(body),
    group: (
      org: Organization,
      displayName: string,
      externalId: string | null = null,
      source: "scim" | "sso" | "manual" = "scim",
    ) => t.given.group(org, displayName, { externalId, source }),
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

    /** SCIM users alice in Engineering, bob in Support Desk, carol in no group, an invited Support, all recomputed once. */
    async engineeringOrg() {
      const org = await t.given.org();
      const key = await t.given.apiKey(org);
      const eng = await f.group(org, "Engineering", "0a1b2c3d-eng");
      const desk = await f.group(org, "Support Desk");
      const [alice, bob, carol] = [await f.scimUser(org), await f.scimUser(org), await f.scimUser(org)];
      await f.join(alice, eng.id);
      await f.join(bob, desk.id);
      const invited = await t.given.user(org, { role: "Support", assignedRole: "Support" });
      await f.put(org, key, { defaultRole: "Viewer", rules: [] }).expect(200);
      return { org, key, alice, bob, carol, invited };
    },
  };
  return f;
}
