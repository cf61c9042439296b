// npx tsx bench/saml-acs.ts [n] — the CPU of one SAML sign-in, in one process: the real app
// (createServices + createApp, NODE_ENV=production) on a PostgreSQL database of its own
// (BENCH_DATABASE_URL, created and dropped here), n (400) IdP-initiated sign-ins of existing
// users posted over HTTP to its ACS at concurrency 4, signed ahead by bench/load-saml.ts. Reports
// the process's CPU per sign-in (the HTTP client's share included) beside an Express
// hello-world served and called the same way in the same run (the baseline: CPU per request).
// Beside it, the CPU the PostgreSQL backends serving the bench's database spent meanwhile (read
// from /proc: PostgreSQL must run on this machine), the server's other half of a sign-in.
// Quicker and steadier than bench:load for comparing two versions of the sign-in: run each
// version in turn, at least twice.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import http from "node:http";
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

/** CPU milliseconds of this process per call of `post` over `forms`, at concurrency CONC. */
async function cpuPerCall(forms: string[], post: (form: string) => Promise<number>, expected: number) {
  let bad = 0;
  const c0 = process.cpuUsage();
  const n = forms.length;
  await Promise.all(
    Array.from({ length: CONC }, async () => {
      for (let f = forms.pop(); f !== undefined; f = forms.pop()) if ((await post(f)) !== expected) bad++;
    }),
  );
  const c = process.cpuUsage(c0);
  return { ms: (c.user + c.system) / 1000 / n, bad };
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

function poster(server: http.Server, method: string, path: string, agent: http.Agent) {
  const { port } = server.address() as { port: number };
  return (form: string) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          host: "127.0.0.1",
          port,
          method,
          path,
          agent,
          headers: {
            "content-type": "application/x-www-form-urlencoded",
            "content-length": Buffer.byteLength(form),
          },
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        },
      );
      req.on("error", reject);
      req.end(form);
    });
}

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
  const agent = new http.Agent({ keepAlive: true });
  const servers: http.Server[] = [];
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
    const postHello = poster(servers[0]!, "POST", "/hello", agent);
    const postAcs = poster(servers[1]!, "POST", acsPath, agent);
    await cpuPerCall(
      Array.from({ length: 500 }, () => "x=1"),
      postHello,
      200,
    );
    const baseline = await cpuPerCall(
      Array.from({ length: 4000 }, () => "x=1"),
      postHello,
      200,
    );
    await cpuPerCall(forms.splice(0, warm), postAcs, 302);
    const pg0 = await backendCpu(db);
    const signIn = await cpuPerCall(forms, postAcs, 302);
    const pgMs = cpuBetween(pg0, await backendCpu(db)) / N;
    console.log(`| | CPU ms each | errors |\n|---|---:|---:|`);
    console.log(`| Express hello-world (baseline) | ${baseline.ms.toFixed(3)} | ${baseline.bad} |`);
    console.log(`| SAML sign-in (${N}) | ${signIn.ms.toFixed(2)} | ${signIn.bad} |`);
    console.log(`| same sign-ins: PostgreSQL backends | ${pgMs.toFixed(2)} | |`);
    console.log(
      `\nsign-ins per CPU-second: ${(1000 / signIn.ms).toFixed(0)} of this process, ${(1000 / (signIn.ms + pgMs)).toFixed(0)} with PostgreSQL's; a sign-in costs ${(signIn.ms / baseline.ms).toFixed(0)} hello-worlds`,
    );
    if (signIn.bad + baseline.bad > 0) process.exitCode = 1;
  } finally {
    for (const s of servers) s.close();
    agent.destroy();
    await services.rateLimits.close();
    await db.close();
    await created.drop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
