// Issue 17 point 1: two service processes on one PostgreSQL, driven at once. SCIM creates of the
// same userName, member PATCHes on one group and deactivations of the same users, half through
// each instance: no duplicate, no lost membership, every role right, every event once in the
// outbox. Then what must hold for a browser and an IdP whichever instance they reach: a SAML
// assertion used on one is refused by the other, a session made on one works on the other and
// ends on both when the user is deactivated, and a revoked SCIM token fails on both at once.
// PostgreSQL only: the embedded database belongs to one process (two-instances.test.ts).
import { inflateRawSync } from "node:zlib";
import request from "supertest";
import type { Organization } from "../../src/generated/prisma/client";
import { openPostgres } from "../../src/db/client";
import { createTestApp, TEST_SECRET_KEY, type TestApp } from "../support/app";
import { createMigratedPostgresDatabase, testDbKind } from "../support/db";
import { launch, type Instance } from "../support/instances";
import { startSamlIdps, type SamlIdpPool } from "../support/saml-idp";
import { GROUP, PATCH_OP, USER } from "../scim/scim-client";
import { samlOrg } from "../sso/saml/saml-flow";

const BASE_URL = "http://sso.test";
// PostgreSQL only: several processes on one database (PGlite is held by one process); the
// PostgreSQL project runs it when TEST_DATABASE_URL is set, as CI does.
const onPostgres = testDbKind() === "postgres" ? describe : describe.skip;

interface Answer {
  status: number;
  body: Record<string, unknown>;
  text: string;
  headers: Headers;
}

/** One HTTP call to an instance, as an IdP, a browser or an admin client would make it. */
async function call(
  port: number,
  method: string,
  path: string,
  opts: { token?: string; cookie?: string; json?: unknown; form?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.cookie) headers.cookie = opts.cookie;
  let body: string | undefined;
  if (opts.json !== undefined) {
    headers["content-type"] = "application/scim+json";
    body = JSON.stringify(opts.json);
  } else if (opts.form) {
    headers["content-type"] = "application/x-www-form-urlencoded";
    body = new URLSearchParams(opts.form).toString();
  }
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers, body, redirect: "manual" });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    /* an HTML page */
  }
  return { status: res.status, body: parsed, text, headers: res.headers };
}

onPostgres("two instances on one PostgreSQL", () => {
  let t: TestApp;
  let drop: () => Promise<void>;
  let a: Instance;
  let b: Instance;
  let ports: [number, number];

  beforeAll(async () => {
    const database = await createMigratedPostgresDatabase();
    drop = database.drop;
    // The test's own handle on the same database: set-up (factories) and final checks.
    t = await createTestApp({ BASE_URL }, { db: openPostgres(database.url, 3) });
    const env = { DATABASE_URL: database.url, SECRET_KEY: TEST_SECRET_KEY, PORT: "0", BASE_URL };
    a = launch(env);
    b = launch(env);
    ports = await Promise.all([a.ready, b.ready]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await t?.close();
    await drop?.();
  });

  const outbox = (org: Organization, type: string) =>
    t.db.prisma.outboxEvent.findMany({ where: { orgId: org.id, type }, orderBy: { id: "asc" } });
  const countBy = (values: string[]) =>
    values.reduce((m, v) => m.set(v, (m.get(v) ?? 0) + 1), new Map<string, number>());

  test("when SCIM creates, member PATCHes and deactivations of the same resources reach both instances at once, then nothing is duplicated or lost and every event is in the outbox once", async () => {
    const org = await t.given.org({ plan: "enterprise", defaultRole: "Viewer" });
    await t.db.prisma.roleMappingRule.create({
      data: { orgId: org.id, position: 0, group: "Engineers", groupLower: "engineers", role: "Admin" },
    });
    const token = await t.given.scimToken(org);
    const base = `/scim/v2/${org.slug}`;
    const scim = (i: number, method: string, path: string, json?: unknown) =>
      call(ports[i % 2]!, method, base + path, { token, json });
    const N = 24;
    const userName = (i: number) => `person${i}@acme.test`;

    // Creates: each userName four times, twice through each instance, in two letter cases.
    const creates = await Promise.all(
      Array.from({ length: N * 4 }, (_, k) => {
        const i = k % N;
        const name = k % 3 === 0 ? userName(i).toUpperCase() : userName(i);
        return scim(k, "POST", "/Users", {
          schemas: [USER],
          userName: name,
          emails: [{ value: userName(i), primary: true }],
          active: true,
        });
      }),
    );
    expect(creates.filter((r) => r.status >= 500)).toEqual([]);
    expect(creates.filter((r) => r.status === 201)).toHaveLength(N);
    expect(creates.filter((r) => r.status === 409).every((r) => r.body.scimType === "uniqueness")).toBe(true);
    expect(creates.filter((r) => r.status === 409)).toHaveLength(N * 3);
    const users = await t.db.prisma.user.findMany({
      where: { orgId: org.id },
      orderBy: { userNameLower: "asc" },
    });
    expect(users.map((u) => u.userNameLower).sort()).toEqual(
      Array.from({ length: N }, (_, i) => userName(i)).sort(),
    );
    const idOf = new Map(users.map((u) => [u.userNameLower, u.id]));
    const id = (i: number) => idOf.get(userName(i)) as string;

    const group = await scim(0, "POST", "/Groups", { schemas: [GROUP], displayName: "Engineers" });
    expect(group.status).toBe(201);
    const groupPath = `/Groups/${group.body.id as string}`;
    const members = (op: string, ids: string[]) => ({
      schemas: [PATCH_OP],
      Operations: [{ op, path: "members", value: ids.map((value) => ({ value })) }],
    });

    // Member PATCHes on the one group: users 0..15 added by a PATCH each, alternating instances,
    // all at once; then, at once again, users 0..7 removed while 16..23 are added.
    const adds = await Promise.all(
      Array.from({ length: 16 }, (_, i) => scim(i, "PATCH", groupPath, members("add", [id(i)]))),
    );
    expect(adds.map((r) => r.status).filter((s) => s !== 200 && s !== 204)).toEqual([]);
    const second = await Promise.all([
      ...Array.from({ length: 8 }, (_, i) => scim(i, "PATCH", groupPath, members("remove", [id(i)]))),
      ...Array.from({ length: 8 }, (_, i) => scim(i + 1, "PATCH", groupPath, members("add", [id(i + 16)]))),
    ]);
    expect(second.map((r) => r.status).filter((s) => s !== 200 && s !== 204)).toEqual([]);

    // Deactivations: users 16..23, each by both instances at once.
    const deactivations = await Promise.all(
      Array.from({ length: 16 }, (_, k) =>
        scim(k, "PATCH", `/Users/${id(16 + (k % 8))}`, {
          schemas: [PATCH_OP],
          Operations: [{ op: "replace", value: { active: false } }],
        }),
      ),
    );
    expect(deactivations.map((r) => r.status)).toEqual(Array(16).fill(200));

    const memberIds = (
      await t.db.prisma.groupMembership.findMany({ where: { groupId: group.body.id as string } })
    ).map((m) => m.userId);
    const expectedMembers = Array.from({ length: N - 8 }, (_, i) => id(i + 8));
    expect(memberIds.sort()).toEqual(expectedMembers.sort());

    const final = await t.db.prisma.user.findMany({ where: { orgId: org.id } });
    const state = (i: number) => {
      const u = final.find((x) => x.id === id(i))!;
      return { i, role: u.role, status: u.status };
    };
    expect(Array.from({ length: N }, (_, i) => state(i))).toEqual(
      Array.from({ length: N }, (_, i) => ({
        i,
        role: i < 8 ? "Viewer" : "Admin",
        status: i >= 16 ? "deactivated" : "active",
      })),
    );

    // The outbox: one user.created and (for 16..23) one user.deactivated per user; each user
    // added to the group once and users 0..7 removed once across the group.updated events;
    // role changes: the default role at creation, Admin in the group, Viewer again for 0..7.
    const created = await outbox(org, "user.created");
    expect([...countBy(created.map((e) => e.subjectId!)).values()]).toEqual(Array(N).fill(1));
    expect(created).toHaveLength(N);
    const deactivated = (await outbox(org, "user.deactivated")).map((e) => e.subjectId!);
    expect(deactivated.sort()).toEqual(Array.from({ length: 8 }, (_, i) => id(16 + i)).sort());
    expect(await outbox(org, "group.created")).toHaveLength(1);
    const groupUpdates = await outbox(org, "group.updated");
    expect(groupUpdates).toHaveLength(32); // one per PATCH
    const groupEvents = groupUpdates.map(
      (e) => e.payload as { membersAdded?: string[]; membersRemoved?: string[] },
    );
    const added = groupEvents.flatMap((p) => p.membersAdded ?? []);
    const removed = groupEvents.flatMap((p) => p.membersRemoved ?? []);
    expect(added.sort()).toEqual(Array.from({ length: N }, (_, i) => id(i)).sort());
    expect(removed.sort()).toEqual(Array.from({ length: 8 }, (_, i) => id(i)).sort());
    const roleChanges = await outbox(org, "user.role_changed");
    const rolesOf = (i: number) =>
      roleChanges.filter((e) => e.subjectId === id(i)).map((e) => (e.payload as { role: string }).role);
    expect(Array.from({ length: N }, (_, i) => rolesOf(i))).toEqual(
      Array.from({ length: N }, (_, i) => (i < 8 ? ["Viewer", "Admin", "Viewer"] : ["Viewer", "Admin"])),
    );
  });

  describe("sign-in, sessions and tokens across instances", () => {
    let pool: SamlIdpPool;
    beforeAll(() => {
      pool = startSamlIdps();
    });
    afterAll(() => pool.close());

    test("when an assertion is accepted by one instance, then the other refuses it; the session works on both and ends on both when SCIM deactivates the user on one", async () => {
      const idp = pool.create("https://idp.test/instances");
      const s = await samlOrg(t, idp, { rules: [{ group: "Admins", role: "Admin" }] });
      const token = await t.given.scimToken(s.org);
      const scimUser = await call(ports[0], "POST", `/scim/v2/${s.org.slug}/Users`, {
        token,
        json: { schemas: [USER], userName: "alice@acme.test", active: true },
      });
      expect(scimUser.status).toBe(201);

      // The AuthnRequest is issued by instance A; the IdP's answer is posted to instance B.
      const started = await call(ports[0], "GET", `/sso/${s.org.slug}/login?returnTo=/dashboard`);
      expect(started.status).toBe(302);
      const samlRequest = new URL(started.headers.get("location")!).searchParams.get("SAMLRequest")!;
      const authnRequest = inflateRawSync(Buffer.from(samlRequest, "base64")).toString("utf8");
      const login = { id: /\sID="([^"]+)"/.exec(authnRequest)![1] };
      const xml = await idp.respond({
        destination: s.acsUrl,
        audience: s.spEntityId,
        inResponseTo: login.id,
        nameId: "alice@acme.test",
        attributes: { groups: ["Admins"] },
      });
      const form = { SAMLResponse: Buffer.from(xml).toString("base64") };
      const accepted = await call(ports[1], "POST", `/sso/${s.org.slug}/saml/acs`, { form });
      expect(accepted.status).toBe(302);
      const cookie = (
        accepted.headers.getSetCookie().find((c) => c.startsWith("sso_bridge_session=")) ?? ""
      ).split(";")[0] as string;
      expect(cookie).toMatch(/^sso_bridge_session=.+/);

      const replayed = await call(ports[0], "POST", `/sso/${s.org.slug}/saml/acs`, { form });
      expect(replayed.status).toBe(401);
      expect(replayed.headers.get("content-type")).toMatch(/text\/html/);
      expect(replayed.headers.getSetCookie()).toEqual([]);
      expect(await t.db.prisma.session.count({ where: { orgId: s.org.id } })).toBe(1);

      for (const port of ports) {
        const me = await call(port, "GET", "/api/v1/me", { cookie });
        expect({ port, status: me.status, role: me.body.role }).toEqual({ port, status: 200, role: "Admin" });
      }

      const deactivate = await call(
        ports[0],
        "PATCH",
        `/scim/v2/${s.org.slug}/Users/${scimUser.body.id as string}`,
        {
          token,
          json: { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "active", value: false }] },
        },
      );
      expect(deactivate.status).toBe(200);
      for (const port of [ports[1], ports[0]]) {
        const me = await call(port, "GET", "/api/v1/me", { cookie });
        expect({ port, status: me.status }).toEqual({ port, status: 401 });
      }
    });

    test("when a SCIM token both instances have just accepted is revoked through one, then both refuse it on the next request", async () => {
      const org = await t.given.org({ plan: "enterprise" });
      const apiKey = await t.given.apiKey(org);
      const token = await t.given.scimToken(org);
      const hex = token.split("_")[1] as string;
      const tokenId = hex.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, "$1-$2-$3-$4-$5");
      const users = `/scim/v2/${org.slug}/Users`;
      // Each instance has the token in its cache of verified tokens now.
      for (let k = 0; k < 4; k++)
        expect((await call(ports[k % 2]!, "GET", users, { token })).status).toBe(200);

      const revoked = await request(`http://127.0.0.1:${ports[0]}`)
        .delete(`/api/v1/orgs/${org.slug}/scim-tokens/${tokenId}`)
        .set("Authorization", `Bearer ${apiKey}`);
      expect(revoked.status).toBe(204);
      const after = await Promise.all([
        call(ports[1], "GET", users, { token }),
        call(ports[0], "GET", users, { token }),
      ]);
      expect(after.map((r) => r.status)).toEqual([401, 401]);
      for (const r of after) expect(r.body.schemas).toEqual(["urn:ietf:params:scim:api:messages:2.0:Error"]);
    });
  });
});
