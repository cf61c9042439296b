// npx tsx bench/express-layers.ts — what Express's walk through the app's layers costs a SCIM
// request, apart from the work those layers do (issue 18, the lookups against the floor route):
// Express apps whose middlewares do nothing, each answering GET /scim/v2/bench/Users with a
// constant, in one process with their load generator (OPS requests per phase, --ops, default
// 5,000; concurrency 8), the shapes alternated in a rotated order for ROUNDS rounds (--rounds,
// default 7; the first warms up and is left out). Prints the process's CPU per request (server and
// load generator: the same generator for every shape, so the differences are the server's):
//   one-route   the floor's shape: one route, no middleware;
//   create-app  createApp's shape: eight app-level middlewares, five under a path prefix (/scim,
//               /sso, /auth, /scim, /api), the SCIM router mounted under /scim/v2/:org with its
//               two `use`s and five discovery routes before /Users;
//   one-layer   the same thirteen app-level middlewares called in order from one layer, then the
//               mount and a SCIM router of one `use` and /Users.
import express, { type RequestHandler } from "express";
import { arg } from "./args";
import { client, listen, pct } from "./scim-harness";

const OPS = Number(arg("ops") ?? 5000);
const ROUNDS = Number(arg("rounds") ?? 7);
const PATH = `/scim/v2/bench/Users?filter=${encodeURIComponent('userName eq "user1@bench.test"')}`;

const noop: RequestHandler = (_req, _res, next) => next();
const answer: RequestHandler = (_req, res) => void res.end("{}");

function scimRouter(uses: number, discovery: boolean) {
  const r = express.Router({ mergeParams: true });
  for (let i = 0; i < uses; i++) r.use(noop);
  if (discovery)
    for (const p of [
      "/ServiceProviderConfig",
      "/ResourceTypes",
      "/ResourceTypes/:id",
      "/Schemas",
      "/Schemas/:id",
    ])
      r.get(p, noop);
  r.get("/Users", answer);
  return r;
}

const SHAPES: Record<string, () => express.Express> = {
  "one-route": () => express().get("/scim/v2/:org/Users", answer),
  "create-app": () => {
    const app = express();
    for (let i = 0; i < 8; i++) app.use(noop);
    for (const prefix of ["/scim", "/sso", "/auth", "/scim", "/api"]) app.use(prefix, noop);
    return app.use("/scim/v2/:org", scimRouter(2, true));
  },
  "one-layer": () =>
    express()
      .use((req, res, next) => {
        for (let i = 0; i < 13; i++) noop(req, res, () => undefined);
        next();
      })
      .use("/scim/v2/:org", scimRouter(1, false)),
};

async function main() {
  const names = Object.keys(SHAPES);
  const servers = await Promise.all(names.map((n) => listen(SHAPES[n]!().set("query parser", "simple"))));
  const calls = servers.map((server) => client(server.port));
  const perRequest: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (let j = 0; j < names.length; j++) {
      const k = (j + round) % names.length;
      const cpu0 = process.cpuUsage();
      let sent = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (sent++ < OPS) await calls[k]!("GET", PATH);
        }),
      );
      const cpu = process.cpuUsage(cpu0);
      if (round > 0) perRequest[names[k]!]!.push((cpu.user + cpu.system) / OPS);
    }
  }
  const median = (a: number[]) =>
    pct(
      [...a].sort((x, y) => x - y),
      50,
    );
  for (const n of names)
    console.log(
      `${n.padEnd(11)} CPU µs per request, median ${median(perRequest[n]!).toFixed(0)}` +
        `  (rounds: ${perRequest[n]!.map((x) => x.toFixed(0)).join(" ")})`,
    );
  await Promise.all(servers.map((s) => s.close()));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
