// Issue 17 point 2: `kill -9` of the service in the middle of a 10,000-member group PATCH and of
// a rules change that recomputes a whole organization. After a restart each change is all or
// nothing, the outbox holds exactly the committed events, and the next request succeeds.
// Where the kill lands: the test holds the users table in SHARE mode, which reads and row locks
// pass but an UPDATE of users waits for; the service's transaction has by then written its first
// statements (the memberships, the group and its events; the rules), and waits at the role
// recompute's UPDATE. pg_stat_activity shows that backend waiting on a lock with a transaction
// id (it has written), and only then is the process killed. PostgreSQL only (a PGlite crash is a crash of the process
// that holds the database).
import pg from "pg";
import type { Organization } from "../../src/generated/prisma/client";
import { openPostgres } from "../../src/db/client";
import { createTestApp, TEST_SECRET_KEY, type TestApp } from "../support/app";
import { createMigratedPostgresDatabase, testDbKind } from "../support/db";
import { launch, type Instance } from "../support/instances";
import { PATCH_OP } from "../scim/scim-client";

const MEMBERS = 10_000;
// PostgreSQL only: several processes on one database (PGlite is held by one process); the
// PostgreSQL project runs it when TEST_DATABASE_URL is set, as CI does.
const onPostgres = testDbKind() === "postgres" ? describe : describe.skip;

onPostgres("kill -9 in the middle of a transaction", () => {
  let t: TestApp;
  let url: string;
  let drop: () => Promise<void>;
  let instance: Instance;
  let port: number;
  let org: Organization;
  let token: string;
  let apiKey: string;
  let groupId: string;
  let userIds: string[];

  const start = async () => {
    instance = launch({
      DATABASE_URL: url,
      SECRET_KEY: TEST_SECRET_KEY,
      PORT: "0",
      BASE_URL: "http://sso.test",
    });
    port = await instance.ready;
  };

  beforeAll(async () => {
    const database = await createMigratedPostgresDatabase();
    ({ url, drop } = database);
    t = await createTestApp({}, { db: openPostgres(url, 3) });
    org = await t.given.org({ plan: "enterprise", defaultRole: null });
    token = await t.given.scimToken(org);
    apiKey = await t.given.apiKey(org);
    await t.db.prisma.roleMappingRule.create({
      data: { orgId: org.id, position: 0, group: "Everyone", groupLower: "everyone", role: "Support" },
    });
    const group = await t.db.prisma.group.create({
      data: { orgId: org.id, displayName: "Everyone", displayNameLower: "everyone", source: "scim" },
    });
    groupId = group.id;
    // 10,000 SCIM users without a role, in one statement (the test's data, not what is tested).
    await t.db.prisma.$executeRaw`
      INSERT INTO users (id, org_id, email, email_lower, user_name, user_name_lower, provisioned_by, updated_at)
      SELECT gen_random_uuid(), ${org.id}::uuid, 'u' || i || '@acme.test', 'u' || i || '@acme.test',
        'u' || i || '@acme.test', 'u' || i || '@acme.test', 'scim', now()
      FROM generate_series(1, ${MEMBERS}) AS i`;
    userIds = (await t.db.prisma.user.findMany({ where: { orgId: org.id }, select: { id: true } })).map(
      (u) => u.id,
    );
    await start();
  });
  afterAll(async () => {
    await instance?.kill();
    await t?.close();
    await drop?.();
  });

  /** What a change may have touched: counted and summed so that any partial write shows. */
  const snapshot = async () => ({
    members: await t.db.prisma.groupMembership.count({ where: { groupId } }),
    byRole: await t.db.prisma.user.groupBy({
      by: ["role"],
      where: { orgId: org.id },
      _count: true,
      orderBy: { role: "asc" },
    }),
    outbox: await t.db.prisma.outboxEvent.count({ where: { orgId: org.id } }),
    audit: await t.db.prisma.auditEvent.count({ where: { orgId: org.id } }),
    rules: await t.db.prisma.roleMappingRule.findMany({
      where: { orgId: org.id },
      select: { group: true, role: true },
    }),
    groupVersion: (await t.db.prisma.group.findUniqueOrThrow({ where: { id: groupId } })).version,
  });

  /**
   * Sends `send()` while a test transaction holds the users table, waits until the service's
   * transaction has written and is waiting on that table, kills the service, releases the table,
   * and waits until PostgreSQL has ended the orphaned backend (rolling its transaction back).
   */
  async function killMidTransaction(send: () => Promise<Response>) {
    const holder = new pg.Client({ connectionString: url });
    // Another connection watches: pg_stat_activity is read once per transaction, and the
    // holder's stays open.
    const watcher = new pg.Client({ connectionString: url });
    await holder.connect();
    await watcher.connect();
    try {
      const [{ pid: holderPid }] = (await holder.query<{ pid: number }>("SELECT pg_backend_pid() AS pid"))
        .rows as [{ pid: number }];
      await holder.query("BEGIN");
      await holder.query("LOCK TABLE users IN SHARE MODE");
      const answered = send().then(
        async (res) => `answered ${res.status}: ${(await res.text()).slice(0, 300)}`,
        () => "connection lost",
      );
      let victim: number | undefined;
      for (let i = 0; i < 600 && victim === undefined; i++) {
        const { rows } = await watcher.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> $1
             AND wait_event_type = 'Lock' AND backend_xid IS NOT NULL`,
          [holderPid],
        );
        victim = rows[0]?.pid;
        if (victim === undefined) await new Promise((r) => setTimeout(r, 50));
      }
      expect({ victim: victim !== undefined, answer: victim ? "" : await answered }).toEqual({
        victim: true,
        answer: "",
      });
      await instance.kill();
      expect(await answered).toBe("connection lost");
      await holder.query("ROLLBACK");
      for (let i = 0; i < 600; i++) {
        const { rows } = await watcher.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1", [victim]);
        if (rows.length === 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await holder.end();
      await watcher.end();
    }
  }

  const patchAll = () =>
    fetch(`http://127.0.0.1:${port}/scim/v2/${org.slug}/Groups/${groupId}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
      body: JSON.stringify({
        schemas: [PATCH_OP],
        Operations: [{ op: "add", path: "members", value: userIds.map((value) => ({ value })) }],
      }),
    });

  const putRules = () =>
    fetch(`http://127.0.0.1:${port}/api/v1/orgs/${org.slug}/role-mappings`, {
      method: "PUT",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ defaultRole: null, rules: [{ group: "Everyone", role: "Viewer" }] }),
    });

  test("when the service is killed during a 10,000-member group PATCH, then nothing of it is kept, and after a restart the same PATCH applies whole", async () => {
    const before = await snapshot();
    await killMidTransaction(patchAll);
    expect(await snapshot()).toEqual(before);

    await start();
    const res = await patchAll();
    expect([200, 204]).toContain(res.status);
    const after = await snapshot();
    expect(after.members).toBe(MEMBERS);
    expect(after.byRole).toEqual([{ role: "Support", _count: MEMBERS }]);
    // One group.updated event, and one user.role_changed per member: exactly what committed.
    expect(after.outbox).toBe(before.outbox + 1 + MEMBERS);
    const types = await t.db.prisma.outboxEvent.groupBy({
      by: ["type"],
      where: { orgId: org.id },
      _count: true,
    });
    expect(Object.fromEntries(types.map((x) => [x.type, x._count]))).toEqual({
      "group.updated": 1,
      "user.role_changed": MEMBERS,
    });
  });

  test("when the service is killed during a rules change that recomputes the whole organization, then no rule and no role changed, and after a restart the same change applies whole", async () => {
    const before = await snapshot();
    expect(before.byRole).toEqual([{ role: "Support", _count: MEMBERS }]);
    await killMidTransaction(putRules);
    expect(await snapshot()).toEqual(before);

    await start();
    const res = await putRules();
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ changed: MEMBERS, byRole: { Viewer: MEMBERS } });
    const after = await snapshot();
    expect(after.rules).toEqual([{ group: "Everyone", role: "Viewer" }]);
    expect(after.byRole).toEqual([{ role: "Viewer", _count: MEMBERS }]);
    expect(after.outbox).toBe(before.outbox + MEMBERS);
    expect(after.audit).toBe(before.audit + MEMBERS + 1); // the role changes and the rules change
  });
});
