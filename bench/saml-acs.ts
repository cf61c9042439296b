// npx tsx bench/saml-acs.ts [n] — the CPU of one SAML sign-in, in one process: the real app
// (createServices + createApp, NODE_ENV=production) on a PostgreSQL database of its own
// (BENCH_DATABASE_URL, created and dropped here), n (400) IdP-initiated sign-ins of existing
// users posted over HTTP to its ACS at concurrency 4, signed ahead by bench/load-saml.ts. Reports
// the service process's CPU per sign-in beside an Express hello-world served and called the same
// way in the same run (the baseline: CPU per request). The HTTP client runs in a process of its
// own (bench/post-forms.ts), whose CPU is printed beside: until 6 December 2026 it ran in the
// service's process and its share counted as the service's.
// Beside it, the CPU the PostgreSQL backends serving the bench's database spent meanwhile (read
// from /proc: PostgreSQL must run on this machine), the server's other half of a sign-in.
// Quicker and steadier than bench:load for comparing two versions of the sign-in: run each
// version in turn, at least twice.
import { execFileSync, fork, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import http from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import request from "supertest";
import { loadConfig, type ReadyConfig } from "../src/config";
import { openPostgres, type Database } from "../src/db/client";
import { Prisma } from "../src/generated/prisma/client";
import { createServices } from "../src/services";
import { createApp } from "../src/http/app";
import { createLogger } from "../src/shared/logger";
import { createGiven } from "../test/support/given";
import { createPostgresDatabase } from "./database";
import { createBenchIdp } from "./load-saml";

const N = Number(process.argv[2] ?? 400);
const CONC = 4;

/**
 * CPU milliseconds per call of this process (the service) and of the client process, posting
 * `forms` to `port` and `path` at concurrency CONC; `bad` counts answers other than `expected`.
 */
async function cpuPerCall(
  client: ChildProcess,
  port: number,
  path: string,
  forms: string[],
  expected: number,
) {
  const n = forms.length;
  const c0 = process.cpuUsage();
  const answer = new Promise<{ bad: number; cpuMs: number; error?: string }>((resolve) =>
    client.once("message", resolve),
  );
  client.send({ port, path, forms, conc: CONC, expected });
  const { bad, cpuMs, error } = await answer;
  if (error !== undefined) throw new Error(error);
  const c = process.cpuUsage(c0);
  return { ms: (c.user + c.system) / 1000 / n, clientMs: cpuMs / n, bad };
}

const TICK_MS = 1000 / Number(execFileSync("getconf", ["CLK_TCK"]).toString());

/** CPU milliseconds so far of each PostgreSQL backend connected to this database, by pid. */
async function backendCpu(db: Database): Promise<Map<number, number>> {
  const rows = await db.read<{ pid: number }>(
    Prisma.sql`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`,
  );
  const cpu = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      // Fields 14 and 15 (utime, stime) of /proc/<pid>/stat; the command name may hold spaces.
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      cpu.set(pid, (Number(fields[11]) + Number(fields[12])) * TICK_MS);
    } catch {
      // The backend ended between the two reads.
    }
  }
  return cpu;
}

/** The backends' CPU between two backendCpu reads (a backend that appeared counts from 0). */
const cpuBetween = (before: Map<number, number>, after: Map<number, number>) =>
  [...after].reduce((sum, [pid, ms]) => sum + ms - (before.get(pid) ?? 0), 0);

async function main() {
  const created = await createPostgresDatabase("ssob_bench_acs");
  const db = openPostgres(created.url);
  const config = loadConfig({
    NODE_ENV: "production",
    SECRET_KEY: "bench-secret-key-0123456789abcdefghijklmnop",
    DATABASE_URL: created.url,
    BASE_URL: "http://sso.bench",
    LOG_LEVEL: "error",
    RATE_LIMIT_SIGN_IN_PER_IP: "100000000",
  }) as ReadyConfig;
  const services = createServices({ config, db, logger: createLogger("error") });
  const app = createApp(services);
  const servers: http.Server[] = [];
  const client = fork(path.join(__dirname, "post-forms.ts"), [], { execArgv: ["--import", "tsx"] });
  try {
    const given = createGiven(services);
    const org = await given.org({ slug: "bench" });
    const key = await given.apiKey(org);
    const acsPath = `/sso/${org.slug}/saml/acs`;
    const idp = createBenchIdp("https://idp.bench.test", {
      acsUrl: config.baseUrl + acsPath,
      entityId: `${config.baseUrl}/sso/${org.slug}/saml/metadata`,
    });
    const warm = 50;
    await given.users(
      org,
      Array.from({ length: N + warm }, (_, i) => `user${i}@bench.test`),
    );
    const api = (method: "put" | "post", path: string) =>
      request(app)[method](`/api/v1/orgs/${org.slug}${path}`).set("Authorization", `Bearer ${key}`);
    await api("put", "/role-mappings")
      .send({ defaultRole: null, rules: [{ group: "G", role: "Viewer" }] })
      .expect(200);
    await api("put", "/sso-connection")
      .send({
        protocol: "saml",
        idpEntityId: idp.entityId,
        idpSsoUrl: "https://idp.bench.test/sso",
        idpCertificates: [idp.certPem],
        allowIdpInitiated: true,
      })
      .expect(201);
    await api("post", "/sso-connection/enable").expect(200);
    // The statistics autovacuum would have gathered: without them the planner takes the new
    // tables for empty and reads every user of the organization where it should read one.
    await db.direct.$executeRaw(Prisma.sql`ANALYZE`);
    const forms = Array.from(
      { length: N + warm },
      (_, i) =>
        `SAMLResponse=${encodeURIComponent(Buffer.from(idp.respond(`user${i}@bench.test`, ["G"])).toString("base64"))}`,
    );

    const hello = express();
    hello.post("/hello", (_req, res) => res.json({ hello: "world" }));
    servers.push(http.createServer(hello).listen(0), http.createServer(app).listen(0));
    const [helloPort, acsPort] = servers.map((s) => (s.address() as AddressInfo).port) as [number, number];
    const hellos = (n: number) => Array.from({ length: n }, () => "x=1");
    await cpuPerCall(client, helloPort, "/hello", hellos(500), 200);
    const baseline = await cpuPerCall(client, helloPort, "/hello", hellos(4000), 200);
    await cpuPerCall(client, acsPort, acsPath, forms.splice(0, warm), 302);
    const pg0 = await backendCpu(db);
    const signIn = await cpuPerCall(client, acsPort, acsPath, forms, 302);
    const pgMs = cpuBetween(pg0, await backendCpu(db)) / N;
    console.log(`| | CPU ms each: service | client | errors |\n|---|---:|---:|---:|`);
    console.log(
      `| Express hello-world (baseline) | ${baseline.ms.toFixed(3)} | ${baseline.clientMs.toFixed(3)} | ${baseline.bad} |`,
    );
    console.log(
      `| SAML sign-in (${N}) | ${signIn.ms.toFixed(2)} | ${signIn.clientMs.toFixed(2)} | ${signIn.bad} |`,
    );
    console.log(`| same sign-ins: PostgreSQL backends | ${pgMs.toFixed(2)} | | |`);
    console.log(
      `\nsign-ins per CPU-second: ${(1000 / signIn.ms).toFixed(0)} of the service's process, ${(1000 / (signIn.ms + pgMs)).toFixed(0)} with PostgreSQL's, ${(1000 / (signIn.ms + signIn.clientMs)).toFixed(0)} with the client's (as measured before 6 December); a sign-in costs ${(signIn.ms / baseline.ms).toFixed(0)} hello-worlds`,
    );
    if (signIn.bad + baseline.bad > 0) process.exitCode = 1;
  } finally {
    for (const s of servers) s.close();
    client.disconnect();
    await services.rateLimits.close();
    await db.close();
    await created.drop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
