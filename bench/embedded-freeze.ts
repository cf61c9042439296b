// npm run bench:freeze — does the embedded mode keep answering while it works? (issue 17 point 5)
// The server runs as `npm start` runs it on the embedded database (PGlite on disk, in this
// process); a load generator in a worker thread of its own (so that a blocked server cannot
// slow the client down) keeps CONCURRENCY loops of GET /healthz and of a SCIM lookup of one user
// (GET /Users/{id}) going. Phases: idle, then during a whole-organization rule change over
// USERS users (half of them change role; on PGlite the chunked role sweep of src/roles/sweep.ts),
// then during the embedded autovacuum pass that follows (its steps and pauses included). Before
// the change: its preview (POST /role-mappings/preview), and the portal's preview of turning SSO
// on (assumeSsoOn; the organization has a disabled SSO connection), over the same users.
// Reports p50/p99 per phase and request kind, and each as a ratio of the idle phase's.
// Options: --users N (default 100,000).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { randomUUID } from "node:crypto";
import { loadConfig, type ReadyConfig } from "../src/config";
import { openDatabase, type Database } from "../src/db/client";
import { migrate } from "../src/db/migrate";
import { autovacuumOnce } from "../src/db/embedded-autovacuum";
import { createServices } from "../src/services";
import { createApp } from "../src/http/app";
import { createLogger } from "../src/shared/logger";
import { putMappings } from "../src/roles/put-mappings";
import type { RoleMappingsInput } from "../src/roles/mappings-input";
import { systemActor } from "../src/shared/context";
import { HEADERS_TIMEOUT_MS, KEEP_ALIVE_TIMEOUT_MS } from "../src/main";
import { arg } from "./args";

const USERS = Number(arg("users") ?? 100_000);
// One request of each kind every INTERVAL_MS: 50 per second per kind.
const INTERVAL_MS = 20;
const IDLE_MS = 4_000;

// The load generator: plain JavaScript in a worker thread, keep-alive connections. Open loop:
// each kind sends a request every INTERVAL_MS whether or not the earlier ones were answered, so
// a frozen server shows as the waits of every request sent meanwhile (a closed loop would send
// one and wait). Answers {kind, start, ms, status} for every request sent between start and stop.
const LOADER = `
const { parentPort, workerData } = require("node:worker_threads");
const http = require("node:http");
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const { port, paths, token, intervalMs } = workerData;
const now = () => performance.timeOrigin + performance.now();
let timers = [], pending = [], samples = [];
const once = (kind, p) => new Promise((resolve) => {
  const start = now();
  const req = http.get({ host: "127.0.0.1", port, path: p, agent, headers: { authorization: "Bearer " + token } }, (res) => {
    res.resume();
    res.on("end", () => resolve({ kind, start, ms: now() - start, status: res.statusCode }));
  });
  req.on("error", (e) => resolve({ kind, start, ms: now() - start, status: 0, error: e.message }));
});
parentPort.on("message", async (m) => {
  if (m === "start") {
    samples = []; pending = [];
    timers = Object.entries(paths).map(([kind, p]) =>
      setInterval(() => pending.push(once(kind, p).then((s) => samples.push(s))), intervalMs));
  } else if (m === "stop") {
    timers.forEach(clearInterval);
    await Promise.all(pending);
    parentPort.postMessage(samples);
  }
});
`;

interface Sample {
  kind: string;
  start: number;
  ms: number;
  status: number;
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

function summarize(samples: Sample[], kind: string) {
  const ms = samples
    .filter((s) => s.kind === kind)
    .map((s) => s.ms)
    .sort((a, b) => a - b);
  return { n: ms.length, p50: pct(ms, 50), p99: pct(ms, 99), max: ms[ms.length - 1] ?? NaN };
}

/** 100,000 users, half of them in "Engineering", everyone in one of 49 departments. */
async function seed(db: Database, orgId: string) {
  const p = db.prisma;
  await p.$executeRaw`INSERT INTO organizations (id, slug, name, plan, updated_at)
    VALUES (${orgId}::uuid, 'freeze', 'Freeze', 'enterprise', now())`;
  await p.$executeRaw`INSERT INTO groups (id, org_id, display_name, display_name_lower, external_id, source, updated_at)
    SELECT gen_random_uuid(), ${orgId}::uuid, n, lower(n), 'obj-' || g, 'scim', now()
    FROM generate_series(0, 49) g, LATERAL (SELECT CASE WHEN g = 0 THEN 'Engineering' ELSE 'Department ' || g END AS n) x`;
  await p.$executeRaw`INSERT INTO users (id, org_id, email, email_lower, user_name, user_name_lower, external_id,
      status, provisioned_by, updated_at)
    SELECT gen_random_uuid(), ${orgId}::uuid, 'user' || i || '@freeze.test', 'user' || i || '@freeze.test',
      'user' || i || '@freeze.test', 'user' || i || '@freeze.test', 'u' || i, 'active', 'scim', now()
    FROM generate_series(0, ${USERS - 1}::int) i`;
  await p.$executeRaw`INSERT INTO group_memberships (group_id, user_id, org_id)
    SELECT g.id, u.id, ${orgId}::uuid FROM users u JOIN groups g ON g.org_id = ${orgId}::uuid
      AND g.external_id = CASE WHEN substr(u.external_id, 2)::int < ${USERS / 2}::int THEN 'obj-0'
        ELSE 'obj-' || (1 + substr(u.external_id, 2)::int % 49) END
    WHERE u.org_id = ${orgId}::uuid`;
  await p.$executeRawUnsafe("ANALYZE");
}

const departments: RoleMappingsInput = {
  defaultRole: "Viewer",
  rules: Array.from({ length: 49 }, (_, i) => ({ group: `Department ${i + 1}`, role: "Viewer" as const })),
};
const withEngineering: RoleMappingsInput = {
  ...departments,
  rules: [...departments.rules, { group: "Engineering", role: "Support" }],
};

async function main() {
  const dataDir = mkdtempSync(path.join(tmpdir(), "sso-bridge-freeze-"));
  const config = loadConfig({
    NODE_ENV: "test",
    SECRET_KEY: "bench-secret-key-0123456789abcdefghijklmnop",
    DATA_DIR: dataDir,
    LOG_LEVEL: "error",
  }) as ReadyConfig;
  const db = openDatabase(config);
  const server = createServer();
  // As main.ts sets them: a server frozen longer than Node's default 5 s would otherwise close
  // keep-alive connections the client has just sent a request on.
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  try {
    const conn = await db.raw();
    await migrate(conn);
    await conn.release();
    const services = createServices({ config, db, logger: createLogger("error") });
    server.on("request", createApp(services));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const orgId = randomUUID();
    const ctx = { orgId, actor: systemActor("bench"), requestId: "bench" };
    process.stderr.write(`seeding ${USERS} users ...\n`);
    await seed(db, orgId);
    await putMappings(db, ctx, departments, { force: false });
    await db.prisma.ssoConnection.create({ data: { orgId, protocol: "saml", enabled: false } });
    const token = (await services.credentials.create("scim_token", ctx, "bench")).token;
    const [someone] = await db.prisma.user.findMany({ where: { orgId }, select: { id: true }, take: 1 });
    const worker = new Worker(LOADER, {
      eval: true,
      workerData: {
        port: (server.address() as AddressInfo).port,
        token,
        intervalMs: INTERVAL_MS,
        paths: { health: "/healthz", lookup: `/scim/v2/freeze/Users/${someone!.id}` },
      },
    });
    const run = async (work: () => Promise<unknown>) => {
      worker.postMessage("start");
      await new Promise((r) => setTimeout(r, 200));
      const from = Date.now();
      await work();
      const to = Date.now();
      const samples = await new Promise<Sample[]>((resolve) => {
        worker.once("message", resolve);
        worker.postMessage("stop");
      });
      // Only the requests sent while the work ran.
      return { ms: to - from, samples: samples.filter((s) => s.start >= from && s.start < to) };
    };
    process.stderr.write("idle ...\n");
    const idle = await run(() => new Promise((r) => setTimeout(r, IDLE_MS)));
    process.stderr.write("preview ...\n");
    let previewed = 0;
    const preview = await run(async () => {
      previewed = (await services.roles.previewMappings(ctx, withEngineering)).changed;
    });
    process.stderr.write("preview assuming SSO on ...\n");
    const previewSso = await run(() =>
      services.roles.previewMappings(ctx, withEngineering, { assumeSsoOn: true }),
    );
    process.stderr.write("rule change ...\n");
    const change = await run(() => putMappings(db, ctx, withEngineering, { force: false }));
    process.stderr.write("autovacuum ...\n");
    const vacuum = await run(async () => {
      const c = await db.raw();
      await autovacuumOnce(c).finally(() => c.release());
    });
    await worker.terminate();

    const phases = [idle, preview, previewSso, change, vacuum];
    const errors = phases.flatMap((p) => p.samples).filter((s) => s.status !== 200);
    const base = { health: summarize(idle.samples, "health"), lookup: summarize(idle.samples, "lookup") };
    const f = (n: number) => `${n.toFixed(1)} ms`.padStart(10);
    console.log(
      `\nembedded (PGlite on disk), ${USERS.toLocaleString("en")} users, one request of each kind every ${INTERVAL_MS} ms; load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")}`,
    );
    console.log(
      `${"phase".padEnd(36)} ${"kind".padEnd(7)} ${"n".padStart(6)} ${"p50".padStart(10)} ${"p99".padStart(10)} ${"max".padStart(10)}  p50/p99 vs idle`,
    );
    const out: Record<string, unknown> = { users: USERS, intervalMs: INTERVAL_MS, errors: errors.length };
    for (const [label, phase] of [
      [`idle (${IDLE_MS} ms)`, idle],
      [`preview (${preview.ms} ms)`, preview],
      [`preview_sso (${previewSso.ms} ms)`, previewSso],
      [`rule change (${change.ms} ms)`, change],
      [`autovacuum (${vacuum.ms} ms)`, vacuum],
    ] as const) {
      for (const kind of ["health", "lookup"] as const) {
        const s = summarize(phase.samples, kind);
        const b = base[kind];
        const ratio = `${(s.p50 / b.p50).toFixed(1)}x / ${(s.p99 / b.p99).toFixed(1)}x`;
        console.log(
          `${label.padEnd(36)} ${kind.padEnd(7)} ${String(s.n).padStart(6)} ${f(s.p50)} ${f(s.p99)} ${f(s.max)}  ${ratio}`,
        );
        out[`${label.split(" ")[0]}_${kind}`] = { n: s.n, p50: +s.p50.toFixed(1), p99: +s.p99.toFixed(1) };
      }
    }
    out.previewed = previewed;
    out.previewMs = preview.ms;
    out.previewSsoMs = previewSso.ms;
    out.changeMs = change.ms;
    out.vacuumMs = vacuum.ms;
    console.log(JSON.stringify(out));
    if (errors.length) {
      console.log("errors:", JSON.stringify(errors.slice(0, 5)));
      process.exitCode = 1;
    }
  } finally {
    server.close();
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
