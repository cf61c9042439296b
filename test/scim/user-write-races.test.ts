// A SCIM PUT or PATCH reads the user, applies the change in TypeScript and writes only if the
// row still has the version it read, without a transaction around the two (write-users.ts). Here
// other writes land between the read and the write: another change of the same user (the
// write then runs again on the locked row, or answers 412 under If-Match, and the first attempt
// leaves nothing behind), and a role-mappings change whose whole-org recompute the PATCH must
// not undo.
// PostgreSQL only: the races need a connection of the test's own holding a lock while the app
// works on others (PGlite has one connection, which runs every statement one after the other).
import { recomputeRoles } from "../../src/roles/recompute";
import type { RawConnection } from "../../src/db/raw";
import { createTestApp, type TestApp } from "../support/app";
import { testDbKind, untilWaiting } from "../support/db";
import { GROUP, newUser, patchBody, scimClient, type ScimClient } from "./scim-client";

const onPostgres = testDbKind() === "postgres" ? describe : describe.skip;

let t: TestApp;
let c: ScimClient;
beforeAll(async () => {
  t = await createTestApp();
  c = await scimClient(t, { plan: "enterprise", defaultRole: "Viewer" });
});
afterAll(() => t.close());

/** A user, a live session of theirs, and a connection of the test's own holding their row locked. */
async function userHeldLocked(userName: string) {
  const id = (await c.post("/Users", newUser(userName)).expect(201)).body.id as string;
  await t.given.session(await t.db.prisma.user.findUniqueOrThrow({ where: { id } }));
  const holder = await t.db.raw();
  await holder.exec(`BEGIN; SELECT 1 FROM users WHERE id = '${id}' FOR UPDATE`);
  return { id, holder };
}

/** What a write of another client does to the row in between: a new displayName, a new version. */
const otherWrite = (holder: RawConnection, id: string) =>
  holder.exec(
    `UPDATE users SET display_name = 'Written in between', version = version + 1 WHERE id = '${id}'; COMMIT`,
  );

const stateOf = async (id: string) => ({
  user: await t.db.prisma.user.findUniqueOrThrow({
    where: { id },
    select: { status: true, displayName: true, version: true, emails: { select: { value: true } } },
  }),
  liveSessions: await t.db.prisma.session.count({ where: { userId: id, revokedAt: null } }),
  events: await t.db.prisma.auditEvent.count({ where: { targetId: id } }),
  outbox: await t.db.prisma.outboxEvent.count({ where: { subjectId: id } }),
});

const DEACTIVATE_AND_REEMAIL = patchBody(
  { op: "Replace", path: "active", value: "False" },
  { op: "replace", path: "emails", value: [{ value: "moved@acme.test", primary: true }] },
);

onPostgres("a SCIM user change racing other writes, on PostgreSQL", () => {
  test("when another write changes the user between a PATCH's read and its write, then the PATCH applies to the row as that write left it: both changes kept, its own written once", async () => {
    const { id, holder } = await userHeldLocked("race.patch@acme.test");
    const before = await stateOf(id);
    const patched = c.patch(`/Users/${id}`, DEACTIVATE_AND_REEMAIL).then((r) => r);
    await untilWaiting(holder, 1);
    await otherWrite(holder, id);
    await holder.release();
    const res = await patched;
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ active: false, displayName: "Written in between" });
    expect(res.headers.etag).toBe(`W/"${before.user.version + 2}"`);
    expect(await stateOf(id)).toEqual({
      user: {
        status: "deactivated",
        displayName: "Written in between",
        version: before.user.version + 2,
        emails: [{ value: "moved@acme.test" }],
      },
      liveSessions: 0,
      events: before.events + 1,
      outbox: before.outbox + 1,
    });
  });

  test("when another write changes the user between the read and the write of a PATCH with If-Match of the version read, then 412 and nothing of the PATCH is written: no session revoked, no email, no event", async () => {
    const { id, holder } = await userHeldLocked("race.ifmatch@acme.test");
    const before = await stateOf(id);
    const patched = c
      .patch(`/Users/${id}`, DEACTIVATE_AND_REEMAIL)
      .set("If-Match", `W/"${before.user.version}"`)
      .then((r) => r);
    await untilWaiting(holder, 1);
    await otherWrite(holder, id);
    await holder.release();
    expect((await patched).status).toBe(412);
    expect(await stateOf(id)).toEqual({
      ...before,
      user: { ...before.user, displayName: "Written in between", version: before.user.version + 1 },
    });
  });

  test("when role mappings change while PATCHes deactivate members of the mapped group, then every role is what the new rules give and every deactivation holds", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push((await c.post("/Users", newUser(`race.role.${i}@acme.test`)).expect(201)).body.id as string);
    const group = "Race mapped";
    await c
      .post("/Groups", { schemas: [GROUP], displayName: group, members: ids.map((value) => ({ value })) })
      .expect(201);
    const ctx = { orgId: c.org.id, actor: { type: "cli" as const } };
    await t.services.roles.putMappings(
      ctx,
      { defaultRole: "Viewer", rules: [{ group, role: "Support" }] },
      { force: true },
    );
    // The holder keeps the first member's row, so the rules change's recompute waits on it while
    // it holds the organization; the PATCHes then wait behind the rules change.
    const holder = await t.db.raw();
    await holder.exec(`BEGIN; SELECT 1 FROM users WHERE id = '${ids[0]}' FOR UPDATE`);
    const rulesChange = t.services.roles.putMappings(
      ctx,
      { defaultRole: "Viewer", rules: [{ group, role: "Admin" }] },
      { force: true },
    );
    await untilWaiting(holder, 1);
    const patches = ids.map((id) =>
      c.patch(`/Users/${id}`, patchBody({ op: "Replace", path: "active", value: "False" })).then((r) => r),
    );
    await untilWaiting(holder, 1 + ids.length);
    await holder.exec("COMMIT");
    await holder.release();
    await rulesChange;
    expect((await Promise.all(patches)).map((r) => r.status)).toEqual(ids.map(() => 200));
    const users = await t.db.prisma.user.findMany({
      where: { id: { in: ids } },
      select: { role: true, status: true },
    });
    expect(users).toEqual(ids.map(() => ({ role: "Admin", status: "deactivated" })));
    expect(await t.db.prisma.$transaction((tx) => recomputeRoles(tx, ctx, ids))).toEqual([]);
  });
});
