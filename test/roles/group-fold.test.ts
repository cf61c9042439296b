// Issue 15: group names, rule groups and sign-in values match by the one identity fold
// (shared/fold.ts) in JavaScript and in SQL, whatever the database's collation: "Straße" is
// "STRASSE", "İZMİR" is "i̇zmi̇r", "ÉLODIE" is "élodie". Runs on PGlite and on PostgreSQL.
import request from "supertest";
import { Prisma } from "../../src/generated/prisma/client";
import { fold } from "../../src/shared/fold";
import { foldSql } from "../../src/shared/fold-sql";
import { createTestApp, type TestApp } from "../support/app";
import { scimClient, GROUP } from "../scim/scim-client";
import { rolesFixtures } from "./fixtures";

let t: TestApp;
let f: ReturnType<typeof rolesFixtures>;
beforeAll(async () => {
  t = await createTestApp();
  f = rolesFixtures(t);
});
afterAll(() => t.close());

const SAMPLES = [
  "ÉLODIE@Example.com",
  "élodie@example.com",
  "Straße-Ärzte",
  "STRASSE-ÄRZTE",
  "İZMİR",
  "Izmir",
  "ΟΔΟΣ",
  "\uFF21LICE",
  "al\u200Dice",
  "Plain ASCII Group",
];

test("when the database folds identities, then it agrees with fold() in JavaScript on non-ASCII letters", async () => {
  for (const value of SAMPLES) {
    const [row] = await t.db.prisma.$queryRaw<{ key: string }[]>(
      Prisma.sql`SELECT ${foldSql(Prisma.sql`${value}::text`)} AS key`,
    );
    expect({ value, key: row!.key }).toEqual({ value, key: fold(value) });
  }
  // Lower-casing would tell these apart; the fold must not.
  expect(fold("Straße-Ärzte")).toBe(fold("STRASSE-ÄRZTE"));
  expect(fold("ÉLODIE@Example.com")).toBe(fold("élodie@example.com"));
});

test("when rules name groups in another case or spelling than the sign-in values and the SCIM group, then users get the rule's role", async () => {
  const org = await t.given.org();
  const key = await t.given.apiKey(org);
  await f.ssoOn(org);
  // The sign-in value names the SCIM group by its externalId; the rule names its displayName.
  await f.group(org, "Straße-Ärzte", "ÉQUIPE-42");
  const viaGroup = await f.scimUser(org, { ssoGroups: ["équipe-42"] });
  const direct = await f.scimUser(org, { ssoGroups: ["i\u0307zmi\u0307r"] });
  const member = await f.scimUser(org);
  const group = await t.db.prisma.group.findFirstOrThrow({ where: { orgId: org.id } });
  await f.join(member, group.id);
  const other = await f.scimUser(org, { ssoGroups: ["izmir"] });

  await f
    .put(org, key, {
      defaultRole: null,
      rules: [
        { group: "STRASSE-ÄRZTE", role: "Admin" },
        { group: "İZMİR", role: "Support" },
      ],
    })
    .expect(200);

  expect((await f.userOf(viaGroup.id)).role).toBe("Admin");
  expect((await f.userOf(member.id)).role).toBe("Admin");
  expect((await f.userOf(direct.id)).role).toBe("Support");
  // Dotless: "izmir" is not "i̇zmi̇r" (İ folds to i + U+0307), in JavaScript as in SQL.
  expect((await f.userOf(other.id)).role).toBeNull();
  // The portal's "why this role" finds the group through its externalId by the same fold.
  const ctx = { orgId: org.id, actor: { type: "system" as const } };
  expect(await t.services.roles.explainRole(ctx, viaGroup.id)).toMatchObject({
    role: "Admin",
    kind: "mapping",
    rules: [{ group: "STRASSE-ÄRZTE", role: "Admin", position: 1 }],
  });

  const groups = await request(t.app)
    .get(`/api/v1/orgs/${org.slug}/groups`)
    .set("Authorization", `Bearer ${key}`)
    .expect(200);
  const listed = groups.body.data.find((g: { displayName: string }) => g.displayName === "Straße-Ärzte");
  expect(listed).toMatchObject({ memberCount: 2 });
});

test("when SCIM creates Straße and then STRASSE, then the second collides and displayName eq finds the first by either spelling", async () => {
  const c = await scimClient(t);
  const first = await c.post("/Groups", { schemas: [GROUP], displayName: "Straße" }).expect(201);
  const res = await c.post("/Groups", { schemas: [GROUP], displayName: "STRASSE" }).expect(409);
  expect(res.body.scimType).toBe("uniqueness");
  for (const spelling of ["STRASSE", "strasse", "Straße"]) {
    const found = await c
      .get(`/Groups?filter=${encodeURIComponent(`displayName eq ${JSON.stringify(spelling)}`)}`)
      .expect(200);
    expect(found.body.Resources.map((g: { id: string }) => g.id)).toEqual([first.body.id]);
  }
});
