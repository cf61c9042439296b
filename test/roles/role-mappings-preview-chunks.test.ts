// The embedded preview in chunks answers what the one statement answers: counts, the first 100
// users across chunks, wouldRemoveLastAdmin, with and without assuming SSO on. Both paths run on
// whichever database the suite runs on; the chunk size is the test's, so that a small
// organization spans several chunks.
import type { Organization } from "../../src/generated/prisma/client";
import { previewInChunks, previewInOneStatement } from "../../src/roles/preview-mappings";
import type { RoleMappingsInput } from "../../src/roles/mappings-input";
import { systemActor } from "../../src/shared/context";
import { createTestApp, type TestApp } from "../support/app";
import { rolesFixtures } from "./fixtures";

let t: TestApp;
let f: ReturnType<typeof rolesFixtures>;
beforeAll(async () => {
  t = await createTestApp();
  f = rolesFixtures(t);
});
afterAll(() => t.close());

/**
 * 135 users: 130 SCIM users without a role (ids are random, so each chunk in id order holds
 * emails from all over the list), half of them in Engineering, and 5 invited Admins whose role
 * was set by hand (kept while SSO is off, recomputed once it is on); a disabled SSO connection.
 */
async function organization(): Promise<Organization> {
  const org = await t.given.org();
  const ids = await t.given.users(
    org,
    Array.from({ length: 130 }, (_, i) => `u${String(i).padStart(3, "0")}@${org.slug}.test`),
  );
  const engineering = await f.group(org, "Engineering");
  await t.db.prisma.groupMembership.createMany({
    data: ids
      .filter((_, i) => i % 2 === 0)
      .map((userId) => ({ orgId: org.id, userId, groupId: engineering.id })),
  });
  for (let i = 0; i < 5; i++) await t.given.user(org, { email: `admin${i}@${org.slug}.test`, role: "Admin" });
  await t.db.prisma.ssoConnection.create({ data: { orgId: org.id, protocol: "saml", enabled: false } });
  return org;
}

const toSupport: RoleMappingsInput = {
  defaultRole: "Viewer",
  rules: [{ group: "Engineering", role: "Support" }],
};
const toAdmin: RoleMappingsInput = {
  defaultRole: "Viewer",
  rules: [{ group: "engineering", role: "Admin" }],
};

describe("the embedded role-mapping preview, in chunks", () => {
  test("when an organization spans several chunks, then each chunk size answers what the one statement answers", async () => {
    const org = await organization();
    const ctx = { orgId: org.id, actor: systemActor("test") };

    for (const input of [toSupport, toAdmin]) {
      for (const assumeSsoOn of [false, true]) {
        const whole = await previewInOneStatement(t.db, ctx, input, { assumeSsoOn });
        // 7: many uneven chunks; 45: the last chunk is empty (135 = 3 × 45); 1,000: one chunk.
        for (const size of [7, 45, 1_000])
          expect({
            size,
            assumeSsoOn,
            ...(await previewInChunks(t.db, ctx, input, { assumeSsoOn }, size)),
          }).toEqual({
            size,
            assumeSsoOn,
            ...whole,
          });
      }
    }
  });

  test("when SSO is assumed on, then hand-set Admins are recomputed and losing the last one shows, without a change", async () => {
    const org = await organization();
    const ctx = { orgId: org.id, actor: systemActor("test") };

    const off = await previewInChunks(t.db, ctx, toSupport, {}, 7);
    const on = await previewInChunks(t.db, ctx, toSupport, { assumeSsoOn: true }, 7);
    const keeps = await previewInChunks(t.db, ctx, toAdmin, { assumeSsoOn: true }, 7);

    expect(off).toMatchObject({ changed: 130, byRole: { Admin: 0, Support: 65, Viewer: 65, none: 0 } });
    expect(off.wouldRemoveLastAdmin).toBe(false);
    expect(off.users.map((u) => u.email)).toEqual(
      Array.from({ length: 100 }, (_, i) => `u${String(i).padStart(3, "0")}@${org.slug}.test`),
    );
    expect(on).toMatchObject({ changed: 135, byRole: { Admin: 0, Support: 65, Viewer: 70, none: 0 } });
    expect(on.wouldRemoveLastAdmin).toBe(true);
    expect(on.users.slice(0, 5)).toEqual(
      Array.from({ length: 5 }, (_, i) =>
        expect.objectContaining({ email: `admin${i}@${org.slug}.test`, from: "Admin", to: "Viewer" }),
      ),
    );
    expect(on.users).toHaveLength(100);
    expect(keeps).toMatchObject({ changed: 135, byRole: { Admin: 65, Support: 0, Viewer: 70, none: 0 } });
    expect(keeps.wouldRemoveLastAdmin).toBe(false);
    const connection = await t.db.prisma.ssoConnection.findUniqueOrThrow({ where: { orgId: org.id } });
    expect(connection.enabled).toBe(false);
    expect(await t.db.prisma.user.count({ where: { orgId: org.id, role: "Admin" } })).toBe(5);
  });
});
