// npm run bench:events — issue 16's benchmark, in one process (server, webhook worker, receiver
// and load generator share it, as the server and its worker do), on 127.0.0.1:
// 1. Baseline: a bare loop of signed-size POSTs to the receiver through the same guarded fetch
//    the worker uses, 25 at a time (the worker's batch), N of them.
// 2. Drain: N user changes (SCIM creates, each committing one user.created) committed while no
//    worker runs, then a worker started: time until the receiver has all N (events/s).
// 3. SCIM create rate with no endpoint vs with an enabled endpoint whose deliveries the worker
//    makes at the same time (both with the worker running: what an endpoint adds to a create),
//    and the latency from commit (the event's occurredAt) to receipt, p50/p95, in that phase.
// --engine pglite|postgres (default both), --n (default 10,000). PostgreSQL: BENCH_DATABASE_URL
// or postgres://postgres@127.0.0.1:5432/postgres (a database of its own, dropped afterwards).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { loadConfig, type ReadyConfig } from "../src/config";
import type { Database } from "../src/db/client";
import { createApp } from "../src/http/app";
import { createLogger } from "../src/shared/logger";
import { createServices } from "../src/services";
import { createGuardedFetch } from "../src/shared/guarded-fetch";
import { cliActor } from "../src/shared/context";
import { client, listen, openEngine, pct, run as runPhase } from "./scim-harness";
import { arg } from "./args";

const N = Number(arg("n") ?? process.env.BENCH_N ?? 10_000);
const LIVE = Math.min(N, 2000);
const ENGINES = (arg("engine") ? [arg("engine")] : ["postgres", "pglite"]) as ("pglite" | "postgres")[];
const CONC = 25;

const scimUser = (i: number) => ({
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
  userName: `user${i}@bench.test`,
  name: { givenName: "Bench", familyName: `User ${i}` },
  emails: [{ value: `user${i}@bench.test`, type: "work", primary: true }],
  active: true,
});

/** Records when each event arrived, and its commit-to-receipt latency. */
async function startReceiver() {
  const arrivals = new Map<string, number>();
  const latencies: number[] = [];
  let waiter: { n: number; resolve: () => void } | null = null;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const now = Date.now();
      const id = String(req.headers["webhook-id"]);
      if (!arrivals.has(id)) {
        arrivals.set(id, now);
        const occurredAt = (JSON.parse(Buffer.concat(chunks).toString("utf8")) as { occurredAt?: string })
          .occurredAt;
        if (occurredAt) latencies.push(now - Date.parse(occurredAt));
      }
      res.end("ok");
      if (waiter && arrivals.size >= waiter.n) waiter.resolve();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    arrivals,
    latencies,
    reset() {
      arrivals.clear();
      latencies.length = 0;
    },
    until: (n: number) =>
      arrivals.size >= n ? Promise.resolve() : new Promise<void>((resolve) => (waiter = { n, resolve })),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function bench(engine: "pglite" | "postgres") {
  console.log(`\n== ${engine}: ${N} events ==`);
  const { db, drop } = await openEngine(engine);
  try {
    await measure(db);
  } finally {
    await db.close().catch((e: unknown) => console.error(e));
    await drop();
  }
}

async function measure(db: Database) {
  const config = loadConfig({
    NODE_ENV: "test",
    SECRET_KEY: "bench-secret-key-0123456789abcdefghijklmnop",
    LOG_LEVEL: "error",
    WEBHOOK_ALLOW_PRIVATE_URLS: "true",
  }) as ReadyConfig;
  const services = createServices({ config, db, logger: createLogger("error") });
  const server = await listen(createApp(services));
  const receiver = await startReceiver();
  const results: Record<string, number> = {};
  try {
    // 1. Baseline: the same POSTs without the database.
    const fetch = createGuardedFetch({ allowPrivate: true });
    const body = JSON.stringify({
      id: "1",
      type: "user.created",
      occurredAt: new Date().toISOString(),
      data: scimUser(0),
    });
    const bare = await runPhase("bare POST loop (guarded fetch)", CONC, N, 200, async (i) => {
      const res = await fetch(receiver.url, {
        method: "POST",
        headers: { "content-type": "application/json", "webhook-id": `bare-${i}` },
        body,
      });
      return { status: res.status, body: "" };
    });
    results.barePerSec = bare.opsPerSec;
    receiver.reset();

    const org = await services.orgs.createOrg({ slug: "bench-events", name: "Bench", plan: "enterprise" });
    const ctx = { orgId: org.id, actor: cliActor };
    const token = (await services.credentials.create("scim_token", ctx, "bench")).token;
    const scim = client(server.port, token);
    const create = (i: number) => scim("POST", "/scim/v2/bench-events/Users", scimUser(i));

    // 3a. SCIM creates with no endpoint, the worker running (it only marks events handed out),
    // after a warm-up of the same requests (not reported), so that neither side of the
    // comparison pays for a cold process.
    let worker = services.webhooks.createWorker();
    worker.start();
    for (let i = 0; i < LIVE / 2; i += 4)
      await Promise.all([0, 1, 2, 3].map((k) => create(3_000_000 + i + k)));
    const plain = await runPhase("SCIM create, no endpoint", 4, LIVE, 201, (i) => create(1_000_000 + i));
    await worker.stop();

    // 2. Drain: N changes committed, then one worker delivers them.
    await services.webhooks.endpoints.create(ctx, { url: receiver.url, events: ["*"] });
    await runPhase("SCIM create (commit N events)", 4, N, 201, (i) => create(i));
    worker = services.webhooks.createWorker();
    const t0 = Date.now();
    worker.start();
    await receiver.until(N);
    const drainSecs = (Date.now() - t0) / 1000;
    results.drainPerSec = N / drainSecs;
    console.log(
      `  drain: ${N} events delivered in ${drainSecs.toFixed(1)} s = ${results.drainPerSec.toFixed(0)} events/s (bare loop ${bare.opsPerSec.toFixed(0)}/s, ratio ${(results.drainPerSec / bare.opsPerSec).toFixed(2)})`,
    );

    // 3b. SCIM creates with an enabled endpoint, delivered as they commit.
    receiver.reset();
    const live = await runPhase("SCIM create, endpoint enabled", 4, LIVE, 201, (i) => create(2_000_000 + i));
    await receiver.until(LIVE);
    const lat = [...receiver.latencies].sort((a, b) => a - b);
    console.log(
      `  commit → receipt while creating: p50 ${pct(lat, 50)} ms  p95 ${pct(lat, 95)} ms  p99 ${pct(lat, 99)} ms (${lat.length} events)`,
    );
    console.log(
      `  SCIM create rate with an enabled endpoint: ${(live.opsPerSec / plain.opsPerSec).toFixed(2)}x of without (p95 ${live.p95.toFixed(1)} vs ${plain.p95.toFixed(1)} ms)`,
    );
    await worker.stop();
  } finally {
    await receiver.close();
    await server.close();
  }
}

async function main() {
  for (const engine of ENGINES) await bench(engine);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
