// The User resource has two renderers: presentUser (TypeScript, for the answers of writes, which
// hold the row) and userResourceSql (PostgreSQL, for every read). They must give the same
// document for every stored user: provisioned through SCIM with every kind of attribute, plus
// rows no SCIM request writes (a non-object scim_data, an email type left empty, a manager id
// set directly), with and without their groups.
import { Prisma } from "../../src/generated/prisma/client";
import type { ScimCtx } from "../../src/scim/context";
import { presentUser } from "../../src/scim/users/present";
import { countUsersSql, orgUsersSql, selectUserPage, selectUserResource } from "../../src/scim/users/sql";
import { findUser } from "../../src/scim/users/store";
import { createTestApp, type TestApp } from "../support/app";
import { ENTERPRISE, GROUP, newUser, patchBody, scimClient, USER, type ScimClient } from "./scim-client";

let t: TestApp;
let c: ScimClient;
let ctx: ScimCtx;
const ids: Record<string, string> = {};

const create = async (key: string, body: unknown) => {
  ids[key] = (await c.post("/Users", body).expect(201)).body.id;
};

beforeAll(async () => {
  t = await createTestApp();
  c = await scimClient(t);
  ctx = {
    orgId: c.org.id,
    actor: { type: "cli" },
    baseUrl: t.services.scimBaseUrl(c.org.slug),
  };
  await create("minimal", { schemas: [USER], userName: "minimal@acme.test" });
  await create("full", {
    schemas: [USER, ENTERPRISE],
    userName: "Full.Person@acme.test",
    externalId: "00u-full",
    displayName: "Full Person",
    nickName: "Fully",
    title: "Engineer",
    userType: "Employee",
    locale: "de-DE",
    timezone: "Europe/Berlin",
    name: {
      givenName: "Full",
      familyName: "Person",
      middleName: "Middle",
      formatted: "Dr. Full Middle Person",
      honorificPrefix: "Dr.",
    },
    emails: [
      { value: "home@example.test", type: "home" },
      { value: "Full.Person@acme.test", type: "work", primary: true },
      { value: "other@example.test" },
    ],
    phoneNumbers: [{ value: "+49 30 1234", type: "work" }],
    addresses: [
      { streetAddress: "Street 1", locality: "Berlin", country: "DE", type: "work", primary: true },
    ],
    [ENTERPRISE]: { employeeNumber: "42", department: "R&D", costCenter: "cc-1", organization: "Acme" },
  });
  await create("managed", {
    ...newUser("managed@acme.test"),
    [ENTERPRISE]: { manager: { value: ids.full }, division: "North" },
  });
  await create("inactive", { ...newUser("inactive@acme.test"), active: false, name: { familyName: "Only" } });
  await create("escaped", {
    ...newUser("escaped@acme.test"),
    displayName: 'Quote " Backslash \\ Tab \t Newline \n Ünïcödé 😀 </script>',
    title: "'single' & <tags>",
  });
  // Entra's shape: a manager set by PATCH as a bare id.
  await c
    .patch(
      `/Users/${ids.escaped}`,
      patchBody({ op: "Add", path: `${ENTERPRISE}:manager`, value: ids.minimal }),
    )
    .expect(200);
  for (const name of ["beta", "Alpha", "gamma"]) {
    const members = [ids.full, ids.escaped].slice(0, name === "gamma" ? 1 : 2).map((value) => ({ value }));
    await c.post("/Groups", { schemas: [GROUP], displayName: name, members }).expect(201);
  }
  // What no SCIM request writes, but a row may hold.
  const odd = await t.given.user(c.org, { provisionedBy: "scim", managerId: ids.minimal, displayName: "" });
  ids.odd = odd.id;
  await t.db.prisma.$executeRaw`UPDATE users SET scim_data = 'null'::jsonb WHERE id = ${odd.id}::uuid`;
  await t.db.prisma.userEmail.create({
    data: {
      orgId: c.org.id,
      userId: odd.id,
      value: odd.email,
      valueLower: odd.emailLower,
      type: "",
      primary: false,
    },
  });
  const listed = await t.given.user(c.org, { provisionedBy: "scim" });
  ids.listed = listed.id;
  await t.db.prisma
    .$executeRaw`UPDATE users SET scim_data = '["not", "an", "object"]'::jsonb WHERE id = ${listed.id}::uuid`;
});
afterAll(() => t.close());

async function both(id: string, withGroups: boolean) {
  const row = (await findUser(t.db.prisma, ctx.orgId, id))!;
  const groups = withGroups
    ? (
        await t.db.prisma.groupMembership.findMany({
          where: { userId: id },
          select: { group: { select: { id: true, displayName: true, displayNameLower: true } } },
        })
      )
        .map((m) => m.group)
        .sort((a, b) => a.displayNameLower.localeCompare(b.displayNameLower) || a.id.localeCompare(b.id))
    : undefined;
  const one = (await selectUserResource(t.db.read, ctx, id, withGroups))!;
  return {
    ts: presentUser(ctx, row, groups),
    sql: JSON.parse(one.resource) as unknown,
    version: one.version,
  };
}

const kinds = ["minimal", "full", "managed", "inactive", "escaped", "odd", "listed"];

describe("the SQL-built User resource", () => {
  test.each(kinds)(
    "when the %s user is read with its groups, then it equals presentUser's document",
    async (k) => {
      const { ts, sql, version } = await both(ids[k]!, true);
      expect(sql).toEqual(ts);
      // The version the ETag is made of is the one in meta.
      expect(ts.meta).toMatchObject({ version: `W/"${version}"` });
    },
  );

  test.each(kinds)(
    "when the %s user is read without its groups, then it equals presentUser's document",
    async (k) => {
      const { ts, sql } = await both(ids[k]!, false);
      expect(sql).toEqual(ts);
      expect(sql).not.toHaveProperty("groups");
    },
  );

  test("when every user is read in one page, then each resource equals its GET, in list order", async () => {
    const page = await selectUserPage(t.db.read, ctx, Prisma.sql`TRUE`, {
      offset: 0,
      limit: 100,
      withGroups: true,
      total: orgUsersSql(ctx.orgId),
    });
    const listed = JSON.parse(`[${page.resources}]`) as { id: string }[];
    expect(page).toMatchObject({ count: kinds.length, total: kinds.length });
    const byCreation = await t.db.prisma.user.findMany({
      where: { orgId: ctx.orgId },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select: { id: true },
    });
    expect(listed.map((r) => r.id)).toEqual(byCreation.map((u) => u.id));
    for (const r of listed) expect(r).toEqual((await both(r.id, true)).ts);
  });

  test("when a page is empty, then it still tells the total", async () => {
    const page = await selectUserPage(t.db.read, ctx, Prisma.sql`TRUE`, {
      offset: 50,
      limit: 10,
      withGroups: false,
      total: countUsersSql(ctx.orgId, Prisma.sql`TRUE`),
    });
    expect(page).toEqual({ resources: "", count: 0, total: kinds.length });
  });

  test("when a user is in groups, then they come ordered by name whatever their case, each with its $ref", async () => {
    const { sql } = await both(ids.escaped!, true);
    expect((sql as { groups: { display: string; $ref: string; value: string }[] }).groups).toEqual([
      expect.objectContaining({ display: "Alpha", type: "direct" }),
      expect.objectContaining({ display: "beta", type: "direct" }),
    ]);
  });

  test("when the full user is read, then nothing it was provisioned with is lost on the way", async () => {
    const { sql } = await both(ids.full!, false);
    expect(sql).toMatchObject({
      schemas: [USER, ENTERPRISE],
      nickName: "Fully",
      addresses: [expect.objectContaining({ locality: "Berlin" })],
      name: { middleName: "Middle", honorificPrefix: "Dr." },
      [ENTERPRISE]: { employeeNumber: "42", department: "R&D" },
    });
    expect((sql as { emails: unknown[] }).emails).toHaveLength(3);
  });
});
