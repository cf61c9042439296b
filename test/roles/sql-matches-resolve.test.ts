// The set-based SQL recompute and the pure resolveRole must agree on every user: generated
// organizations (seeded, so a failure reproduces) with groups, ids, sign-in values in mixed
// case, overage, invited users and SSO on or off.
import type { Organization, Role } from "../../src/generated/prisma/client";
import { recomputeOrgRoles, recomputeRoles } from "../../src/roles/recompute";
import { resolveRole } from "../../src/roles/resolve";
import { systemActor } from "../../src/shared/context";
import { createTestApp, type TestApp } from "../support/app";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

/** mulberry32: a small seeded PRNG. */
function prng(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const some = <T>(xs: readonly T[], p: number): T[] => xs.filter(() => next() < p);
  const recase = (s: string) => pick([s, s.toUpperCase(), s.toLowerCase()]);
  return { next, pick, some, recase };
}

const ROLES: Role[] = ["Admin", "Support", "Viewer"];

async function generateOrg(seed: number, ssoOn: boolean): Promise<Organization> {
  const r = prng(seed);
  const org = await t.given.org({ defaultRole: r.pick([null, ...ROLES]) });
  const names = [
    "Portal Admins",
    "Helpdesk",
    "Tier 2",
    "Everyone",
    "Ärzte",
    "Straße",
    "İzmir Ops",
    "Finance",
    "Ops",
  ];
  const groups = [];
  for (const [i, name] of names.entries()) {
    const externalId = r.next() < 0.6 ? `${seed}-obj-${i}-ID` : null;
    groups.push(await t.given.group(org, name, { externalId }));
  }
  const labels = groups.flatMap((g) => (g.externalId ? [g.displayName, g.externalId] : [g.displayName]));
  const ruleLabels = [...labels, "Unknown Group", "Sign-in Only"];
  const rules = Array.from({ length: 6 }, () => ({
    group: r.recase(r.pick(ruleLabels)),
    role: r.pick(ROLES),
  }));
  await t.given.rules(org, rules);
  if (ssoOn)
    await t.db.prisma.ssoConnection.create({ data: { orgId: org.id, protocol: "oidc", enabled: true } });
  for (let i = 0; i < 40; i++) {
    const provisionedBy = r.pick(["scim", "sso", "invite"] as const);
    const user = await t.given.user(org, {
      provisionedBy,
      manualRole: r.next() < 0.7,
      assignedRole: r.pick([null, ...ROLES]),
      role: null,
      ssoGroups: r.some([...labels, "Sign-in Only", "noise"], 0.2).map(r.recase),
      ssoGroupsOverage: r.next() < 0.15,
    });
    for (const g of r.some(groups, 0.25)) {
      await t.db.prisma.groupMembership.create({ data: { orgId: org.id, userId: user.id, groupId: g.id } });
    }
  }
  return org;
}

async function expectAgreement(org: Organization, ssoOn: boolean) {
  const [stored, rules, groups] = await Promise.all([
    t.db.prisma.organization.findUniqueOrThrow({ where: { id: org.id } }),
    t.db.prisma.roleMappingRule.findMany({ where: { orgId: org.id }, orderBy: { position: "asc" } }),
    t.db.prisma.group.findMany({ where: { orgId: org.id } }),
  ]);
  const users = await t.db.prisma.user.findMany({
    where: { orgId: org.id },
    include: { memberships: { include: { group: true } } },
  });
  let mapped = 0;
  for (const u of users) {
    const expected = resolveRole({
      rules: rules.map((x) => ({ group: x.group, role: x.role })),
      defaultRole: stored.defaultRole,
      memberships: u.memberships.map((m) => m.group),
      ssoGroups: u.ssoGroups,
      ssoGroupsOverage: u.ssoGroupsOverage,
      knownGroups: groups,
      user: u,
      ssoOn,
    });
    expect({ email: u.email, role: u.role, roleSource: u.roleSource }).toEqual({
      email: u.email,
      ...expected,
    });
    if (expected.roleSource.kind === "mapping") mapped += 1;
  }
  expect(mapped).toBeGreaterThan(0);
}

describe("SQL recompute and resolveRole", () => {
  test.each([
    [11, false],
    [12, true],
    [13, true],
    [14, false],
  ])(
    "when org %i (SSO on: %s) is recomputed as a whole, then every user matches resolveRole",
    async (seed, ssoOn) => {
      const org = await generateOrg(seed, ssoOn);
      await t.db.prisma.$transaction((tx) => recomputeOrgRoles(tx, { orgId: org.id, actor: systemActor() }));
      await expectAgreement(org, ssoOn);
    },
  );

  test("when users are recomputed by id, then the result is the same as the whole-org recompute", async () => {
    const org = await generateOrg(21, true);
    const ids = (await t.db.prisma.user.findMany({ where: { orgId: org.id }, select: { id: true } })).map(
      (u) => u.id,
    );
    await t.db.prisma.$transaction((tx) => recomputeRoles(tx, { orgId: org.id, actor: systemActor() }, ids));
    await expectAgreement(org, true);
    const again = await t.db.prisma.$transaction((tx) =>
      recomputeOrgRoles(tx, { orgId: org.id, actor: systemActor() }),
    );
    expect(again.changed).toBe(0);
  });
});
