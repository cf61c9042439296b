// npm run bench:load — issue 17 point 8. Two service processes (src/main.ts, as in production)
// on one PostgreSQL database of the bench's own (created and dropped here), an organization of
// 100,000 users and 200 groups, then a mixed workload at concurrency 16 spread over both
// instances, as a load balancer would: 80 % SCIM reads (a user by id, a user by userName
// filter), 15 % group member PATCHes, 5 % SAML sign-ins through the real ACS with signed
// assertions. Reports throughput, p50/p95/p99 per kind, errors, the instances' RSS and the
// database's connections, beside an Express hello-world at the same concurrency (the ceiling of
// the same run); then SAML sign-ins alone, per second and per CPU-second of the service processes.
// Provisioning is bulk SQL (INSERT ... SELECT over generate_series, the rows the SCIM create
// writes), and the roles are computed by the app itself (PUT /role-mappings, the whole-org
// recompute). Options: --duration <s> (60), --users <n> (100000), --saml <n> (500, the
// sign-ins of the SAML phase), --only saml (the ceiling and the SAML phase alone, for profiling
// the sign-in without the mixed workload). PostgreSQL: BENCH_DATABASE_URL or postgres://postgres@127.0.0.1.
// BENCH_CPU_PROF=<dir> writes a V8 CPU profile of each instance.
import { spawn } from "node:child_process";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import pg from "pg";
import { launch, type Instance } from "../test/support/instances";
import { createBenchIdp } from "./load-saml";
import { cpuSeconds, pct } from "./scim-harness";
import { createPostgresDatabase } from "./database";
import { httpCall } from "./http-call";

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return Number(i > 0 ? process.argv[i + 1] : fallback);
};
const DURATION_S = arg("duration", "60");
const USERS = arg("users", "100000");
const SAML_N = arg("saml", "500");
const ONLY_SAML =
  process.argv.includes("--only") && process.argv[process.argv.indexOf("--only") + 1] === "saml";
const GROUPS = 200;
const CONC = 16;
const BASE_URL = "http://sso.bench";
const SECRET_KEY = "bench-secret-key-0123456789abcdefghijkl";
const SLUG = "bench";
const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

const agent = new http.Agent({ keepAlive: true, maxSockets: CONC * 2 });
const call = (port: number, method: string, path: string, headers: Record<string, string>, body?: string) =>
  httpCall(agent, port, method, path, headers, body);

/** True for an expected status; otherwise an error naming the status and the start of the body. */
function expect(res: { status: number; body: string }, statuses: number[]): true {
  if (!statuses.includes(res.status)) throw new Error(`${res.status}: ${res.body.slice(0, 300)}`);
  return true;
}

const rssMb = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;

/** The organization, its credentials and 100,000 users in 200 groups, in bulk SQL. */
async function provision(
  sql: pg.Client,
  apiKeyRow: { id: string; hash: string },
  tokenRow: { id: string; hash: string },
) {
  const { rows } = await sql.query<{ id: string }>(
    `INSERT INTO organizations (id, slug, name, plan, updated_at) VALUES (gen_random_uuid(), $1, 'Bench', 'enterprise', now()) RETURNING id`,
    [SLUG],
  );
  const org = rows[0]!.id;
  await sql.query(`INSERT INTO api_keys (id, org_id, name, secret_hash) VALUES ($1, $2, 'bench', $3)`, [
    apiKeyRow.id,
    org,
    apiKeyRow.hash,
  ]);
  await sql.query(`INSERT INTO scim_tokens (id, org_id, name, secret_hash) VALUES ($1, $2, 'bench', $3)`, [
    tokenRow.id,
    org,
    tokenRow.hash,
  ]);
  await sql.query(
    `INSERT INTO users (id, org_id, email, email_lower, user_name, user_name_lower, external_id, first_name, last_name, provisioned_by, updated_at)
     SELECT gen_random_uuid(), $1, 'user' || i || '@bench.test', 'user' || i || '@bench.test', 'user' || i || '@bench.test',
       'user' || i || '@bench.test', 'ext-' || i, 'Bench', 'User ' || i, 'scim', now()
     FROM generate_series(0, $2 - 1) AS i`,
    [org, USERS],
  );
  await sql.query(
    `INSERT INTO user_emails (id, org_id, user_id, value, value_lower, type, "primary", position)
     SELECT gen_random_uuid(), org_id, id, email, email_lower, 'work', true, 0 FROM users WHERE org_id = $1`,
    [org],
  );
  await sql.query(
    `INSERT INTO groups (id, org_id, display_name, display_name_lower, external_id, source, updated_at)
     SELECT gen_random_uuid(), $1, 'Group ' || g, 'group ' || g, 'gext-' || g, 'scim', now() FROM generate_series(0, $2 - 1) AS g`,
    [org, GROUPS],
  );
  // Every user in one group (user i in group i mod 200): 500 members a group.
  await sql.query(
    `INSERT INTO group_memberships (group_id, user_id, org_id)
     SELECT g.id, u.id, $1 FROM users u
     JOIN groups g ON g.org_id = $1 AND g.display_name_lower = 'group ' || (split_part(substr(u.user_name, 5), '@', 1)::int % $2)
     WHERE u.org_id = $1`,
    [org, GROUPS],
  );
  await sql.query("VACUUM ANALYZE");
  return org;
}

interface Kind {
  lat: number[];
  errors: number;
  firstError?: string;
}
const summary = (name: string, k: Kind, secs: number) => {
  const s = [...k.lat].sort((a, b) => a - b);
  return `| ${name} | ${s.length} | ${(s.length / secs).toFixed(0)} | ${pct(s, 50).toFixed(1)} | ${pct(s, 95).toFixed(1)} | ${pct(s, 99).toFixed(1)} | ${k.errors} |`;
};

/** A closed loop of `conc` workers for `seconds`: each picks a kind and makes one call. */
async function closedLoop(
  seconds: number,
  pick: () => string,
  op: (kind: string, i: number) => Promise<boolean>,
  kinds: Map<string, Kind>,
  sample?: () => Promise<void>,
) {
  const end = Date.now() + seconds * 1000;
  let i = 0;
  const sampler = sample ? setInterval(() => void sample(), 1000) : undefined;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONC }, async () => {
      while (Date.now() < end) {
        const kind = pick();
        const k = kinds.get(kind)!;
        const t0 = process.hrtime.bigint();
        const ok = await op(kind, i++).catch((e: Error) => ((k.firstError ??= e.message), false));
        k.lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (!ok) k.errors++;
      }
    }),
  );
  clearInterval(sampler);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function main() {
  console.log(
    `# bench:load — ${USERS} users, ${GROUPS} groups, ${DURATION_S} s at concurrency ${CONC}, two instances on one PostgreSQL\n`,
  );
  const db = await createPostgresDatabase("ssob_bench_load");
  const sql = new pg.Client({ connectionString: db.url });
  const instances: Instance[] = [];
  let hello: ReturnType<typeof spawn> | undefined;
  try {
    await sql.connect();
    const secret = () => randomBytes(32).toString("base64url");
    const sha = (s: string) => createHash("sha256").update(s).digest("hex");
    const [keyId, tokenId] = [randomUUID(), randomUUID()];
    const [keySecret, tokenSecret] = [secret(), secret()];
    const apiKey = `sbk_${keyId.replace(/-/g, "")}_${keySecret}`;
    const token = `scim_${tokenId.replace(/-/g, "")}_${tokenSecret}`;
    let t0 = Date.now();
    const orgId = await provision(
      sql,
      { id: keyId, hash: sha(keySecret) },
      { id: tokenId, hash: sha(tokenSecret) },
    );
    console.log(
      `provisioned ${USERS} users, ${GROUPS} groups and ${USERS} memberships in bulk SQL: ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );

    // Every request of the bench comes from one loopback address: the per-address sign-in limit
    // would measure itself, not the sign-in.
    const env = {
      DATABASE_URL: db.url,
      SECRET_KEY,
      PORT: "0",
      BASE_URL,
      NODE_ENV: "production",
      RATE_LIMIT_SIGN_IN_PER_IP: "100000000",
    };
    // BENCH_CPU_PROF=<dir>: a V8 CPU profile of each instance, written when it stops.
    const prof = process.env.BENCH_CPU_PROF
      ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
      : [];
    instances.push(launch(env, prof), launch(env, prof));
    const ports = await Promise.all(instances.map((x) => x.ready));
    hello = spawn(
      process.execPath,
      [
        "-e",
        "const app=require('express')();app.get('/hello',(q,r)=>r.json({hello:'world'}));const s=app.listen(0,'127.0.0.1',()=>console.log(s.address().port));s.keepAliveTimeout=65000",
      ],
      { cwd: __dirname, stdio: ["ignore", "pipe", "inherit"] },
    );
    const helloPort = await new Promise<number>((r) =>
      hello!.stdout!.once("data", (d: Buffer) => r(Number(d.toString().trim()))),
    );

    const api = (method: string, path: string, body?: unknown) =>
      call(
        ports[0]!,
        method,
        `/api/v1/orgs/${SLUG}${path}`,
        { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
        body === undefined ? undefined : JSON.stringify(body),
      );
    const rules = Array.from({ length: GROUPS }, (_, g) => ({
      group: `Group ${g}`,
      role: g < 10 ? "Admin" : g < 50 ? "Support" : "Viewer",
    }));
    t0 = Date.now();
    const mapped = await api("PUT", "/role-mappings", { defaultRole: null, rules });
    if (mapped.status !== 200) throw new Error(`role mappings: ${mapped.status} ${mapped.body}`);
    console.log(
      `roles of ${USERS} users computed by PUT /role-mappings: ${((Date.now() - t0) / 1000).toFixed(1)} s ${mapped.body}`,
    );
    const acsPath = `/sso/${SLUG}/saml/acs`;
    const idp = createBenchIdp("https://idp.bench.test", {
      acsUrl: BASE_URL + acsPath,
      entityId: `${BASE_URL}/sso/${SLUG}/saml/metadata`,
    });
    const put = await api("PUT", "/sso-connection", {
      protocol: "saml",
      idpEntityId: idp.entityId,
      idpSsoUrl: "https://idp.bench.test/sso",
      idpCertificates: [idp.certPem],
      allowIdpInitiated: true,
      jit: true,
    });
    if (put.status !== 201 && put.status !== 200)
      throw new Error(`sso connection: ${put.status} ${put.body}`);
    const enabled = await api("POST", "/sso-connection/enable");
    if (enabled.status !== 200) throw new Error(`enable: ${enabled.status} ${enabled.body}`);
    await sql.query("VACUUM ANALYZE");

    const ids = (
      await sql.query<{ id: string }>(`SELECT id::text FROM users WHERE org_id = $1`, [orgId])
    ).rows.map((r) => r.id);
    const groups = (
      await sql.query<{ id: string }>(`SELECT id::text FROM groups WHERE org_id = $1`, [orgId])
    ).rows.map((r) => r.id);
    const rand = (n: number) => Math.floor(Math.random() * n);
    const scimHeaders = { authorization: `Bearer ${token}`, "content-type": "application/scim+json" };
    const samlForm = (i: number) =>
      `SAMLResponse=${encodeURIComponent(Buffer.from(idp.respond(`user${i}@bench.test`, [`Group ${i % GROUPS}`])).toString("base64"))}`;
    const formHeaders = { "content-type": "application/x-www-form-urlencoded" };

    // The ceiling: Express hello-world at the same concurrency, in this run.
    const ceiling = new Map([["hello", { lat: [], errors: 0 } as Kind]]);
    const helloCpu0 = cpuSeconds(hello.pid!);
    const helloSecs = await closedLoop(
      Math.max(5, DURATION_S / 6),
      () => "hello",
      async () => (await call(helloPort, "GET", "/hello", {})).status === 200,
      ceiling,
    );
    const helloCpu = cpuSeconds(hello.pid!) - helloCpu0;

    // SAML responses are signed ahead (the generator shares these two cores with the servers).
    const pool: string[] = [];
    const signAhead = (n: number, from: number) => {
      for (let i = 0; i < n; i++) pool.push(samlForm((from + i) % USERS));
    };
    t0 = Date.now();
    if (!ONLY_SAML) signAhead(Math.ceil(DURATION_S * 6), 0);
    if (!ONLY_SAML)
      console.log(
        `signed ${pool.length} SAML responses ahead: ${((Date.now() - t0) / pool.length).toFixed(1)} ms each`,
      );

    const kinds = new Map<string, Kind>(["read", "patch", "saml"].map((k) => [k, { lat: [], errors: 0 }]));
    let maxConnections = 0;
    const maxRss = [0, 0];
    const sample = async () => {
      const r = await sql.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database()`,
      );
      maxConnections = Math.max(maxConnections, r.rows[0]!.n - 1); // less the bench's own
      instances.forEach((x, k) => (maxRss[k] = Math.max(maxRss[k]!, rssMb(x.child.pid!))));
    };
    const pick = () => {
      const r = Math.random();
      return r < 0.8 ? "read" : r < 0.95 ? "patch" : "saml";
    };
    let extra = 0;
    const op = async (kind: string, i: number) => {
      const port = ports[i % 2]!;
      if (kind === "read") {
        const u = rand(ids.length);
        const path =
          i % 4 < 2
            ? `/scim/v2/${SLUG}/Users/${ids[u]}`
            : `/scim/v2/${SLUG}/Users?filter=${encodeURIComponent(`userName eq "user${u}@bench.test"`)}`;
        return expect(await call(port, "GET", path, scimHeaders), [200]);
      }
      if (kind === "patch") {
        const body = JSON.stringify({
          schemas: [PATCH_OP],
          Operations: [
            { op: i % 2 ? "add" : "remove", path: "members", value: [{ value: ids[rand(ids.length)] }] },
          ],
        });
        const group = groups[rand(groups.length)];
        return expect(
          await call(port, "PATCH", `/scim/v2/${SLUG}/Groups/${group}`, scimHeaders, body),
          [200, 204],
        );
      }
      const form = pool.pop() ?? samlForm((USERS - 1 - extra++) % USERS);
      const res = await call(port, "POST", acsPath, formHeaders, form);
      if (res.status !== 302)
        throw new Error(
          `ACS ${res.status}: ${/Reason: <code>([^<]+)/.exec(res.body)?.[1] ?? res.body.slice(0, 200)}`,
        );
      return true;
    };
    const cpu0 = instances.map((x) => cpuSeconds(x.child.pid!));
    const secs = ONLY_SAML ? 0 : await closedLoop(DURATION_S, pick, op, kinds, sample);
    const cpuMixed = instances.reduce((s, x, k) => s + cpuSeconds(x.child.pid!) - cpu0[k]!, 0);
    const total = [...kinds.values()].reduce((s, k) => s + k.lat.length, 0);
    const errors = [...kinds.values()].reduce((s, k) => s + k.errors, 0);

    // SAML sign-ins alone: signed ahead, then posted to both instances at concurrency 16.
    pool.length = 0;
    signAhead(SAML_N, 50_000 % USERS);
    const samlKinds = new Map([["saml", { lat: [], errors: 0 } as Kind]]);
    const cpuA = instances.map((x) => cpuSeconds(x.child.pid!));
    const start = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: CONC }, async (_, w) => {
        for (let form = pool.pop(); form; form = pool.pop()) {
          const k = samlKinds.get("saml")!;
          const t1 = process.hrtime.bigint();
          const res = await call(ports[w % 2]!, "POST", acsPath, formHeaders, form);
          k.lat.push(Number(process.hrtime.bigint() - t1) / 1e6);
          if (res.status !== 302) {
            k.errors++;
            k.firstError ??= res.body.slice(0, 200);
          }
        }
      }),
    );
    const samlSecs = Number(process.hrtime.bigint() - start) / 1e9;
    const samlCpu = instances.reduce((s, x, k) => s + cpuSeconds(x.child.pid!) - cpuA[k]!, 0);
    const saml = samlKinds.get("saml")!;

    console.log(
      ONLY_SAML
        ? `\n## Ceiling (--only saml: no mixed workload)\n`
        : `\n## Mixed workload: ${secs.toFixed(0)} s, concurrency ${CONC}, two instances\n`,
    );
    console.log(
      "| kind | requests | per second | p50 ms | p95 ms | p99 ms | errors |\n|---|---:|---:|---:|---:|---:|---:|",
    );
    console.log(summary("Express hello-world (ceiling, alone)", ceiling.get("hello")!, helloSecs));
    if (!ONLY_SAML) {
      for (const [name, k] of kinds)
        console.log(
          summary(
            name === "read"
              ? "SCIM read (80 %)"
              : name === "patch"
                ? "SCIM group PATCH (15 %)"
                : "SAML sign-in (5 %)",
            k,
            secs,
          ),
        );
      console.log(`| **all** | ${total} | ${(total / secs).toFixed(0)} | | | | ${errors} |`);
      console.log(
        `\nservice CPU ${(cpuMixed / secs).toFixed(2)} cores; max RSS per instance ${maxRss.map((m) => m.toFixed(0)).join(" / ")} MB; max PostgreSQL connections ${maxConnections}`,
      );
      for (const [name, k] of kinds) if (k.firstError) console.log(`first ${name} error: ${k.firstError}`);
    }
    console.log(
      `\nhello-world per CPU-second of its process (the same run's baseline): ${(ceiling.get("hello")!.lat.length / helloCpu).toFixed(0)}`,
    );
    console.log(`\n## SAML sign-ins alone: ${saml.lat.length} through the ACS of both instances\n`);
    console.log(
      "| kind | requests | per second | p50 ms | p95 ms | p99 ms | errors |\n|---|---:|---:|---:|---:|---:|---:|",
    );
    console.log(summary("SAML sign-in", saml, samlSecs));
    console.log(
      `\nsign-ins per CPU-second of the service processes (per core): ${(saml.lat.length / samlCpu).toFixed(0)} (target 300)`,
    );
    if (saml.firstError) console.log(`first SAML error: ${saml.firstError}`);
    if (errors + saml.errors > 0) process.exitCode = 1;
  } finally {
    hello?.kill();
    // The database is dropped whatever stopping the rest did.
    await Promise.allSettled([...instances.map((x) => x.stop()), sql.end()]);
    agent.destroy();
    await db.drop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
