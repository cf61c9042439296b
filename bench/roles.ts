// npm run bench:roles — issue 4's benchmark: an org of 100,000 users in 50 groups; one rule
// change that moves 50,000 of them from Viewer to Support is recomputed and committed (PUT),
// and previewed; on PGlite and on PostgreSQL, each in a child process of its own so that RSS
// is per engine. Baseline in the same run: a bare UPDATE of the same 50,000 rows in a fresh
// database (the floor of storing the change). On PostgreSQL each rewrite also reports how many
// of its user updates were HOT (pg_stat_user_tables). Options: --engine pglite|postgres (one
// only), --users N. PostgreSQL: BENCH_DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres;
// the bench creates and drops its own database.
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import type { Database } from "../src/db/client";
import { withDatabase } from "./database";
import { putMappings } from "../src/roles/put-mappings";
import { previewMappings } from "../src/roles/preview-mappings";
import { recomputeRoles } from "../src/roles/recompute";
import type { RoleMappingsInput } from "../src/roles/mappings-input";
import { systemActor, type Ctx } from "../src/shared/context";
import { arg } from "./args";

const GROUPS = 50;
const USERS = Number(arg("users") ?? 100_000);
const HALF = Math.floor(USERS / 2);

let peakRss = 0;
const sampleRss = () => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

async function timed<T>(label: string, fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  process.stderr.write(`  ... ${label}\n`);
  sampleRss();
  const start = process.hrtime.bigint();
  const value = await fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  sampleRss();
  return { ms, value };
}

/** Bulk SQL: Engineering (object id obj-0) holds the first half of the users; everyone is also
 * in one of 49 departments; every tenth user's last sign-in carried their department's object id. */
async function seed(db: Database, orgId: string): Promise<void> {
  const p = db.prisma;
  await p.$executeRaw`INSERT INTO organizations (id, slug, name, plan, updated_at)
    VALUES (${orgId}::uuid, 'bench-roles', 'Bench Roles', 'enterprise', now())`;
  await p.$executeRaw`INSERT INTO groups (id, org_id, display_name, display_name_lower, external_id, source, updated_at)
    SELECT gen_random_uuid(), ${orgId}::uuid, name, lower(name), 'obj-' || g, 'scim', now()
    FROM generate_series(0, ${GROUPS - 1}::int) g,
      LATERAL (SELECT CASE WHEN g = 0 THEN 'Engineering' ELSE 'Department ' || g END AS name) n`;
  await p.$executeRaw`INSERT INTO users (id, org_id, email, email_lower, user_name, user_name_lower, external_id,
      status, provisioned_by, sso_groups, updated_at)
    SELECT gen_random_uuid(), ${orgId}::uuid, 'user' || i || '@bench.test', 'user' || i || '@bench.test',
      'user' || i || '@bench.test', 'user' || i || '@bench.test', 'u' || i, 'active', 'scim',
      CASE WHEN i % 10 = 0 THEN ARRAY['obj-' || (1 + i % 49)] ELSE ARRAY[]::text[] END, now()
    FROM generate_series(0, ${USERS - 1}::int) i`;
  await p.$executeRaw`INSERT INTO group_memberships (group_id, user_id, org_id)
    SELECT g.id, u.id, ${orgId}::uuid FROM users u
    JOIN groups g ON g.org_id = ${orgId}::uuid AND g.external_id = 'obj-0'
    WHERE u.org_id = ${orgId}::uuid AND substr(u.external_id, 2)::int < ${HALF}::int
    UNION ALL
    SELECT g.id, u.id, ${orgId}::uuid FROM users u
    JOIN groups g ON g.org_id = ${orgId}::uuid AND g.external_id = 'obj-' || (1 + substr(u.external_id, 2)::int % 49)
    WHERE u.org_id = ${orgId}::uuid`;
  await p.$executeRawUnsafe(`ANALYZE`);
}

/** users' n_tup_upd / n_tup_hot_upd (PostgreSQL only), once the server has flushed at least
 * `updates` updates: a backend reports its counters when it goes idle, not at commit. */
interface UpdateCounts {
  upd: number;
  hot: number;
}
async function updateCounts(db: Database, updates: number): Promise<UpdateCounts | null> {
  if (db.kind !== "postgres") return null;
  const deadline = Date.now() + 15_000;
  for (;;) {
    const [row] = await db.prisma.$queryRaw<{ upd: number; hot: number }[]>`
      SELECT n_tup_upd::int AS upd, n_tup_hot_upd::int AS hot FROM pg_stat_user_tables WHERE relname = 'users'`;
    if (!row || row.upd >= updates || Date.now() > deadline) return row ?? null;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
const hotNote = (a: UpdateCounts | null, b: UpdateCounts | null) =>
  a && b ? `HOT ${b.hot - a.hot} of ${b.upd - a.upd} updates` : "";

/** The floor: storing 50,000 role changes with nothing computed and no events. */
async function bareUpdate(db: Database, orgId: string): Promise<void> {
  await db.prisma.$executeRaw`UPDATE users SET role = 'Support', updated_at = now()
    WHERE org_id = ${orgId}::uuid AND substr(external_id, 2)::int < ${HALF}::int`;
}

const initialRules: RoleMappingsInput = {
  defaultRole: "Viewer",
  rules: [
    { group: "Portal Admins", role: "Admin" },
    ...Array.from({ length: GROUPS - 1 }, (_, i) => ({
      group: `Department ${i + 1}`,
      role: "Viewer" as const,
    })),
  ],
};
// Written against Engineering's object id: matched through the group's externalId.
const changedRules: RoleMappingsInput = {
  ...initialRules,
  rules: [...initialRules.rules, { group: "OBJ-0", role: "Support" }],
};

async function runEngine(engine: "pglite" | "postgres"): Promise<void> {
  await withDatabase(engine, async (db) => {
    const orgId = randomUUID();
    const ctx: Ctx = { orgId, actor: systemActor("bench"), requestId: "bench" };
    const startRss = process.memoryUsage().rss;
    peakRss = startRss;
    const seeded = await timed("seed", () => seed(db, orgId));
    const c0 = await updateCounts(db, 0);
    const initial = await timed("initial mapping", () =>
      putMappings(db, ctx, initialRules, { force: false }),
    );
    const c1 = await updateCounts(db, USERS);
    const baseline = await timed("same rules again", () =>
      putMappings(db, ctx, initialRules, { force: false }),
    );
    const preview = await timed("preview", () => previewMappings(db, ctx, changedRules));
    const change = await timed("rule change", () => putMappings(db, ctx, changedRules, { force: false }));
    const c2 = await updateCounts(db, USERS + HALF);
    // Two more whole-org rewrites of the same 50,000 users (back, then the change again).
    const back = await timed("rule change reverted", () =>
      putMappings(db, ctx, initialRules, { force: false }),
    );
    const c3 = await updateCounts(db, USERS + 2 * HALF);
    const again = await timed("rule change again", () =>
      putMappings(db, ctx, changedRules, { force: false }),
    );
    const c4 = await updateCounts(db, USERS + 3 * HALF);
    const [sizes] = await db.prisma.$queryRaw<{ heap: number; indexes: number }[]>`
      SELECT pg_relation_size('users')::float8 AS heap, pg_indexes_size('users')::float8 AS indexes`;
    const someIds = await db.prisma.user.findMany({ where: { orgId }, select: { id: true }, take: 20 });
    const single = await timed("single users", async () => {
      for (const { id } of someIds) await db.prisma.$transaction((tx) => recomputeRoles(tx, ctx, [id]));
    });
    if (change.value.changed !== HALF || preview.value.changed !== HALF) {
      throw new Error(
        `expected ${HALF} changes, got PUT ${change.value.changed}, preview ${preview.value.changed}`,
      );
    }
    const peak = peakRss;
    // The floor in a fresh database of its own: on PGlite a third bulk rewrite of the same rows
    // stalls (see docs/benchmarks.md), so it must not follow the measured statements.
    const floor = await withDatabase(engine, async (fresh) => {
      await seed(fresh, orgId);
      const before = await updateCounts(fresh, 0);
      const update = await timed("bare update (fresh database)", () => bareUpdate(fresh, orgId));
      return { ...update, hot: hotNote(before, await updateCounts(fresh, HALF)) };
    });
    const row = (label: string, ms: number, note = "") =>
      console.log(`  ${label.padEnd(44)} ${`${ms.toFixed(0)} ms`.padStart(10)}  ${note}`);
    console.log(`\n${engine} (${USERS.toLocaleString("en")} users, ${GROUPS} groups)`);
    row("seed (bulk SQL)", seeded.ms);
    row(`initial mapping, ${initial.value.changed} users changed`, initial.ms, hotNote(c0, c1));
    row("same rules again, 0 changed", baseline.ms);
    row(`baseline: bare UPDATE of the ${HALF} rows' role`, floor.ms, floor.hot);
    row(
      `rule change, ${change.value.changed} changed + commit`,
      change.ms,
      [`${(change.ms / floor.ms).toFixed(1)}x baseline`, hotNote(c1, c2)].filter(Boolean).join("; "),
    );
    row(
      `preview of that change (${preview.value.changed})`,
      preview.ms,
      `${(preview.ms / floor.ms).toFixed(1)}x baseline`,
    );
    row(
      `reverted (${back.value.changed}), then again (${again.value.changed})`,
      back.ms,
      [`then ${again.ms.toFixed(0)} ms`, hotNote(c2, c3), hotNote(c3, c4)].filter(Boolean).join("; "),
    );
    row("one user's recompute (mean of 20)", single.ms / someIds.length);
    if (sizes) {
      const sizeLabel = "users table after the rewrites: heap, indexes";
      console.log(`  ${sizeLabel.padEnd(44)} ${mb(sizes.heap).padStart(10)}  ${mb(sizes.indexes)} indexes`);
    }
    console.log(`  ${"RSS after start and migrations".padEnd(44)} ${mb(startRss).padStart(10)}`);
    console.log(
      `  ${"peak RSS (growth over start)".padEnd(44)} ${mb(peak).padStart(10)}  +${mb(peak - startRss)}`,
    );
    console.log(
      JSON.stringify({
        engine,
        users: USERS,
        changeMs: Math.round(change.ms),
        previewMs: Math.round(preview.ms),
        revertMs: Math.round(back.ms),
        againMs: Math.round(again.ms),
        noChangeMs: Math.round(baseline.ms),
        bareUpdateMs: Math.round(floor.ms),
        ...(c1 && c2 ? { changeHot: c2.hot - c1.hot, changeUpdates: c2.upd - c1.upd } : {}),
        singleUserMs: +(single.ms / someIds.length).toFixed(1),
        startRssMb: Math.round(startRss / 1024 / 1024),
        peakRssMb: Math.round(peak / 1024 / 1024),
      }),
    );
  });
}

async function main(): Promise<void> {
  const engine = arg("engine");
  if (engine === "pglite" || engine === "postgres") return runEngine(engine);
  // Each engine in its own process: PGlite's memory is this process's memory.
  for (const e of ["pglite", "postgres"]) {
    const args = [
      ...process.execArgv,
      process.argv[1]!,
      "--engine",
      e,
      ...(arg("users") ? ["--users", arg("users")!] : []),
    ];
    const child = spawnSync(process.execPath, args, { stdio: "inherit" });
    if (child.status !== 0) process.exitCode = 1;
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
