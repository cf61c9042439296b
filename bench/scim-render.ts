// npx tsx bench/scim-render.ts — what a `userName eq` lookup costs PostgreSQL and the client with
// each renderer of the SCIM User (issue 18): the resource as JSON text built by PostgreSQL
// (users/resource-sql.ts), or the row with its emails and groups rendered by presentUser
// (users/present.ts), against the floor's SELECT. Creates N users (--n, default 2,000) by the
// SCIM create on a PostgreSQL database of its own, then on one connection runs each statement
// prepared and named, K times in a row (--k, default 5,000; users in a scattered order), the
// statements interleaved, ROUNDS times (--rounds, default 3): the backend's CPU per execution
// (from /proc) and this process's (the driver's parsing, the rendering, the ListResponse). Why
// one connection and no HTTP: it isolates the statements from the app and the load generator,
// which on a shared machine move by more than the renderers differ.
import { isDeepStrictEqual } from "node:util";
import pg from "pg";
import { Prisma } from "../src/generated/prisma/client";
import { createPostgresDatabase } from "./database";
import { openPostgres } from "../src/db/client";
import { baseUrlJoin, userResourceSql } from "../src/scim/users/resource-sql";
import { presentUser } from "../src/scim/users/present";
import type { UserRow } from "../src/scim/users/document";
import type { ScimCtx } from "../src/scim/context";
import { listResponse } from "../src/scim/list-query";
import { benchOrg, benchUser, cpuSeconds } from "./scim-harness";
import { arg } from "./args";

const N = Number(arg("n") ?? 2000);
const K = Number(arg("k") ?? 5000);
const ROUNDS = Number(arg("rounds") ?? 3);

// $1 the base URL, $2 the organization, $3 the userName key, in every statement.
const WHERE = `WHERE u.org_id = $2::uuid AND u.user_name_lower = $3 AND u.provisioned_by <> 'invite'`;
const ROW = `u.id::text AS id, u.user_name AS "userName", u.external_id AS "externalId",
  u.display_name AS "displayName", u.first_name AS "firstName", u.last_name AS "lastName",
  u.status::text AS status, u.scim_data AS "scimData", u.manager_id AS "managerId", u.version,
  u.created_at AS "createdAt", u.updated_at AS "updatedAt",
  (SELECT json_agg(json_build_object('value', e.value, 'type', e.type, 'primary', e."primary",
    'position', e.position)) FROM user_emails e WHERE e.user_id = u.id) AS emails,
  (SELECT json_agg(json_build_object('id', g.id, 'displayName', g.display_name)
    ORDER BY g.display_name_lower, g.id)
   FROM group_memberships m CROSS JOIN LATERAL (SELECT id, display_name, display_name_lower
     FROM groups WHERE groups.id = m.group_id OFFSET 0) g WHERE m.user_id = u.id) AS groups`;

type Ctx = Pick<ScimCtx, "baseUrl">;
type Row = UserRow & { groups: { id: string; displayName: string }[] | null };
const STATEMENTS: Record<
  string,
  { text: string; render: (ctx: Ctx, row: Record<string, unknown>) => string }
> = {
  "the floor's SELECT": {
    text: `SELECT $3::text AS v, now() AS at, $1::text AS a, $2::uuid AS b`,
    render: (_ctx, row) => JSON.stringify(row),
  },
  "resource as JSON text (resource-sql.ts)": {
    text: `SELECT ${userResourceSql(true).text} AS resource FROM users u ${baseUrlJoin(Prisma.raw("$1")).text} ${WHERE}`,
    render: (_ctx, row) => listResponse(1, 1, 1, [row.resource as string]),
  },
  "row, emails and groups, presentUser": {
    text: `SELECT ${ROW} FROM users u ${WHERE} AND $1::text IS NOT NULL`,
    render: (ctx, row) => {
      const user = { ...(row as unknown as Row) };
      user.emails ??= [];
      const doc = presentUser(ctx, user, user.groups ?? []);
      return listResponse(1, 1, 1, [JSON.stringify(doc)]);
    },
  },
};

async function main() {
  const { url, drop } = await createPostgresDatabase("ssob_bench_render");
  const db = openPostgres(url);
  const conn = new pg.Client({ connectionString: url });
  try {
    const { services, org } = await benchOrg(db);
    const ctx: ScimCtx = { orgId: org.id, actor: { type: "cli" }, baseUrl: "http://127.0.0.1/scim/v2/bench" };
    for (let i = 0; i < N; i += 8)
      await Promise.all(
        Array.from({ length: Math.min(8, N - i) }, (_, j) =>
          services.scim.users.create(ctx, benchUser(i + j)),
        ),
      );
    await conn.connect();
    await conn.query("VACUUM ANALYZE");
    const pid = (await conn.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
    const names = Object.keys(STATEMENTS);
    // Both renderers must answer the same document (test/scim/resource-sql.test.ts holds them
    // equal over every kind of attribute; here, on the bench's own users).
    const answers = await Promise.all(
      names.slice(1).map(async (name, n) => {
        const { text, render } = STATEMENTS[name]!;
        const { rows } = await conn.query({
          name: `s${n + 1}`,
          text,
          values: [ctx.baseUrl, org.id, "user1@bench.test"],
        });
        return JSON.parse(render(ctx, rows[0] as Record<string, unknown>)) as unknown;
      }),
    );
    if (!isDeepStrictEqual(answers[0], answers[1]))
      throw new Error("the renderers answer different documents");
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [n, name] of names.entries()) {
        const { text, render } = STATEMENTS[name]!;
        const pg0 = cpuSeconds(pid);
        const own0 = process.cpuUsage();
        let bytes = 0;
        for (let k = 0; k < K; k++) {
          const values = [ctx.baseUrl, org.id, `user${(k * 7919) % N}@bench.test`];
          const { rows } = await conn.query({ name: `s${n}`, text, values });
          bytes += render(ctx, rows[0] as Record<string, unknown>).length;
        }
        const own = process.cpuUsage(own0);
        const pgUs = ((cpuSeconds(pid) - pg0) / K) * 1e6;
        const clientUs = (own.user + own.system) / K;
        console.log(
          `round ${round}  ${name.padEnd(40)} PostgreSQL ${pgUs.toFixed(0).padStart(4)} µs` +
            `  client ${clientUs.toFixed(0).padStart(4)} µs  (${Math.round(bytes / K)} bytes)`,
        );
      }
    }
  } finally {
    await conn.end().catch(() => undefined);
    await db.close();
    await drop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
