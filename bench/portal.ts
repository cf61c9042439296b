// npm run bench:portal — issue 19's benchmark: an organization of 10,000 users in 200 groups;
// the portal's users page, a user page and the groups page rendered for a signed-in Admin,
// beside the same run's GET /api/v1/orgs/{org}/users (API key), on PostgreSQL and on PGlite.
// Requests go one at a time to the real app listening on 127.0.0.1 in this process; the time
// is measured by the server itself (from the request's arrival to the end of its answer).
// Options: --engine pglite|postgres (one only), --users N, --requests N.
import type { Express } from "express";
import { createApp } from "../src/http/app";
import type { Database } from "../src/db/client";
import { benchOrg, listen, openEngine, pct } from "./scim-harness";
import { arg } from "./args";

const USERS = Number(arg("users") ?? 10_000);
const GROUPS = 200;
const REQUESTS = Number(arg("requests") ?? 200);
const WARMUP = 20;

async function seed(db: Database, orgId: string): Promise<void> {
  const p = db.prisma;
  await p.$executeRaw`INSERT INTO groups (id, org_id, display_name, display_name_lower, external_id, source, updated_at)
    SELECT gen_random_uuid(), ${orgId}::uuid, 'Team ' || g, 'team ' || g, 'obj-' || g, 'scim', now()
    FROM generate_series(0, ${GROUPS - 1}::int) g`;
  await p.$executeRaw`INSERT INTO users (id, org_id, email, email_lower, user_name, user_name_lower, external_id,
      first_name, last_name, status, provisioned_by, updated_at)
    SELECT gen_random_uuid(), ${orgId}::uuid, 'user' || i || '@bench.test', 'user' || i || '@bench.test',
      'user' || i || '@bench.test', 'user' || i || '@bench.test', 'u' || i, 'First' || i, 'Last' || i,
      CASE WHEN i % 50 = 0 THEN 'deactivated'::"UserStatus" ELSE 'active'::"UserStatus" END, 'scim', now()
    FROM generate_series(0, ${USERS - 1}::int) i`;
  // Everyone in two teams.
  await p.$executeRaw`INSERT INTO group_memberships (group_id, user_id, org_id)
    SELECT g.id, u.id, ${orgId}::uuid FROM users u
    JOIN groups g ON g.org_id = ${orgId}::uuid
      AND g.external_id IN ('obj-' || (substr(u.external_id, 2)::int % ${GROUPS}::int),
                            'obj-' || ((substr(u.external_id, 2)::int + 1) % ${GROUPS}::int))
    WHERE u.org_id = ${orgId}::uuid`;
  await p.$executeRawUnsafe(`ANALYZE`);
}

/** Server time per request: from arrival to the end of the answer. */
function timing(app: Express): { app: Express; take: () => number[] } {
  let samples: number[] = [];
  const wrapped = ((req, res, next) => {
    const start = process.hrtime.bigint();
    res.once("finish", () => samples.push(Number(process.hrtime.bigint() - start) / 1e6));
    return app(req, res, next);
  }) as Express;
  return {
    app: wrapped,
    take: () => {
      const out = samples;
      samples = [];
      return out;
    },
  };
}

async function main() {
  const engine = (arg("engine") ?? "postgres") as "pglite" | "postgres";
  const { db, drop } = await openEngine(engine);
  try {
    await measure(engine, db);
  } finally {
    await db.close().catch((e: unknown) => console.error(e));
    await drop();
  }
}

async function measure(engine: "pglite" | "postgres", db: Database) {
  const { services, org } = await benchOrg(db);
  const ctx = { orgId: org.id, actor: { type: "cli" as const } };
  process.stderr.write(`seeding ${USERS} users in ${GROUPS} groups on ${engine}\n`);
  await seed(db, org.id);
  await services.roles.putMappings(
    ctx,
    {
      defaultRole: "Viewer",
      rules: Array.from({ length: 10 }, (_, i) => ({
        group: `Team ${i}`,
        role: i === 0 ? "Admin" : "Support",
      })),
    },
    { force: true },
  );
  const { token: apiKey } = await services.credentials.create("api_key", ctx, "bench");
  const admin = await db.prisma.user.findFirstOrThrow({
    where: { orgId: org.id, role: "Admin", status: "active" },
  });
  const session = await services.sessions.create(db.prisma, {
    orgId: org.id,
    userId: admin.id,
    method: "saml",
  });
  const someone = await db.prisma.user.findFirstOrThrow({
    where: { orgId: org.id, email: `user${Math.floor(USERS / 2) + 1}@bench.test` },
  });

  const timed = timing(createApp(services));
  const server = await listen(timed.app);
  const base = `http://127.0.0.1:${server.port}`;
  const cases: [string, string, Record<string, string>][] = [
    ["GET /api/v1/orgs/{org}/users", "/api/v1/orgs/bench/users", { Authorization: `Bearer ${apiKey}` }],
    ["users page", "/users", { Cookie: `sso_bridge_session=${session.cookieValue}`, Accept: "text/html" }],
    [
      "user page",
      `/users/${someone.id}`,
      { Cookie: `sso_bridge_session=${session.cookieValue}`, Accept: "text/html" },
    ],
    ["groups page", "/groups", { Cookie: `sso_bridge_session=${session.cookieValue}`, Accept: "text/html" }],
  ];
  if (arg("show")) {
    const res = await fetch(`${base}${arg("show")}`, { headers: cases[1]![2], redirect: "manual" });
    console.log(res.status, res.headers.get("location"), (await res.text()).slice(0, 3000));
  }
  const rows: { label: string; p50: number; p95: number; bytes: number }[] = [];
  for (const [label, path, headers] of cases) {
    let bytes = 0;
    for (let i = 0; i < WARMUP + REQUESTS; i++) {
      const res = await fetch(`${base}${path}`, { headers, redirect: "manual" });
      if (res.status !== 200) throw new Error(`${label}: ${res.status} ${await res.text()}`);
      bytes = (await res.arrayBuffer()).byteLength;
      if (i === WARMUP - 1) timed.take();
    }
    const sorted = timed.take().sort((a, b) => a - b);
    rows.push({ label, p50: pct(sorted, 50), p95: pct(sorted, 95), bytes });
  }
  const api = rows[0]!.p95;
  console.log(`\n${engine}: ${USERS} users, ${GROUPS} groups, ${REQUESTS} requests each (server time, ms)`);
  console.log("| what | p50 | p95 | p95 / API | body |");
  console.log("|---|---:|---:|---:|---:|");
  for (const r of rows)
    console.log(
      `| ${r.label} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${(r.p95 / api).toFixed(2)}x | ${Math.round(r.bytes / 1024)} KB |`,
    );
  await server.close();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
