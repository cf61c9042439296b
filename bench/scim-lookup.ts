// npx tsx bench/scim-lookup.ts — `userName eq` lookups against the floor route only (issue 18),
// for quick comparisons of versions: creates N users (--n, default 3,000) on PostgreSQL, then
// alternates ROUNDS (--rounds, default 3) phases of the floor (Express + one prepared SELECT) and
// of the lookups, OPS requests each at concurrency 8. Why beside bench/scim.ts: its PostgreSQL
// CPU is that of the bench database's own backends, not of every PostgreSQL process of the
// machine (other engineers' work lands there on a shared VM), and the alternation shows the
// drift of the machine's load. BENCH_CPU_PROF=<dir> profiles the server (bench/scim-harness.ts);
// each phase prints its window on the server's monotonic clock (µs) to cut the profile by.
import pg from "pg";
import { benchUser, client, cpuSeconds, run, startServer } from "./scim-harness";
import { arg } from "./args";

const N = Number(arg("n") ?? 3000);
const ROUNDS = Number(arg("rounds") ?? 3);
const OPS = Number(arg("ops") ?? 3000);
const ADMIN = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

async function main() {
  const admin = new pg.Client({ connectionString: ADMIN });
  await admin.connect();
  const databases = async () =>
    (await admin.query<{ datname: string }>("SELECT datname FROM pg_database")).rows.map((r) => r.datname);
  // The database the server creates is the one that was not there before it started.
  const before = new Set(await databases());
  const server = await startServer("postgres");
  const mine = (await databases()).filter((d) => d.startsWith("ssob_bench_scim_") && !before.has(d));
  let backends: number[] = [];
  const probe = {
    rssMb: () => server.call<number>({ cmd: "rss" }),
    cpu: () => ({
      server: cpuSeconds(server.pid),
      pg: backends.reduce((sum, pid) => sum + cpuSeconds(pid), 0),
    }),
  };
  const h = client(server.helloPort);
  const s = client(server.scimPort, server.token);
  const base = "/scim/v2/bench";
  const window = async (phase: string, fn: () => Promise<unknown>) => {
    const t0 = process.hrtime.bigint() / 1000n;
    await fn();
    console.log(`  window ${phase} ${t0} ${process.hrtime.bigint() / 1000n}`);
  };
  try {
    if (mine.length !== 1) throw new Error(`cannot tell the bench's database: ${mine.join(", ")}`);
    await run("POST /Users (create)", 8, N, 201, (i) => s("POST", `${base}/Users`, benchUser(i)));
    // The pool's connections are all open by now (the creates ran at concurrency 8).
    backends = (
      await admin.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = $1", [mine[0]])
    ).rows.map((r) => r.pid);
    const pick = (i: number) => (i * 7919) % N;
    for (let r = 0; r < ROUNDS; r++) {
      await window("floor", () =>
        run("Express + one SELECT (floor)", 8, OPS, 200, (i) => h("GET", `/one-select?v=${i}`), probe),
      );
      await window("lookup", () =>
        run(
          "GET /Users?filter=userName eq",
          8,
          OPS,
          200,
          (i) =>
            s("GET", `${base}/Users?filter=${encodeURIComponent(`userName eq "USER${pick(i)}@bench.test"`)}`),
          probe,
        ),
      );
    }
  } finally {
    await server.call({ cmd: "stop" });
    await admin.end();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
