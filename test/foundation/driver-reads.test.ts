// Database.read runs the hottest SCIM reads on the driver itself, without the Prisma client
// (src/db/client.ts). Its rows must be what $queryRaw answers for the same statement, on
// each engine, for every type those reads select.
import { Prisma } from "../../src/generated/prisma/client";
import type { Database } from "../../src/db/client";
import { openTestDatabase } from "../support/db";

let db: Database;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(() => db.close());

const statements: [string, Prisma.Sql][] = [
  [
    "text, int, boolean, null and timestamptz columns",
    Prisma.sql`SELECT 'a'::text AS t, 42::int AS i, true AS b, NULL::text AS n,
      '2026-11-23T01:02:03.456Z'::timestamptz AS at, ${"p"}::text AS param`,
  ],
  [
    "json and jsonb values, nested",
    Prisma.sql`SELECT json_build_object('v', 1, 'list', json_build_array('x', NULL)) AS j,
      '{"kind": "default", "rules": []}'::jsonb AS jb, '[]'::json AS empty`,
  ],
  [
    "arrays, as parameters and as results",
    Prisma.sql`SELECT ${["00000000-0000-0000-0000-000000000001"]}::uuid[]::text[] AS ids,
      ARRAY['x', 'y']::text[] AS names, '{}'::text[] AS none, array_length(${[1, 2, 3]}::int[], 1) AS n`,
  ],
  ["no rows", Prisma.sql`SELECT 1 AS one WHERE false`],
];

test.each(statements)(
  "when a read selects %s, then the driver's rows equal Prisma's",
  async (_title, sql) => {
    const viaDriver = await db.read<Record<string, unknown>>(sql);
    const viaPrisma = await db.prisma.$queryRaw<Record<string, unknown>[]>(sql);
    expect(viaDriver).toEqual(viaPrisma);
  },
);

test("when the read selects a timestamptz, then it is a Date of that instant", async () => {
  const [row] = await db.read<{ at: Date }>(Prisma.sql`SELECT '2026-11-23T01:02:03.456Z'::timestamptz AS at`);
  expect(row?.at).toBeInstanceOf(Date);
  expect(row?.at.toISOString()).toBe("2026-11-23T01:02:03.456Z");
});

test("when the same read runs many times, then it answers the same (a named statement reused)", async () => {
  const sql = (i: number) => Prisma.sql`SELECT ${i}::int AS i`;
  const rows = await Promise.all(Array.from({ length: 30 }, (_, i) => db.read<{ i: number }>(sql(i))));
  expect(rows.map((r) => r[0]?.i)).toEqual(Array.from({ length: 30 }, (_, i) => i));
});
