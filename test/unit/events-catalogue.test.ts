// The catalogue on its own: which outbox types an action writes, the row checks, and the
// statement builder's refusals.
import { readFileSync } from "node:fs";
import { Prisma } from "../../src/generated/prisma/client";
import {
  AUDIT_ACTIONS,
  AUDIT_ACTION_NAMES,
  OUTBOX_TYPES,
  checkAuditRow,
  checkOutboxRow,
  eventTypeOf,
  eventsCte,
} from "../../src/events";

const ctx = { orgId: "00000000-0000-4000-8000-000000000001", actor: { type: "system" as const } };
const user = {
  id: "00000000-0000-4000-8000-000000000002",
  email: "a@b.test",
  firstName: null,
  lastName: null,
  avatarUrl: null,
  status: "active",
  role: "Viewer",
  roleSource: { kind: "default", rules: [] },
  groups: [],
  provisionedBy: "scim",
  lastSignInAt: null,
  createdAt: "2026-12-05T01:02:03.456Z",
};

test("every outbox type is written by at least one audit action", () => {
  const written = new Set(AUDIT_ACTION_NAMES.flatMap((a) => [...AUDIT_ACTIONS[a].events]));
  expect([...written].sort()).toEqual([...OUTBOX_TYPES].sort());
});

test.each([
  ["user.invited", undefined, "user.created"],
  ["user.scim_linked", "user.deactivated", "user.deactivated"],
  ["user.blocked", undefined, "user.updated"],
  ["auth.signed_in", undefined, null],
  ["invitation.resent", undefined, null],
] as const)("when %s writes %s, then its outbox type is %s", (action, event, type) => {
  expect(eventTypeOf(action, event)).toBe(type);
});

test("when an action is asked for an outbox type it does not write, then the builder refuses", () => {
  expect(() => eventTypeOf("user.created", "user.deleted")).toThrow(/does not write/);
  expect(() =>
    eventsCte(ctx, "ev", [
      {
        action: "user.created",
        from: Prisma.sql`users u`,
        targetId: Prisma.sql`u.id`,
        data: Prisma.sql`'{}'`,
      },
    ]),
  ).toThrow(/give its payload/);
  expect(() => eventsCte(ctx, "ev; DROP", [])).toThrow(/not a CTE name/);
});

test("when an outbox row carries the user object, then it passes; with another shape, it fails", () => {
  expect(checkOutboxRow({ id: 1n, type: "user.created", subjectId: user.id, payload: user })).toBeNull();
  expect(
    checkOutboxRow({ id: 2n, type: "user.created", subjectId: user.id, payload: { user: { id: user.id } } }),
  ).toMatchObject({ id: "2" });
  expect(
    checkOutboxRow({ id: 3n, type: "user.role_changed", subjectId: user.id, payload: user }),
  ).toMatchObject({ problem: expect.stringMatching(/previousRole/) });
  expect(
    checkOutboxRow({ id: 4n, type: "user.updated", subjectId: "someone-else", payload: user }),
  ).toMatchObject({ problem: expect.stringMatching(/subject_id/) });
  expect(checkOutboxRow({ id: 5n, type: "user.exploded", subjectId: user.id, payload: user })).not.toBeNull();
});

test("when an audit row has an unknown action, a wrong target type or undeclared data, then it fails", () => {
  const ok = {
    id: "a",
    action: "user.invited",
    targetType: "user",
    data: { email: "a@b.test", role: "Viewer" },
  };
  expect(checkAuditRow(ok)).toBeNull();
  expect(checkAuditRow({ ...ok, action: "user.teleported" })).not.toBeNull();
  expect(checkAuditRow({ ...ok, targetType: "group" })).not.toBeNull();
  expect(checkAuditRow({ ...ok, data: { ...ok.data, password: "x" } })).not.toBeNull();
});

test("docs/events.md names every audit action and every event type of the catalogue", () => {
  const doc = readFileSync("docs/events.md", "utf8");
  for (const name of [...AUDIT_ACTION_NAMES, ...OUTBOX_TYPES]) expect(doc).toContain(`\`${name}\``);
});
