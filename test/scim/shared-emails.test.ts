// Issue 13 item 5: directories hold distinct accounts that share an email (an admin alias, a
// service account) and Microsoft's SCIM reference test creates such users; SCIM userName is
// their identity. Emails stay unique among password users, which the database enforces, and an
// invitation never adds a second account for an email that any user has.
import request from "supertest";
import { createTestApp, type TestApp } from "../support/app";
import { newUser, scimClient } from "./scim-client";
import { invite, orgWithMembers } from "../users/helpers";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const sharing = (userName: string) => ({
  ...newUser(userName),
  emails: [{ value: "Shared@Acme.test", type: "work", primary: true }],
});

describe("SCIM users sharing an email", () => {
  test("when Microsoft's reference test creates distinct users with one email, then each is created (201) and a filter on the email finds both", async () => {
    const c = await scimClient(t);
    const a = await c.post("/Users", sharing("alias-a")).expect(201);
    const b = await c.post("/Users", sharing("alias-b")).expect(201);
    expect(a.body.id).not.toBe(b.body.id);
    const found = await c
      .get(`/Users?filter=${encodeURIComponent('emails.value eq "shared@acme.test"')}`)
      .expect(200);
    expect(found.body.totalResults).toBe(2);
    // userName stays unique.
    const dup = await c.post("/Users", sharing("ALIAS-A")).expect(409);
    expect(dup.body.scimType).toBe("uniqueness");
  });

  test("when two password users would share an email, then the database refuses it, while SCIM users may share it with each other", async () => {
    const c = await scimClient(t);
    await c.post("/Users", sharing("svc-1")).expect(201);
    await c.post("/Users", sharing("svc-2")).expect(201);
    const first = await t.given.user(c.org, { email: "pw@acme.test", passwordHash: "scrypt$x" });
    await expect(
      t.given.user(c.org, {
        email: "PW@acme.test",
        userName: "other",
        provisionedBy: "sso",
        passwordHash: "scrypt$y",
      }),
    ).rejects.toMatchObject({ code: "P2002" });
    await expect(t.given.user(c.org, { email: "pw@acme.test", userName: "invitee-2" })).rejects.toMatchObject(
      {
        code: "P2002",
      },
    );
    expect(await t.db.prisma.user.count({ where: { orgId: c.org.id, emailLower: "pw@acme.test" } })).toBe(1);
    expect(first.emailLower).toBe("pw@acme.test");
  });

  test("when an admin invites an email that accounts of the identity provider share, then the invitation is refused naming the email, and nothing is created", async () => {
    const { org, admin, base } = await orgWithMembers(t, { plan: "enterprise" });
    const token = await t.given.scimToken(org);
    for (const userName of ["alias-a", "alias-b"])
      await request(t.app)
        .post(`/scim/v2/${org.slug}/Users`)
        .set("Authorization", `Bearer ${token}`)
        .set("Content-Type", "application/scim+json")
        .send(JSON.stringify(sharing(userName)))
        .expect(201);
    const before = await t.db.prisma.user.count({ where: { orgId: org.id } });
    const res = await invite(t, base, admin.cookie, [{ email: "shared@ACME.test", role: "Viewer" }]).expect(
      400,
    );
    expect(res.body.errors).toEqual([
      { field: "invitations.0.email", message: "a user with this email already exists" },
    ]);
    expect(await t.db.prisma.user.count({ where: { orgId: org.id } })).toBe(before);
  });
});
