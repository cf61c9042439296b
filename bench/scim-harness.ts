// The harness of bench/scim.ts: a keep-alive HTTP client, a closed-loop runner that records
// latencies (p50/p95/p99) and the server's RSS per phase, the server process (bench/scim-server.ts)
// and its IPC, servers on 127.0.0.1, and the two database engines (PGlite in memory, or a
// PostgreSQL database of the bench's own, dropped afterwards).
import http from "node:http";
import { fork } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { AddressInfo } from "node:net";
import type express from "express";
import pg from "pg";
import { PGlite } from "@electric-sql/pglite";
import { openPglite, openPostgres, type Database } from "../src/db/client";
import { pgliteConnection } from "../src/db/raw";
import { createPostgresDatabase } from "./database";
import { migrate } from "../src/db/migrate";
import { loadConfig, type ReadyConfig } from "../src/config";
import { createLogger } from "../src/shared/logger";
import { createServices, type Services } from "../src/services";
import { httpCall, type Answer } from "./http-call";

export interface Result {
  phase: string;
  conc: number;
  ops: number;
  opsPerSec: number;
  p50: number;
  p95: number;
  p99: number;
  rssMb: number;
  /** CPU time per operation (µs) of the server process and of PostgreSQL's processes (the
   * bench database's backends, see cpuOf), when measured: steadier than rates on a shared machine. */
  serverCpuUs?: number;
  pgCpuUs?: number;
}

/** What a phase can read of the processes it loads, before and after. */
export interface Probe {
  rssMb(): number | Promise<number>;
  /** Cumulative CPU seconds of the server process and of PostgreSQL's processes. */
  cpu?(): { server: number; pg: number };
}

export interface Server {
  pid: number;
  helloPort: number;
  scimPort: number;
  token: string;
  /** The PostgreSQL database the server uses (none on PGlite). */
  database?: string;
  /** Sends a command to the server process (see ServerCommand in scim-server.ts). */
  call<T>(command: Record<string, unknown>): Promise<T>;
}

/** Forks bench/scim-server.ts on this engine and waits until it listens. */
export function startServer(engine: "pglite" | "postgres"): Promise<Server> {
  const child = fork(path.join(__dirname, "scim-server.ts"), [engine], {
    // BENCH_CPU_PROF=<dir>: a V8 CPU profile of the server process, written when it stops.
    execArgv: [
      "--import",
      "tsx",
      ...(process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
    ],
  });
  const pending = new Map<number, { resolve: (v: never) => void; reject: (e: Error) => void }>();
  let next = 0;
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`bench server exited with ${code}`)));
    child.on(
      "message",
      (m: { ready?: Omit<Server, "call">; id?: number; result?: never; error?: string }) => {
        if (m.ready) {
          resolve({
            ...m.ready,
            pid: child.pid!,
            call: (command) =>
              new Promise((res, rej) => {
                const id = next++;
                pending.set(id, { resolve: res as (v: never) => void, reject: rej });
                child.send({ ...command, id });
              }),
          });
          return;
        }
        const p = pending.get(m.id!);
        pending.delete(m.id!);
        if (m.error !== undefined) p?.reject(new Error(m.error));
        else p?.resolve(m.result as never);
      },
    );
  });
}

const CLOCK_TICKS = 100; // USER_HZ on Linux
/** CPU seconds (user + system) a process has used so far, from /proc; 0 where there is none. */
export function cpuSeconds(pid: number | string): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/**
 * CPU seconds of the server process and of PostgreSQL's processes (PGlite runs inside the server
 * process; a remote PostgreSQL reads as 0), cumulative from the first call. With `database`, only
 * the backends connected to it: the machine is shared, and other engineers' PostgreSQL work would
 * otherwise land in the figure (the background writer, WAL writer and checkpointer are left out
 * with it). Why per process and summed as deltas: a backend that ends (the pool closes idle
 * connections) takes its CPU time with it, which read as a total would make a phase's CPU negative.
 */
export function cpuOf(serverPid: number, database?: string): () => { server: number; pg: number } {
  const seen = new Map<string, number>();
  let pg = 0;
  const isOurs = (pid: string) => {
    if (!readFileSync(`/proc/${pid}/comm`, "utf8").startsWith("postgres")) return false;
    return database === undefined || readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(` ${database} `);
  };
  return () => {
    for (const pid of readdirSync("/proc")) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        if (!isOurs(pid)) continue;
        const now = cpuSeconds(pid);
        pg += Math.max(0, now - (seen.get(pid) ?? 0));
        seen.set(pid, now);
      } catch {
        // the process ended while we looked
      }
    }
    return { server: cpuSeconds(serverPid), pg };
  };
}

/** The SCIM User both SCIM benches create, as Okta and Entra send it. */
export const benchUser = (i: number) => ({
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
  userName: `user${i}@bench.test`,
  externalId: `ext-${i}`,
  name: { givenName: "Bench", familyName: `User ${i}` },
  emails: [{ value: `user${i}@bench.test`, type: "work", primary: true }],
  active: true,
});

export const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
export const rssMb = () => Math.round(process.memoryUsage().rss / 1024 / 1024);

export function client(port: number, token?: string) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const auth = token ? { authorization: `Bearer ${token}` } : {};
  return (method: string, path: string, body?: unknown): Promise<Answer> =>
    body === undefined
      ? httpCall(agent, port, method, path, auth)
      : httpCall(
          agent,
          port,
          method,
          path,
          { ...auth, "content-type": "application/scim+json" },
          JSON.stringify(body),
        );
}

/** Closed loop: `conc` workers, each making its share of the `ops` calls one after the other;
 * fn(i, worker, k) gets the global index, the worker and the worker's own count. Every answer
 * must have the `expected` status. */
export async function run(
  phase: string,
  conc: number,
  ops: number,
  expected: number,
  fn: (i: number, worker: number, k: number) => Promise<Answer>,
  probe: Probe = { rssMb },
): Promise<Result> {
  const lat: number[] = [];
  const per = Math.ceil(ops / conc);
  const cpu0 = probe.cpu?.();
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: conc }, async (_, w) => {
      for (let k = 0; k < per && w * per + k < ops; k++) {
        const t0 = process.hrtime.bigint();
        const res = await fn(w * per + k, w, k);
        lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (res.status !== expected)
          throw new Error(`${phase}: expected ${expected}, got ${res.status} ${res.body.slice(0, 300)}`);
      }
    }),
  );
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu1 = probe.cpu?.();
  lat.sort((a, b) => a - b);
  const perOp = (before: number, after: number) => ((after - before) / lat.length) * 1e6;
  const r: Result = {
    phase,
    conc,
    ops: lat.length,
    opsPerSec: lat.length / secs,
    p50: pct(lat, 50),
    p95: pct(lat, 95),
    p99: pct(lat, 99),
    rssMb: await probe.rssMb(),
    ...(cpu0 && cpu1
      ? { serverCpuUs: perOp(cpu0.server, cpu1.server), pgCpuUs: perOp(cpu0.pg, cpu1.pg) }
      : {}),
  };
  const cpu =
    r.serverCpuUs === undefined
      ? ""
      : `  CPU/op: server ${r.serverCpuUs.toFixed(0)} µs, PostgreSQL ${r.pgCpuUs!.toFixed(0)} µs`;
  console.log(
    `  ${phase.padEnd(38)} c=${conc}  ${r.opsPerSec.toFixed(0).padStart(6)} ops/s  p50 ${r.p50.toFixed(1)}  p95 ${r.p95.toFixed(1)}  p99 ${r.p99.toFixed(1)} ms  RSS ${r.rssMb} MB${cpu}`,
  );
  return r;
}

export async function listen(app: express.Express): Promise<{ port: number; close: () => Promise<void> }> {
  const server = http.createServer(app);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export async function openEngine(
  engine: "pglite" | "postgres",
): Promise<{ db: Database; drop: () => Promise<void> }> {
  if (engine === "pglite") {
    const lite = new PGlite();
    await migrate(pgliteConnection(lite));
    const dump = await lite.dumpDataDir("none");
    await lite.close();
    return { db: openPglite({ loadDataDir: dump }), drop: async () => undefined };
  }
  const { url, drop } = await createPostgresDatabase("ssob_bench_scim");
  return { db: Object.assign(openPostgres(url, { poolSize: 10 }), { url }), drop };
}

/** Raw INSERTs through pg (PostgreSQL, a pool of 8) or the embedded connection (PGlite). */
export async function rawInserter(db: Database) {
  const ddl = "CREATE TABLE IF NOT EXISTS bench_raw (id uuid PRIMARY KEY, v text NOT NULL)";
  const sql = "INSERT INTO bench_raw (id, v) VALUES (gen_random_uuid(), $1)";
  const ok = { status: 1, body: "" };
  if (db.kind === "pglite") {
    const conn = await db.raw();
    await conn.exec(ddl);
    return { insert: () => conn.query(sql, ["x"]).then(() => ok), close: () => conn.release() };
  }
  const conn = await db.raw();
  await conn.exec(ddl);
  await conn.release();
  const pool = new pg.Pool({ connectionString: (db as Database & { url: string }).url, max: 8 });
  return { insert: () => pool.query(sql, ["x"]).then(() => ok), close: () => pool.end() };
}

/**
 * The services of a bench over `db` (errors-only logging, a test configuration with `env` on
 * top) and its organization "bench", on the enterprise plan.
 */
export async function benchOrg(db: Database, env: Record<string, string> = {}) {
  const config = loadConfig({
    NODE_ENV: "test",
    SECRET_KEY: "bench-secret-key-0123456789abcdefghijkl",
    LOG_LEVEL: "error",
    BASE_URL: "http://127.0.0.1",
    DATA_DIR: "/tmp/sso-bridge-bench-unused",
    ...env,
  }) as ReadyConfig;
  const services: Services = createServices({ config, db, logger: createLogger("error") });
  const org = await db.prisma.organization.create({
    data: { slug: "bench", name: "Bench", plan: "enterprise" },
  });
  return { config, services, org };
}
