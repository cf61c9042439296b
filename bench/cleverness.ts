// npm run bench:cleverness — what each unusual construct is worth against its plain alternative,
// measured in the same run on the same data (docs/decisions.md records the figures):
//   1. the role engine's bit-set signatures (sized to the rules) against 8 fixed words and
//      against a plain per-user aggregation (no signature), on a whole-org computation;
//   2. statement-level triggers on audit_events/outbox_events against the foreign keys they
//      replace, on one statement of N audit and N outbox rows (as a rule change writes them);
//   3. the SCIM User resource built as JSON text by PostgreSQL against rows read on the driver
//      and rendered by presentUser, on pages of 100.
// Options: --engine pglite|postgres (default postgres), --users N (default 20,000), --reps R,
// --parts 13 (which of the three to run).
// PostgreSQL: BENCH_DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres (own database).
import { randomUUID } from "node:crypto";
import type { Database } from "../src/db/client";
import { Prisma } from "../src/generated/prisma/client";
import { bulkSettingsSql, computedCte, countsSelect } from "../src/roles/recompute-sql";
import { presentUser, type GroupRef } from "../src/scim/users/present";
import type { UserRow } from "../src/scim/users/document";
import { selectUserPage } from "../src/scim/users/sql";
import { withDatabase } from "./database";

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const ENGINE = arg("engine", "postgres") as "postgres" | "pglite";
const USERS = Number(arg("users", "20000"));
const REPS = Number(arg("reps", "5"));
const PARTS = arg("parts", "123");
const GROUPS = 50;

/** Median ms of `reps` runs of each variant, interleaved (a, b, c, a, b, c, ...) so drift hits all alike. */
async function compare(variants: Record<string, () => Promise<unknown>>, reps = REPS) {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (const fn of Object.values(variants)) await fn(); // warm-up
  for (let i = 0; i < reps; i++)
    for (const [name, fn] of Object.entries(variants)) {
      const start = process.hrtime.bigint();
      await fn();
      times[name]!.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return Object.fromEntries(Object.entries(times).map(([k, xs]) => [k, median(xs)]));
}

function report(title: string, medians: Record<string, number>, plain: string) {
  console.log(`\n${title} (${ENGINE}, median of ${REPS})`);
  for (const [name, ms] of Object.entries(medians))
    console.log(
      `  ${name.padEnd(48)} ${ms.toFixed(1).padStart(9)} ms  ${(ms / medians[plain]!).toFixed(2)}x plain`,
    );
}

async function seed(db: Database, orgId: string): Promise<void> {
  const x = (sql: string) => db.prisma.$executeRawUnsafe(sql.replaceAll("$org", `'${orgId}'::uuid`));
  await x(
    `INSERT INTO organizations (id, slug, name, plan, updated_at) VALUES ($org, 'bench', 'Bench', 'enterprise', now())`,
  );
  await x(`INSERT INTO groups (id, org_id, display_name, display_name_lower, external_id, source, updated_at)
    SELECT gen_random_uuid(), $org, n, lower(n), 'obj-' || g, 'scim', now()
    FROM generate_series(0, ${GROUPS - 1}) g, LATERAL (SELECT CASE WHEN g = 0 THEN 'Engineering' ELSE 'Department ' || g END AS n) l`);
  await x(`INSERT INTO users (id, org_id, email, email_lower, user_name, user_name_lower, external_id, first_name,
      last_name, display_name, status, provisioned_by, scim_data, sso_groups, updated_at)
    SELECT gen_random_uuid(), $org, 'user' || i || '@bench.test', 'user' || i || '@bench.test', 'user' || i || '@bench.test',
      'user' || i || '@bench.test', 'u' || i, 'First' || i, 'Last' || i, 'User ' || i, 'active', 'scim',
      jsonb_build_object('title', 'Engineer', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
        jsonb_build_object('department', 'Department ' || (1 + i % 49))),
      CASE WHEN i % 10 = 0 THEN ARRAY['obj-' || (1 + i % 49)] ELSE ARRAY[]::text[] END, now()
    FROM generate_series(0, ${USERS - 1}) i`);
  await x(`INSERT INTO user_emails (id, org_id, user_id, value, value_lower, type, "primary", position)
    SELECT gen_random_uuid(), $org, id, email, email, 'work', true, 0 FROM users WHERE org_id = $org`);
  await x(`INSERT INTO group_memberships (group_id, user_id, org_id)
    SELECT g.id, u.id, $org FROM users u JOIN groups g ON g.org_id = $org AND g.external_id = 'obj-0'
    WHERE u.org_id = $org AND substr(u.external_id, 2)::int < ${USERS / 2}
    UNION ALL
    SELECT g.id, u.id, $org FROM users u JOIN groups g ON g.org_id = $org AND g.external_id = 'obj-' || (1 + substr(u.external_id, 2)::int % 49)
    WHERE u.org_id = $org`);
  // 50 rules at positions 0..49: one 64-bit word holds them all.
  await x(`INSERT INTO role_mapping_rules (id, org_id, position, "group", group_lower, role)
    SELECT gen_random_uuid(), $org, p, CASE WHEN p = 0 THEN 'OBJ-0' ELSE 'Department ' || p END,
      CASE WHEN p = 0 THEN 'obj-0' ELSE 'department ' || p END, CASE WHEN p = 0 THEN 'Support' ELSE 'Viewer' END::"Role"
    FROM generate_series(0, ${GROUPS - 1}) p`);
  await x(`ANALYZE`);
}

/** The per-user form of the signature CTEs: every user's matched rules aggregated on their own. */
const PLAIN_RESOLUTION = `sig AS (SELECT DISTINCT m.user_id, r.position, r."group", r.role, r.rank FROM matches m JOIN r USING (position)),
  ranked AS (SELECT *, max(rank) OVER (PARTITION BY user_id) AS best FROM sig),
  won AS (
    SELECT user_id, min(role) AS role, jsonb_build_object('kind', 'mapping',
      'rules', jsonb_agg(jsonb_build_object('group', "group", 'role', role) ORDER BY position)) AS source
    FROM ranked WHERE rank = best GROUP BY user_id
  ),
  `;

async function bitSets(db: Database, orgId: string) {
  // As the recompute runs it: in a transaction with its session settings (work_mem, no JIT).
  const runText = (text: string, values: unknown[]) =>
    db.prisma.$transaction(async (tx) => {
      await tx.$queryRaw(bulkSettingsSql(orgId));
      return tx.$queryRawUnsafe(text, ...values);
    });
  const run = (sql: Prisma.Sql) => runText(sql.text, sql.values);
  const statement = (positions?: number) =>
    Prisma.sql`${computedCte(orgId, { kind: "stored", positions }, { kind: "org" })} ${countsSelect}`;
  const sized = statement(GROUPS);
  const plainText = sized.text.replace(/sig AS \([\s\S]*?(?=computed AS \()/, PLAIN_RESOLUTION);
  if (plainText === sized.text) throw new Error("the signature CTEs were not found");
  const results = {
    sized: await run(sized),
    plain: await runText(plainText, sized.values),
  };
  if (JSON.stringify(results.sized) !== JSON.stringify(results.plain))
    throw new Error(`the variants disagree: ${JSON.stringify(results)}`);
  report(
    `1. whole-org role computation, ${USERS} users, ${GROUPS} rules, nothing written`,
    await compare({
      "bit-set signatures, 1 word (as built)": () => run(sized),
      "bit-set signatures, 8 words (fixed size)": () => run(statement(undefined)),
      "plain: per-user aggregation": () => runText(plainText, sized.values),
    }),
    "plain: per-user aggregation",
  );
}

async function eventChecks(db: Database, orgId: string) {
  const rows = USERS;
  const insert = async (tx: Prisma.TransactionClient) => {
    await tx.$executeRawUnsafe(`INSERT INTO audit_events (id, org_id, actor_type, action, target_type, target_id, data)
      SELECT gen_random_uuid(), '${orgId}'::uuid, 'system', 'user.role_changed', 'user', i::text, '{"to":"Support"}'
      FROM generate_series(1, ${rows}) i`);
    await tx.$executeRawUnsafe(`INSERT INTO outbox_events (org_id, type, subject_id, payload)
      SELECT '${orgId}'::uuid, 'user.role_changed', i::text, '{"to":"Support"}' FROM generate_series(1, ${rows}) i`);
  };
  // Each variant times its inserts only, inside a transaction that is rolled back (same table sizes).
  const timedRollback = (prepare: (tx: Prisma.TransactionClient) => Promise<void>) => async () => {
    let ms = 0;
    await db.prisma
      .$transaction(
        async (tx) => {
          await prepare(tx);
          const start = process.hrtime.bigint();
          await insert(tx);
          ms = Number(process.hrtime.bigint() - start) / 1e6;
          throw new Error("rollback");
        },
        { timeout: 120_000 },
      )
      .catch((e: Error) => {
        if (e.message !== "rollback") throw e;
      });
    return ms;
  };
  const variants = {
    "statement triggers (as built)": timedRollback(async () => {}),
    "plain: foreign keys, ON DELETE CASCADE": timedRollback(async (tx) => {
      for (const table of ["audit_events", "outbox_events"]) {
        await tx.$executeRawUnsafe(`ALTER TABLE ${table} DISABLE TRIGGER USER`);
        await tx.$executeRawUnsafe(`ALTER TABLE ${table} ADD FOREIGN KEY (org_id) REFERENCES organizations (id)
          ON DELETE CASCADE ON UPDATE CASCADE`);
      }
    }),
  };
  const times: Record<string, number[]> = {
    [Object.keys(variants)[0]!]: [],
    [Object.keys(variants)[1]!]: [],
  };
  for (const fn of Object.values(variants)) await fn();
  for (let i = 0; i < REPS; i++)
    for (const [name, fn] of Object.entries(variants)) times[name]!.push(await fn());
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  report(
    `2. one statement of ${rows} audit and ${rows} outbox rows of one organization`,
    Object.fromEntries(Object.entries(times).map(([k, xs]) => [k, median(xs)])),
    "plain: foreign keys, ON DELETE CASCADE",
  );
}

/** The plain renderer's read: the same page of ids as selectUserPage (so only the rendering
 * differs), its rows with emails and groups as JSON, then presentUser and JSON.stringify. */
async function rowsPage(db: Database, orgId: string, baseUrl: string, offset: number): Promise<string> {
  const rows = await db.read<UserRow & { groups: GroupRef[] }>(Prisma.sql`
    SELECT u.id, u.org_id AS "orgId", u.email, u.email_lower AS "emailLower", u.user_name AS "userName",
      u.user_name_lower AS "userNameLower", u.external_id AS "externalId", u.first_name AS "firstName",
      u.last_name AS "lastName", u.display_name AS "displayName", u.status::text AS status, u.scim_data AS "scimData",
      u.manager_id AS "managerId", u.version, u.created_at AS "createdAt", u.updated_at AS "updatedAt",
      u.provisioned_by::text AS "provisionedBy",
      coalesce((SELECT json_agg(json_build_object('value', e.value, 'type', e.type, 'primary', e."primary",
        'position', e.position) ORDER BY e.position) FROM user_emails e WHERE e.user_id = u.id), '[]') AS emails,
      coalesce((SELECT json_agg(json_build_object('id', g.id, 'displayName', g.display_name)
        ORDER BY g.display_name_lower, g.id) FROM group_memberships m JOIN groups g ON g.id = m.group_id
        WHERE m.user_id = u.id), '[]') AS groups
    FROM (
      SELECT id, created_at FROM users WHERE org_id = ${orgId}::uuid ORDER BY created_at, id OFFSET ${offset} LIMIT 100
    ) p JOIN users u ON u.id = p.id ORDER BY p.created_at, p.id`);
  const ctx = { baseUrl };
  return rows.map((r) => JSON.stringify(presentUser(ctx, r, r.groups))).join(",");
}

async function renderers(db: Database, orgId: string) {
  const ctx = { orgId, baseUrl: "https://bench.test/scim/v2/bench" };
  const pages = 20;
  const offsets = Array.from({ length: pages }, (_, i) => Math.floor((i * (USERS - 100)) / pages));
  const sqlPages = async () => {
    for (const offset of offsets)
      await selectUserPage(db.read, ctx, Prisma.sql`TRUE`, { offset, limit: 100, withGroups: true });
  };
  const tsPages = async () => {
    for (const offset of offsets) await rowsPage(db, orgId, ctx.baseUrl, offset);
  };
  const a = JSON.parse(
    `[${(await selectUserPage(db.read, ctx, Prisma.sql`TRUE`, { offset: 0, limit: 3, withGroups: true })).resources}]`,
  );
  const b = JSON.parse(`[${await rowsPage(db, orgId, ctx.baseUrl, 0)}]`).slice(0, 3);
  if (
    JSON.stringify(a.map((r: { id: string }) => r.id)) !== JSON.stringify(b.map((r: { id: string }) => r.id))
  )
    throw new Error("the renderers read different pages");
  const cpu = async (fn: () => Promise<void>) => {
    const before = process.cpuUsage();
    await fn();
    const used = process.cpuUsage(before);
    return (used.user + used.system) / 1000 / pages;
  };
  report(
    `3. SCIM pages of 100 users with groups (${pages} pages per run; ms per run)`,
    await compare({
      "JSON text built by PostgreSQL (as built)": sqlPages,
      "plain: rows on the driver + presentUser": tsPages,
    }),
    "plain: rows on the driver + presentUser",
  );
  console.log(
    `  server-process CPU per page: SQL text ${(await cpu(sqlPages)).toFixed(2)} ms, presentUser ${(await cpu(tsPages)).toFixed(2)} ms`,
  );
}

async function main() {
  await withDatabase(ENGINE, async (db) => {
    const orgId = randomUUID();
    await seed(db, orgId);
    if (PARTS.includes("1")) await bitSets(db, orgId);
    if (PARTS.includes("2")) await eventChecks(db, orgId);
    if (PARTS.includes("3")) await renderers(db, orgId);
  });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
