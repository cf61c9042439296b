// A rules PUT that would leave an org with SSO on without an active Admin: 409 unless forced.
import { createTestApp, type TestApp } from "../support/app";
import { rolesFixtures } from "./fixtures";

let t: TestApp;
let f: ReturnType<typeof rolesFixtures>;
beforeAll(async () => {
  t = await createTestApp();
  f = rolesFixtures(t);
});
afterAll(() => t.close());

describe("last Admin while SSO is on", () => {
  async function ssoOrgWithOneAdmin() {
    const { org, key, alice } = await f.engineeringOrg();
    await f.ssoOn(org);
    await f
      .put(org, key, { defaultRole: "Viewer", rules: [{ group: "Engineering", role: "Admin" }] })
      .expect(200);
    expect((await f.userOf(alice.id)).role).toBe("Admin");
    return { org, key, alice };
  }

  test("when a rule change would leave no active Admin, then 409 would_remove_last_admin and nothing changes", async () => {
    const { org, key, alice } = await ssoOrgWithOneAdmin();
    const before = await f.roleEvents(org);

    const res = await f.put(org, key, { defaultRole: "Viewer", rules: [] }).expect(409);

    expect(res.body.code).toBe("would_remove_last_admin");
    expect((await f.userOf(alice.id)).role).toBe("Admin");
    expect(await t.db.prisma.roleMappingRule.count({ where: { orgId: org.id } })).toBe(1);
    expect((await f.roleEvents(org)).outbox).toHaveLength(before.outbox.length);
  });

  test("when the same change is forced, then it applies and the audit event says it was forced", async () => {
    const { org, key, alice } = await ssoOrgWithOneAdmin();

    const res = await f.put(org, key, { defaultRole: "Viewer", rules: [] }, "?force=true").expect(200);

    expect(res.body.byRole.Viewer).toBeGreaterThanOrEqual(1);
    expect((await f.userOf(alice.id)).role).toBe("Viewer");
    const audit = await t.db.prisma.auditEvent.findFirstOrThrow({
      where: { orgId: org.id, action: "role_mappings.updated" },
      orderBy: { seq: "desc" },
    });
    expect(audit.data).toMatchObject({ forced: true });
  });

  test("when another Admin remains, then the change needs no force", async () => {
    const { org, key, alice } = await ssoOrgWithOneAdmin();
    const ops = await f.group(org, "Ops");
    const other = await f.scimUser(org);
    await f.join(other, ops.id);

    await f.put(org, key, { defaultRole: "Viewer", rules: [{ group: "Ops", role: "Admin" }] }).expect(200);

    expect((await f.userOf(alice.id)).role).toBe("Viewer");
    expect((await f.userOf(other.id)).role).toBe("Admin");
  });
});
