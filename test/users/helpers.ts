// Shared set-up of the user-management tests: an organization with one signed-in member per
// role, SSO switched on the way the SSO capability stores it (an enabled connection row), and
// a snapshot of everything a manual write could change.
import request from "supertest";
import type { Organization } from "../../src/generated/prisma/client";
import type { TestApp } from "../support/app";

export async function orgWithMembers(t: TestApp, overrides: Parameters<TestApp["given"]["org"]>[0] = {}) {
  const org = await t.given.org(overrides);
  const admin = await t.given.member(org, "Admin", { firstName: "Ada", lastName: "Admin" });
  const support = await t.given.member(org, "Support");
  const viewer = await t.given.member(org, "Viewer");
  return { org, admin, support, viewer, base: `/api/v1/orgs/${org.slug}` };
}

export async function ssoOn(t: TestApp, org: Organization): Promise<void> {
  await t.db.prisma.ssoConnection.upsert({
    where: { orgId: org.id },
    create: { orgId: org.id, protocol: "saml", enabled: true },
    update: { enabled: true },
  });
}

export async function ssoOff(t: TestApp, org: Organization): Promise<void> {
  await t.db.prisma.ssoConnection.update({ where: { orgId: org.id }, data: { enabled: false } });
}

/** Users (every column), invitations, memberships and sessions of the org, in a stable order. */
export async function snapshot(t: TestApp, org: Organization) {
  const p = t.db.prisma;
  const where = { where: { orgId: org.id } };
  return {
    users: await p.user.findMany({ ...where, orderBy: { id: "asc" } }),
    invitations: await p.invitation.findMany({ ...where, orderBy: { id: "asc" } }),
    memberships: await p.groupMembership.findMany({
      ...where,
      orderBy: [{ groupId: "asc" }, { userId: "asc" }],
    }),
    sessions: await p.session.findMany({ ...where, orderBy: { id: "asc" } }),
    groups: await p.group.findMany({ ...where, orderBy: { id: "asc" } }),
  };
}

/** A clock the test can move; every service of the test app reads it. */
export function movableClock(start = new Date()) {
  let now = start.getTime();
  return {
    now: () => new Date(now),
    advance(ms: number) {
      now += ms;
    },
  };
}

/** The token part of an invitation link. */
export const tokenOf = (url: string) => url.split("/auth/invitations/")[1] as string;

/** POST {base}/invitations as the signed-in user of `cookie`. */
export function invite(t: TestApp, base: string, cookie: string, invitations: object[]) {
  return request(t.app).post(`${base}/invitations`).set("Cookie", cookie).send({ invitations });
}
