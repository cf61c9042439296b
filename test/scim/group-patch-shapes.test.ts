// One row per Group PATCH shape (Okta Group Push, Entra member batches, RFC 7644 3.5.2), each
// on a fresh group holding members A and B, through HTTP: the members and name afterwards.
// Also a batch of hundreds of members in one PATCH, applied as one change with one event.
import { createTestApp, type TestApp } from "../support/app";
import { GROUP, newUser, patchBody, scimClient, type ScimClient } from "./scim-client";

let t: TestApp;
let c: ScimClient;
const u: Record<"A" | "B" | "C" | "D", string> = { A: "", B: "", C: "", D: "" };
let n = 0;

beforeAll(async () => {
  t = await createTestApp();
  c = await scimClient(t);
  for (const k of Object.keys(u) as (keyof typeof u)[]) {
    u[k] = (await c.post("/Users", newUser(`member-${k.toLowerCase()}@acme.test`)).expect(201)).body.id;
  }
});
afterAll(() => t.close());

const freshGroup = async () => {
  n += 1;
  const res = await c
    .post("/Groups", {
      schemas: [GROUP],
      displayName: `Team ${n}`,
      members: [{ value: u.A }, { value: u.B }],
    })
    .expect(201);
  return res.body.id as string;
};

const membersOf = async (id: string) => {
  const res = await c.get(`/Groups/${id}`).expect(200);
  const byId = Object.fromEntries(Object.entries(u).map(([k, v]) => [v, k]));
  return {
    displayName: res.body.displayName as string,
    externalId: res.body.externalId as string | undefined,
    members: ((res.body.members ?? []) as { value: string }[]).map((m) => byId[m.value]).sort(),
  };
};

type Row = [title: string, ops: () => unknown[], members: string[], name?: (n: number) => string];

const rows: Row[] = [
  [
    "add members (Okta)",
    () => [{ op: "add", path: "members", value: [{ value: u.C, display: "c" }] }],
    ["A", "B", "C"],
  ],
  [
    "Add members, capitalised (Entra)",
    () => [{ op: "Add", path: "members", value: [{ value: u.C }, { value: u.D }] }],
    ["A", "B", "C", "D"],
  ],
  ["add a member already there", () => [{ op: "add", path: "members", value: [{ value: u.A }] }], ["A", "B"]],
  [
    'remove members[value eq "B"] (Okta)',
    () => [{ op: "remove", path: `members[value eq "${u.B}"]` }],
    ["A"],
  ],
  [
    "remove members[value eq A or value eq B]",
    () => [{ op: "remove", path: `members[value eq "${u.A}" or value eq "${u.B}"]` }],
    [],
  ],
  [
    "Remove members with a value list (Entra pre-2020)",
    () => [{ op: "Remove", path: "members", value: [{ value: u.A }] }],
    ["B"],
  ],
  ["remove members without a value removes all", () => [{ op: "remove", path: "members" }], []],
  [
    "replace members sets exactly those",
    () => [{ op: "replace", path: "members", value: [{ value: u.C }] }],
    ["C"],
  ],
  ["no-path replace with members", () => [{ op: "replace", value: { members: [{ value: u.D }] } }], ["D"]],
  ["no-path add with members", () => [{ op: "add", value: { members: [{ value: u.D }] } }], ["A", "B", "D"]],
  [
    "remove all, then add one",
    () => [
      { op: "remove", path: "members" },
      { op: "add", path: "members", value: [{ value: u.C }] },
    ],
    ["C"],
  ],
  [
    "add then remove the same member",
    () => [
      { op: "add", path: "members", value: [{ value: u.C }] },
      { op: "remove", path: `members[value eq "${u.C}"]` },
    ],
    ["A", "B"],
  ],
  [
    "no-path replace renames (Okta)",
    () => [{ op: "replace", value: { id: "ignored", displayName: `Renamed ${n}` } }],
    ["A", "B"],
    (k) => `Renamed ${k}`,
  ],
  [
    "Replace displayName path renames (Entra)",
    () => [{ op: "Replace", path: "displayName", value: `Renamed ${n}` }],
    ["A", "B"],
    (k) => `Renamed ${k}`,
  ],
  [
    "replace an unknown attribute is ignored",
    () => [{ op: "replace", path: "colour", value: "teal" }],
    ["A", "B"],
    (k) => `Team ${k}`,
  ],
];

describe("PATCH /Groups shapes", () => {
  const table = rows.map(([title, ops, members, name]) => [title, ops, members, name ?? null] as const);
  test.each(table)(
    "when a group PATCH does: %s, then the members are as expected",
    async (_t, ops, members, name) => {
      const id = await freshGroup();
      const k = n;
      await c.patch(`/Groups/${id}`, patchBody(...ops())).expect(204);
      const after = await membersOf(id);
      expect(after.members).toEqual(members);
      if (name) expect(after.displayName).toBe(name(k));
    },
  );

  test("when externalId is replaced, then the group carries it", async () => {
    const id = await freshGroup();
    await c
      .patch(`/Groups/${id}`, patchBody({ op: "replace", path: "externalId", value: "entra-object-1" }))
      .expect(204);
    expect((await membersOf(id)).externalId).toBe("entra-object-1");
  });

  const bad: [string, () => unknown[], number, string][] = [
    [
      "an unknown member id",
      () => [{ op: "add", path: "members", value: [{ value: "3b7c1c9e-5a43-4d0a-9a51-0d2b7a1f0c11" }] }],
      400,
      "invalidValue",
    ],
    ["a filter on display", () => [{ op: "remove", path: 'members[display eq "x"]' }], 400, "invalidFilter"],
    ["removing displayName", () => [{ op: "remove", path: "displayName" }], 400, "invalidValue"],
    [
      "a member without a value",
      () => [{ op: "add", path: "members", value: [{ display: "x" }] }],
      400,
      "invalidValue",
    ],
  ];

  test.each(bad)(
    "when a group PATCH sends %s, then %d %s and nothing changes",
    async (_t, ops, status, scimType) => {
      const id = await freshGroup();
      const res = await c.patch(`/Groups/${id}`, patchBody(...ops())).expect(status);
      expect(res.body.scimType).toBe(scimType);
      expect((await membersOf(id)).members).toEqual(["A", "B"]);
    },
  );

  test("when an add mixes users with ids that are no user of the org, then 400 names only the unknown ones", async () => {
    const id = await freshGroup();
    const stranger = "3b7c1c9e-5a43-4d0a-9a51-0d2b7a1f0c12";
    const res = await c
      .patch(
        `/Groups/${id}`,
        patchBody({ op: "add", path: "members", value: [{ value: u.C }, { value: stranger.toUpperCase() }] }),
      )
      .expect(400);
    expect(res.body.detail.toLowerCase()).toContain(stranger);
    expect(res.body.detail).not.toContain(u.C);
    expect((await membersOf(id)).members).toEqual(["A", "B"]);
  });

  test("when one PATCH adds 300 members and another removes 150, then both land with one event each", async () => {
    const ids: string[] = [];
    const rowsToCreate = Array.from({ length: 300 }, (_, i) => `bulk${i}@acme.test`);
    ids.push(...(await t.given.users(c.org, rowsToCreate)));
    const id = await freshGroup();
    await c
      .patch(
        `/Groups/${id}`,
        patchBody({ op: "Add", path: "members", value: ids.map((value) => ({ value })) }),
      )
      .expect(204);
    await c
      .patch(
        `/Groups/${id}`,
        patchBody({ op: "Remove", path: "members", value: ids.slice(0, 150).map((value) => ({ value })) }),
      )
      .expect(204);
    expect(await t.db.prisma.groupMembership.count({ where: { groupId: id } })).toBe(2 + 150);
    const events = await t.db.prisma.outboxEvent.findMany({
      where: { subjectId: id, type: { in: ["group.created", "group.updated"] } },
      orderBy: { id: "asc" },
    });
    expect(events.map((e) => e.type)).toEqual(["group.created", "group.updated", "group.updated"]);
    expect((events[1]!.payload as { membersAdded: string[] }).membersAdded).toHaveLength(300);
    expect((events[2]!.payload as { memberCount: number }).memberCount).toBe(2 + 150);
  });
});
