// The Overview's checklist line "test sign-in passed" ticks from the connection's testedAt
// (stamped by a passing round-trip test), and SCIM error answers of the last 24 hours need
// attention.
import { setupState } from "../../src/portal/overview-state";
import { createTestApp, type TestApp } from "../support/app";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe("overview sources", () => {
  test("when a test sign-in has passed and SCIM answered errors today, then the test step is done and the errors need attention", async () => {
    const org = await t.given.org();
    const ctx = { orgId: org.id, actor: { type: "system" as const } };
    await t.db.prisma.ssoConnection.create({ data: { orgId: org.id, protocol: "oidc" } });
    let state = await setupState(t.services, ctx);
    expect(state.steps.find((s) => s.key === "test")?.done).toBe(false);
    expect(state.attention.find((a) => a.kind === "scim_errors")).toBeUndefined();

    await t.db.prisma.ssoConnection.update({ where: { orgId: org.id }, data: { testedAt: new Date() } });
    const old = new Date(Date.now() - 25 * 3600_000);
    await t.db.prisma.scimError.createMany({
      data: [
        { orgId: org.id, status: 409, detail: "taken", method: "POST", path: "/scim/v2/{org}/Users" },
        { orgId: org.id, status: 400, detail: "bad", method: "PATCH", path: "/scim/v2/{org}/Users/:id" },
        {
          orgId: org.id,
          status: 400,
          detail: "old",
          method: "PATCH",
          path: "/scim/v2/{org}/Users/:id",
          createdAt: old,
        },
      ],
    });
    state = await setupState(t.services, ctx);
    expect(state.steps.find((s) => s.key === "test")?.done).toBe(true);
    expect(state.attention).toContainEqual({ kind: "scim_errors", count: 2 });
  });
});
