// A server on the embedded database that stops in the middle of a whole-organization role sweep
// finishes it at its next start: the change's users all end with its rules and each event is
// written once. The real server (main.ts start) on a data directory, stopped as SIGTERM stops it.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import request from "supertest";
import { start } from "../../src/main";
import { recomputeOrgRoles } from "../../src/roles/recompute";
import { SWEEP_CHUNK_USERS } from "../../src/roles/sweep";
import { systemActor } from "../../src/shared/context";
import { createGiven } from "../support/given";
import { TEST_SECRET_KEY } from "../support/app";
import { testDbKind } from "../support/db";
import { assertEventRowsValid } from "../support/event-rows";

const onPglite = testDbKind() === "pglite" ? describe : describe.skip;
const USERS = SWEEP_CHUNK_USERS * 8;

onPglite("a server stopped during a role sweep", () => {
  const root = mkdtempSync(path.join(os.tmpdir(), "sso-sweep-resume-"));
  const env = {
    SECRET_KEY: TEST_SECRET_KEY,
    LOG_LEVEL: "error",
    BASE_URL: "http://sso.test",
    PORT: "0",
    HOST: "127.0.0.1",
    DATA_DIR: path.join(root, "data"),
  };
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  // A new data directory migrated, 8,000 users, two starts: minutes on a busy machine.
  jest.setTimeout(240_000);
  test("when it starts again, then it finishes the sweep: every user has the new rules' role and each event is written once", async () => {
    const first = await start(env);
    const { db } = first.services;
    const given = createGiven(first.services);
    const org = await given.org({ plan: "enterprise" });
    const key = await given.apiKey(org);
    const ids = await given.users(
      org,
      Array.from({ length: USERS }, (_, i) => `u${i}@resume.test`),
      { manualRole: false },
    );
    await given.group(org, "Engineering", { members: ids.filter((_, i) => i % 2 === 0) });
    const put = (body: object) =>
      request(first.server)
        .put(`/api/v1/orgs/${org.slug}/role-mappings`)
        .set("Authorization", `Bearer ${key}`)
        .send(body);
    await put({ defaultRole: "Viewer", rules: [] }).expect(200);
    const seqBefore = (
      await db.prisma.auditEvent.findFirstOrThrow({ where: { orgId: org.id }, orderBy: { seq: "desc" } })
    ).seq;
    const answer = put({ defaultRole: "Viewer", rules: [{ group: "Engineering", role: "Support" }] }).then(
      (r) => r,
    );
    for (let i = 0; i < 5_000; i++) {
      if ((await db.prisma.roleSweep.findUnique({ where: { orgId: org.id } }))?.afterId) break;
      await new Promise((r) => setTimeout(r, 2));
    }
    await first.stop("test");
    const res = await answer;

    // Stopped halfway: 503 saying so; the mark and the chunks swept so far are committed.
    expect(res.status).toBe(503);
    expect(res.body.detail).toMatch(/finishes when the server starts again/);
    const second = await start(env);
    const db2 = second.services.db;
    try {
      for (let i = 0; i < 10_000 && (await db2.prisma.roleSweep.count()) > 0; i++)
        await new Promise((r) => setTimeout(r, 5));
      expect(await db2.prisma.roleSweep.count()).toBe(0);
      const engineering = USERS / 2;
      expect(await db2.prisma.user.count({ where: { orgId: org.id, role: "Support" } })).toBe(engineering);
      expect(await db2.prisma.user.count({ where: { orgId: org.id, role: "Viewer" } })).toBe(
        USERS - engineering,
      );
      const atomic = await db2.prisma.$transaction((tx) =>
        recomputeOrgRoles(tx, { orgId: org.id, actor: systemActor() }),
      );
      expect(atomic.changed).toBe(0);

      const roleChanged = await db2.prisma.auditEvent.findMany({
        where: { orgId: org.id, action: "user.role_changed", seq: { gt: seqBefore } },
        select: { targetId: true, actorType: true },
      });
      expect(roleChanged).toHaveLength(engineering);
      expect(new Set(roleChanged.map((e) => e.targetId)).size).toBe(engineering);
      // Attributed to the change's caller, whichever server process swept them.
      expect(new Set(roleChanged.map((e) => e.actorType))).toEqual(new Set(["api_key"]));
      const updated = await db2.prisma.auditEvent.findMany({
        where: { orgId: org.id, action: "role_mappings.updated", seq: { gt: seqBefore } },
      });
      expect(updated).toHaveLength(1);
      expect(updated[0]!.data).toMatchObject({ changed: engineering, byRole: { Support: engineering } });
      expect(updated[0]!.actorType).toBe("api_key");
      await assertEventRowsValid(db2);
    } finally {
      await second.stop("test");
    }
  });
});
