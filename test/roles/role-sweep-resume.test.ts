// A server on the embedded database that stops, or is killed, in the middle of a
// whole-organization role sweep finishes it at its next start: every user of the change ends
// with its rules and each event is written once. The real server on a data directory: main.ts
// start() in this process, stopped as SIGTERM stops it, or src/main.ts in a child process
// killed with SIGKILL.
import { cpSync, rmSync } from "node:fs";
import path from "node:path";
import request from "supertest";
import type { Organization } from "../../src/generated/prisma/client";
import { start } from "../../src/main";
import { recomputeOrgRoles } from "../../src/roles/recompute";
import { SWEEP_CHUNK_USERS } from "../../src/roles/sweep";
import { systemActor } from "../../src/shared/context";
import { createGiven } from "../support/given";
import { TEST_SECRET_KEY } from "../support/app";
import { testDbKind } from "../support/db";
import { assertEventRowsValid } from "../support/event-rows";
import { launch } from "../support/instances";
import { tempDir } from "../support/temp-dir";

const onPglite = testDbKind() === "pglite" ? describe : describe.skip;
const USERS = SWEEP_CHUNK_USERS * 12;
const ENGINEERING = USERS / 2;
const RULES = { defaultRole: "Viewer", rules: [{ group: "Engineering", role: "Support" }] };

onPglite("a server stopped during a role sweep", () => {
  // Each test: a copy of a data directory with 12,000 users (made by the first), two starts.
  jest.setTimeout(240_000);
  const root = tempDir("sso-sweep-resume-");
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const envOf = (name: string) => ({
    SECRET_KEY: TEST_SECRET_KEY,
    LOG_LEVEL: "error",
    BASE_URL: "http://sso.test",
    PORT: "0",
    HOST: "127.0.0.1",
    DATA_DIR: path.join(root, name),
  });

  let template: Promise<{ org: Organization; key: string }> | null = null;
  /**
   * A stopped server's data directory holding an organization of USERS Viewers, half of them in
   * Engineering. Creating the users takes most of a test's time: they are created once, in a
   * directory of their own, and each test starts from a copy.
   */
  async function prepared(env: Record<string, string>) {
    template ??= (async () => {
      const server = await start(envOf("template"));
      try {
        const given = createGiven(server.services);
        const org = await given.org({ plan: "enterprise", defaultRole: "Viewer" });
        const key = await given.apiKey(org);
        const ids = await given.users(
          org,
          Array.from({ length: USERS }, (_, i) => `u${i}@resume.test`),
          { manualRole: false, role: "Viewer", roleSource: { kind: "default", rules: [] } },
        );
        await given.group(org, "Engineering", { members: ids.filter((_, i) => i % 2 === 0) });
        return { org, key };
      } finally {
        await server.stop("test");
      }
    })();
    const made = await template;
    cpSync(path.join(root, "template"), env.DATA_DIR!, { recursive: true });
    return made;
  }

  /** Starts the server again: it finishes the sweep, with the change's result and events. */
  async function finishedAfterRestart(env: Record<string, string>, org: Organization) {
    const again = await start(env);
    const { db } = again.services;
    try {
      // The sweep was left halfway (the first chunks committed, the mark still there).
      expect(await db.prisma.roleSweep.count()).toBe(1);
      expect(await db.prisma.user.count({ where: { orgId: org.id, role: "Support" } })).toBeGreaterThan(0);
      for (let i = 0; i < 20_000 && (await db.prisma.roleSweep.count()) > 0; i++)
        await new Promise((r) => setTimeout(r, 5));

      expect(await db.prisma.roleSweep.count()).toBe(0);
      expect(await db.prisma.user.count({ where: { orgId: org.id, role: "Support" } })).toBe(ENGINEERING);
      expect(await db.prisma.user.count({ where: { orgId: org.id, role: "Viewer" } })).toBe(
        USERS - ENGINEERING,
      );
      const atomic = await db.prisma.$transaction((tx) =>
        recomputeOrgRoles(tx, { orgId: org.id, actor: systemActor() }),
      );
      expect(atomic.changed).toBe(0);
      const roleChanged = await db.prisma.auditEvent.findMany({
        where: { orgId: org.id, action: "user.role_changed" },
        select: { targetId: true, actorType: true },
      });
      expect(roleChanged).toHaveLength(ENGINEERING);
      expect(new Set(roleChanged.map((e) => e.targetId)).size).toBe(ENGINEERING);
      // Attributed to the change's caller, whichever server process swept them.
      expect(new Set(roleChanged.map((e) => e.actorType))).toEqual(new Set(["api_key"]));
      expect(await db.prisma.outboxEvent.count({ where: { orgId: org.id, type: "user.role_changed" } })).toBe(
        ENGINEERING,
      );
      const updated = await db.prisma.auditEvent.findMany({
        where: { orgId: org.id, action: "role_mappings.updated" },
      });
      expect(updated).toHaveLength(1);
      expect(updated[0]!.data).toMatchObject({ changed: ENGINEERING, byRole: { Support: ENGINEERING } });
      expect(updated[0]!.actorType).toBe("api_key");
      await assertEventRowsValid(db);
    } finally {
      await again.stop("test");
    }
  }

  test("when it is stopped (SIGTERM) halfway, then the change's request answers 503 and the next start finishes the sweep", async () => {
    const env = envOf("stopped");
    const { org, key } = await prepared(env);
    const server = await start(env);
    const { db } = server.services;

    const answer = request(server.server)
      .put(`/api/v1/orgs/${org.slug}/role-mappings`)
      .set("Authorization", `Bearer ${key}`)
      .send(RULES)
      .then((r) => r);
    for (let i = 0; i < 5_000; i++) {
      if ((await db.prisma.roleSweep.findUnique({ where: { orgId: org.id } }))?.afterId) break;
      await new Promise((r) => setTimeout(r, 2));
    }
    await server.stop("test");
    const res = await answer;

    expect(res.status).toBe(503);
    expect(res.body.detail).toMatch(/finishes when the server starts again/);
    await finishedAfterRestart(env, org);
  });

  test("when it is killed (SIGKILL) halfway, then the next start finishes the sweep from the committed chunks", async () => {
    const env = envOf("killed");
    const { org, key } = await prepared(env);
    // launch() learns the port from the "listening" line, logged at info.
    const child = launch({ ...env, LOG_LEVEL: "info" });
    try {
      const base = `http://127.0.0.1:${await child.ready}/api/v1/orgs/${org.slug}`;
      const auth = { Authorization: `Bearer ${key}` };
      const put = fetch(`${base}/role-mappings`, {
        method: "PUT",
        headers: { ...auth, "Content-Type": "application/json" },
        body: JSON.stringify(RULES),
      }).catch(() => null);
      // The first chunk's events are visible once it has committed: then kill.
      for (let i = 0; i < 20_000; i++) {
        const page = await fetch(`${base}/audit-events?action=user.role_changed&limit=1`, { headers: auth });
        if (((await page.json()) as { data: unknown[] }).data.length > 0) break;
        await new Promise((r) => setTimeout(r, 2));
      }
      await child.kill();
      await put;
    } finally {
      await child.kill();
    }
    await finishedAfterRestart(env, org);
  });
});
