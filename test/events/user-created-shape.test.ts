// One payload per event type whatever caused it (CONTRACT section 8): an SSO sign-in that
// creates its user just in time, a SCIM create and an invitation each write a user.created
// whose data is the admin API user object, with the user's real groups.
import request from "supertest";
import { OUTBOX_PAYLOADS } from "../../src/events";
import { scimClient, newUser } from "../scim/scim-client";
import { oidcOrg, signedIn, startHarness, type Harness } from "../sso/oidc/harness";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

async function createdEvent(orgId: string, userId: string) {
  const rows = await h.t.db.prisma.outboxEvent.findMany({
    where: { orgId, subjectId: userId },
    orderBy: { id: "asc" },
  });
  expect(rows[0]?.type).toBe("user.created");
  return rows[0]!.payload as Record<string, unknown>;
}

async function adminView(slug: string, key: string, id: string) {
  return (
    await request(h.t.app)
      .get(`/api/v1/orgs/${slug}/users/${id}`)
      .set("Authorization", `Bearer ${key}`)
      .expect(200)
  ).body as Record<string, unknown>;
}

test("when an SSO sign-in, a SCIM create and an invitation each create a user, then each user.created carries the admin API user object", async () => {
  // SSO: a just-in-time user of an organization with SSO on.
  const { org: ssoOrg, key: ssoKey } = await oidcOrg(h, "acme");
  await h.t.db.prisma.organization.update({ where: { id: ssoOrg.id }, data: { defaultRole: "Viewer" } });
  h.op.addAccount({
    sub: "jit-1",
    email: "jit@acme.test",
    given_name: "Jit",
    family_name: "User",
    groups: [],
  });
  await signedIn(h, "acme", "jit-1");
  const jit = await h.t.db.prisma.user.findFirstOrThrow({
    where: { orgId: ssoOrg.id, email: "jit@acme.test" },
  });
  const fromSso = await createdEvent(ssoOrg.id, jit.id);

  // SCIM: a create in an organization whose SCIM group the user then joins.
  const c = await scimClient(h.t);
  const scimKey = await h.t.given.apiKey(c.org);
  const scimUser = (await c.post("/Users", newUser("scim@globex.test")).expect(201)).body as { id: string };
  const fromScim = await createdEvent(c.org.id, scimUser.id);

  // Invitation: an Admin invites someone into a team.
  const admin = await h.t.given.member(await h.t.given.org(), "Admin");
  const invOrg = await h.t.db.prisma.organization.findUniqueOrThrow({ where: { id: admin.user.orgId } });
  const invKey = await h.t.given.apiKey(invOrg);
  const team = await h.t.db.prisma.group.create({
    data: {
      orgId: invOrg.id,
      displayName: "Support team",
      displayNameLower: "support team",
      source: "manual",
    },
  });
  const invited = await request(h.t.app)
    .post(`/api/v1/orgs/${invOrg.slug}/invitations`)
    .set("Authorization", `Bearer ${invKey}`)
    .send({
      invitations: [
        {
          email: "new@initech.test",
          firstName: "New",
          lastName: "Person",
          role: "Support",
          teams: ["Support team"],
        },
      ],
    })
    .expect(201);
  const invitedId = invited.body.invitations[0].userId as string;
  const fromInvitation = await createdEvent(invOrg.id, invitedId);

  for (const payload of [fromSso, fromScim, fromInvitation])
    expect(OUTBOX_PAYLOADS["user.created"].safeParse(payload).error).toBeUndefined();
  const keys = (p: Record<string, unknown>) => Object.keys(p).sort();
  expect(keys(fromScim)).toEqual(keys(fromSso));
  expect(keys(fromInvitation)).toEqual(keys(fromSso));

  // The same object the admin API answers (the SSO user's role came after, in user.role_changed).
  expect(fromScim).toEqual(await adminView(c.org.slug, scimKey, scimUser.id));
  expect(fromInvitation).toEqual(await adminView(invOrg.slug, invKey, invitedId));
  expect(fromInvitation.groups).toEqual([{ id: team.id, displayName: "Support team", source: "manual" }]);
  const ssoNow = await adminView("acme", ssoKey, jit.id);
  expect(fromSso).toEqual({
    ...ssoNow,
    role: null,
    roleSource: fromSso.roleSource,
    lastSignInAt: fromSso.lastSignInAt,
  });
  const roleChanged = await h.t.db.prisma.outboxEvent.findFirstOrThrow({
    where: { orgId: ssoOrg.id, subjectId: jit.id, type: "user.role_changed" },
  });
  expect(roleChanged.payload).toMatchObject({ role: "Viewer", previousRole: null });
});
