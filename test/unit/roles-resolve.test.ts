// Table-driven tests of the pure role resolution (contract sections 2 and 6).
import { resolveRole, roleOfGroup, type ResolveInput } from "../../src/roles/resolve";

const ENTRA_ID = "5d2e7f10-93ab-4c1e-b0a4-1e2f3a4b5c6d";
const scim = { provisionedBy: "scim", manualRole: false, assignedRole: null } as const;
const invited = { provisionedBy: "invite", manualRole: true, assignedRole: "Support" } as const;

const base: ResolveInput = {
  rules: [
    { group: "Portal Admins", role: "Admin" },
    { group: "Helpdesk", role: "Support" },
    { group: "Everyone", role: "Viewer" },
    { group: "Tier 2", role: "Support" },
  ],
  defaultRole: "Viewer",
  memberships: [],
  ssoGroups: [],
  ssoGroupsOverage: false,
  knownGroups: [{ displayName: "Portal Admins", externalId: ENTRA_ID }],
  user: scim,
  ssoOn: false,
};

const g = (displayName: string, externalId: string | null = null) => ({ displayName, externalId });

type Case = [title: string, input: Partial<ResolveInput>, role: string | null, source: object];

const cases: Case[] = [
  ["no group and a default role: the default", {}, "Viewer", { kind: "default", rules: [] }],
  ["no group and a null default: no access", { defaultRole: null }, null, { kind: "default", rules: [] }],
  [
    "a rule matching a membership's displayName: its role",
    { memberships: [g("Helpdesk")] },
    "Support",
    { kind: "mapping", rules: [{ group: "Helpdesk", role: "Support" }] },
  ],
  [
    "the mapping wins over a higher default",
    { memberships: [g("Everyone")], defaultRole: "Admin" },
    "Viewer",
    { kind: "mapping", rules: [{ group: "Everyone", role: "Viewer" }] },
  ],
  [
    "Admin beats Support beats Viewer, whatever the rule order",
    { memberships: [g("Everyone"), g("Helpdesk"), g("Portal Admins")] },
    "Admin",
    { kind: "mapping", rules: [{ group: "Portal Admins", role: "Admin" }] },
  ],
  [
    "Support beats Viewer",
    { memberships: [g("Everyone"), g("Helpdesk")] },
    "Support",
    { kind: "mapping", rules: [{ group: "Helpdesk", role: "Support" }] },
  ],
  [
    "a tie: every rule of the winning role is named, in rule order",
    { memberships: [g("Tier 2"), g("Helpdesk"), g("Everyone")] },
    "Support",
    {
      kind: "mapping",
      rules: [
        { group: "Helpdesk", role: "Support" },
        { group: "Tier 2", role: "Support" },
      ],
    },
  ],
  [
    "case folding on memberships",
    { memberships: [g("HELPDESK")] },
    "Support",
    { kind: "mapping", rules: [{ group: "Helpdesk", role: "Support" }] },
  ],
  [
    "case folding on sign-in values",
    { ssoGroups: ["portal admins"] },
    "Admin",
    { kind: "mapping", rules: [{ group: "Portal Admins", role: "Admin" }] },
  ],
  [
    "non-ASCII case folding",
    { rules: [{ group: "Ärzte", role: "Support" }], ssoGroups: ["ÄRZTE"] },
    "Support",
    { kind: "mapping", rules: [{ group: "Ärzte", role: "Support" }] },
  ],
  [
    "a membership matched by its externalId",
    { rules: [{ group: ENTRA_ID.toUpperCase(), role: "Admin" }], memberships: [g("Anything", ENTRA_ID)] },
    "Admin",
    { kind: "mapping", rules: [{ group: ENTRA_ID.toUpperCase(), role: "Admin" }] },
  ],
  [
    "a sign-in object id matches the rule written against that group's displayName",
    { ssoGroups: [ENTRA_ID] },
    "Admin",
    { kind: "mapping", rules: [{ group: "Portal Admins", role: "Admin" }] },
  ],
  [
    "a sign-in displayName matches the rule written against that group's object id",
    { rules: [{ group: ENTRA_ID, role: "Support" }], ssoGroups: ["portal admins"] },
    "Support",
    { kind: "mapping", rules: [{ group: ENTRA_ID, role: "Support" }] },
  ],
  [
    "an unknown object id matches nothing",
    { ssoGroups: ["00000000-0000-4000-8000-000000000000"] },
    "Viewer",
    { kind: "default", rules: [] },
  ],
  [
    "a sign-in value that no group carries still matches a rule by name",
    { ssoGroups: ["helpdesk"], knownGroups: [] },
    "Support",
    { kind: "mapping", rules: [{ group: "Helpdesk", role: "Support" }] },
  ],
  [
    "sign-in values and memberships are unioned",
    { ssoGroups: ["Everyone"], memberships: [g("Helpdesk")] },
    "Support",
    { kind: "mapping", rules: [{ group: "Helpdesk", role: "Support" }] },
  ],
  [
    "overage: sign-in values ignored, memberships stand in",
    { ssoGroups: ["Portal Admins"], ssoGroupsOverage: true, memberships: [g("Helpdesk")] },
    "Support",
    { kind: "mapping", rules: [{ group: "Helpdesk", role: "Support" }], overage: true },
  ],
  [
    "overage with no membership: the default, flagged",
    { ssoGroups: ["Portal Admins"], ssoGroupsOverage: true },
    "Viewer",
    { kind: "default", rules: [], overage: true },
  ],
  [
    "an invited user with a manual role keeps it while SSO is off",
    { user: invited, memberships: [g("Portal Admins")] },
    "Support",
    { kind: "manual", rules: [] },
  ],
  [
    "an invited user gets the mapping while SSO is on",
    { user: invited, ssoOn: true, memberships: [g("Portal Admins")] },
    "Admin",
    { kind: "mapping", rules: [{ group: "Portal Admins", role: "Admin" }] },
  ],
  [
    "an invited user with no group gets the default while SSO is on",
    { user: invited, ssoOn: true },
    "Viewer",
    { kind: "default", rules: [] },
  ],
  [
    "an invited user whose role is not manual gets the mapping",
    { user: { ...invited, manualRole: false }, memberships: [g("Helpdesk")] },
    "Support",
    { kind: "mapping", rules: [{ group: "Helpdesk", role: "Support" }] },
  ],
  [
    "an SSO-created user gets the mapping while SSO is off",
    { user: { provisionedBy: "sso", manualRole: true, assignedRole: "Admin" }, ssoGroups: ["Everyone"] },
    "Viewer",
    { kind: "mapping", rules: [{ group: "Everyone", role: "Viewer" }] },
  ],
  [
    "a SCIM user gets the mapping even with a hand-set role",
    { user: { provisionedBy: "scim", manualRole: true, assignedRole: "Admin" }, defaultRole: null },
    null,
    { kind: "default", rules: [] },
  ],
];

describe("resolveRole", () => {
  test.each(cases)("when %s, then the role and roleSource follow", (_title, input, role, source) => {
    const result = resolveRole({ ...base, ...input });
    expect(result.role).toBe(role);
    expect(result.roleSource).toEqual(source);
  });
});

describe("roleOfGroup", () => {
  test.each([
    ["Portal Admins", null, "Admin"],
    ["portal admins", null, "Admin"],
    ["Renamed", "helpdesk", "Support"],
    ["Unmapped", "x-1", null],
  ] as const)(
    "when the group is %s (externalId %s), then its members get %s",
    (displayName, externalId, role) => {
      expect(roleOfGroup(base.rules, { displayName, externalId })).toBe(role);
    },
  );
});
