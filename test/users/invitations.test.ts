import request from "supertest";
import { createTestApp, type TestApp } from "../support/app";
import { movableClock, orgWithMembers, snapshot, invite as inviteAs, tokenOf } from "./helpers";

const clock = movableClock(new Date("2026-03-02T09:00:00Z"));
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({}, { clock: clock.now });
});
afterAll(() => t.close());

const invite = (base: string, cookie: string, invitations: object[]) =>
  inviteAs(t, base, cookie, invitations);

describe("inviting", () => {
  test("when an Admin invites two people with teams, then both are listed as invited, teams are manual groups, and each answer carries id and link", async () => {
    const { org, admin, base } = await orgWithMembers(t);
    const res = await invite(base, admin.cookie, [
      {
        email: "Marie.Curie@example.test",
        firstName: "Marie",
        lastName: "Curie",
        role: "Support",
        teams: ["Lab", "Physics"],
      },
      { email: "pierre@example.test", role: "Viewer", teams: ["lab"] },
    ]);
    expect(res.status).toBe(201);
    expect(res.body.invitations).toHaveLength(2);
    for (const inv of res.body.invitations) {
      expect(inv.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(inv.invitationUrl).toMatch(/^http:\/\/sso\.test\/auth\/invitations\/[A-Za-z0-9_-]{40,}$/);
      expect(new Date(inv.expiresAt).getTime() - clock.now().getTime()).toBe(72 * 3600_000);
    }
    const list = await request(t.app)
      .get(`${base}/users?status=invited`)
      .set("Cookie", admin.cookie)
      .expect(200);
    const marie = list.body.data.find((u: any) => u.email === "Marie.Curie@example.test");
    expect(marie).toMatchObject({ role: "Support", status: "invited", provisionedBy: "invite" });
    expect(marie.groups.map((g: any) => [g.displayName, g.source])).toEqual([
      ["Lab", "manual"],
      ["Physics", "manual"],
    ]);
    expect(await t.db.prisma.group.count({ where: { orgId: org.id } })).toBe(2);
    // Only the hash of each token is stored.
    const stored = await t.db.prisma.invitation.findMany({ where: { orgId: org.id } });
    for (const inv of res.body.invitations)
      expect(stored.some((s) => s.tokenHash.includes(tokenOf(inv.invitationUrl)))).toBe(false);
    expect(await t.db.prisma.auditEvent.count({ where: { orgId: org.id, action: "user.invited" } })).toBe(2);
    expect(await t.db.prisma.outboxEvent.count({ where: { orgId: org.id, type: "user.created" } })).toBe(2);
    const pending = await request(t.app).get(`${base}/invitations`).set("Cookie", admin.cookie).expect(200);
    expect(pending.body.data.map((i: any) => [i.email, i.status])).toEqual([
      ["Marie.Curie@example.test", "pending"],
      ["pierre@example.test", "pending"],
    ]);
  });

  test("when any row is invalid, then 400 lists every bad row and nobody is invited", async () => {
    const { org, admin, viewer, base } = await orgWithMembers(t);
    await t.given.group(org, "Okta Admins");
    const before = await snapshot(t, org);
    const res = await invite(base, admin.cookie, [
      { email: "fine@example.test", role: "Viewer" },
      { email: "not-an-email", role: "Viewer" },
      { email: "boss@example.test", role: "Owner" },
      { email: viewer.user.email.toUpperCase(), role: "Viewer" },
      { email: "FINE@example.test", role: "Support" },
      { email: "team@example.test", role: "Viewer", teams: ["okta admins"] },
    ]);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("validation_failed");
    expect(res.body.errors.map((e: any) => e.field).sort()).toEqual([
      "invitations.1.email",
      "invitations.2.role",
    ]);
    expect(await snapshot(t, org)).toEqual(before);
    const second = await invite(base, admin.cookie, [
      { email: "fine@example.test", role: "Viewer" },
      { email: viewer.user.email.toUpperCase(), role: "Viewer" },
      { email: "FINE@example.test", role: "Support" },
      { email: "team@example.test", role: "Viewer", teams: ["okta admins"] },
    ]);
    expect(second.status).toBe(400);
    expect(second.body.errors.map((e: any) => e.field)).toEqual([
      "invitations.1.email",
      "invitations.2.email",
      "invitations.3.teams.0",
    ]);
    expect(second.body.errors[0].message).toMatch(/already exists/);
    expect(await snapshot(t, org)).toEqual(before);
  });
});

describe("seat limit", () => {
  const seatLimited = async (overrides: object) => {
    const ctx = await orgWithMembers(t, overrides);
    return ctx;
  };

  test("when the free plan has 3 users and 7 are invited, then it is exactly full; one more is refused saying 0 seats are left", async () => {
    const { org, admin, base } = await seatLimited({ plan: "free" });
    const seven = Array.from({ length: 7 }, (_, i) => ({ email: `p${i}@example.test`, role: "Viewer" }));
    expect((await invite(base, admin.cookie, seven)).status).toBe(201);
    expect(await t.db.prisma.user.count({ where: { orgId: org.id } })).toBe(10);
    const res = await invite(base, admin.cookie, [{ email: "eleventh@example.test", role: "Viewer" }]);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: "seat_limit", seatLimit: 10, seatsLeft: 0 });
    expect(res.body.detail).toMatch(/0 seats left/);
  });

  test("when a batch would cross the limit, then the whole batch is refused with the seats left, and a batch that fits passes", async () => {
    const { org, admin, base } = await seatLimited({ plan: "free" });
    await t.given.user(org, { status: "deactivated" });
    await t.given.user(org, { status: "blocked" });
    await t.given.user(org, { status: "invited" });
    await t.given.user(org);
    await t.given.user(org);
    const before = await snapshot(t, org);
    const three = Array.from({ length: 3 }, (_, i) => ({ email: `b${i}@example.test`, role: "Viewer" }));
    const res = await invite(base, admin.cookie, three);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: "seat_limit", seatsLeft: 2 });
    expect(res.body.detail).toMatch(/2 seats left, 3 needed/);
    expect(await snapshot(t, org)).toEqual(before);
    expect((await invite(base, admin.cookie, three.slice(0, 2))).status).toBe(201);
  });

  test("when two invitations race for the last seat, then exactly one gets it", async () => {
    const { org, admin, base } = await seatLimited({ plan: "team", seatLimit: 4 });
    const results = await Promise.all(
      ["race-a@example.test", "race-b@example.test"].map((email) =>
        invite(base, admin.cookie, [{ email, role: "Viewer" }]),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(await t.db.prisma.user.count({ where: { orgId: org.id } })).toBe(4);
  });

  test("when the organization overrides its plan's limit, then the override applies; enterprise has none", async () => {
    const small = await seatLimited({ plan: "team", seatLimit: 4 });
    expect(
      (await invite(small.base, small.admin.cookie, [{ email: "a@example.test", role: "Viewer" }])).status,
    ).toBe(201);
    const full = await invite(small.base, small.admin.cookie, [{ email: "b@example.test", role: "Viewer" }]);
    expect(full.body).toMatchObject({ code: "seat_limit", seatLimit: 4, seatsLeft: 0 });
    const big = await seatLimited({ plan: "enterprise" });
    const many = Array.from({ length: 12 }, (_, i) => ({ email: `e${i}@example.test`, role: "Viewer" }));
    expect((await invite(big.base, big.admin.cookie, many)).status).toBe(201);
  });

  test("when the team plan holds 99 users, then the 100th is invited and the 101st refused", async () => {
    const { org, admin, base } = await seatLimited({ plan: "team" });
    await t.given.users(
      org,
      Array.from({ length: 96 }, (_, i) => `bulk${i}@example.test`),
    );
    expect(
      (await invite(base, admin.cookie, [{ email: "hundredth@example.test", role: "Viewer" }])).status,
    ).toBe(201);
    const res = await invite(base, admin.cookie, [{ email: "over@example.test", role: "Viewer" }]);
    expect(res.body).toMatchObject({ code: "seat_limit", seatLimit: 100, seatsLeft: 0 });
  });
});
