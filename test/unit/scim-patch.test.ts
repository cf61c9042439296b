// PATCH application and body reading as pure functions: the document after each operation
// shape, and the SCIM error type of each malformed body.
import { applyPatch } from "../../src/scim/patch/apply";
import { readPatchBody } from "../../src/scim/patch/operations";
import { planGroupPatch } from "../../src/scim/groups/patch-plan";
import { USER_SCHEMAS } from "../../src/scim/schema/attributes";
import { canonicalize } from "../../src/scim/schema/canonical";

const ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const base = () => ({
  userName: "ann",
  active: true,
  name: { givenName: "Ann", familyName: "Lee" },
  emails: [{ value: "ann@x.test", type: "work", primary: true }],
  [ENT]: { department: "R&D" },
});
const patch = (...Operations: unknown[]) =>
  applyPatch(
    USER_SCHEMAS,
    base(),
    readPatchBody({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations }),
  );

describe("applyPatch", () => {
  test.each([
    [
      "Replace active with the string False",
      [{ op: "Replace", path: "active", value: "False" }],
      { active: false },
    ],
    [
      "no-path replace with dotted and URN keys",
      [{ op: "replace", value: { "Name.FamilyName": "Kim", [`${ENT}:division`]: "EU" } }],
      { name: { givenName: "Ann", familyName: "Kim" }, [ENT]: { department: "R&D", division: "EU" } },
    ],
    [
      "replace a value-path sub-attribute",
      [{ op: "replace", path: 'emails[type eq "work"].value', value: "new@x.test" }],
      { emails: [{ value: "new@x.test", type: "work", primary: true }] },
    ],
    [
      "add a value-path sub-attribute that matches nothing",
      [{ op: "add", path: 'emails[type eq "home"].value', value: "h@x.test" }],
      {
        emails: [
          { value: "ann@x.test", type: "work", primary: true },
          { type: "home", value: "h@x.test" },
        ],
      },
    ],
    [
      "remove with a value list",
      [{ op: "remove", path: "emails", value: [{ value: "ANN@x.test" }] }],
      { emails: [] },
    ],
    [
      "manager as a bare id",
      [{ op: "Add", path: `${ENT}:manager`, value: "m-1" }],
      { [ENT]: { department: "R&D", manager: { value: "m-1" } } },
    ],
    ["remove an extension attribute", [{ op: "remove", path: `${ENT}:department` }], { [ENT]: {} }],
  ])("when the PATCH does: %s, then the document shows it", (_title, ops, expected) => {
    expect(patch(...ops)).toMatchObject(expected);
  });

  test("when a PATCH is applied, then the input document is left untouched", () => {
    const doc = base();
    applyPatch(
      USER_SCHEMAS,
      doc,
      readPatchBody({ Operations: [{ op: "replace", path: "active", value: false }] }),
    );
    expect(doc.active).toBe(true);
  });

  test("when a replace with a value filter matches nothing and is not made of eq, then noTarget", () => {
    expect(() => patch({ op: "replace", path: 'emails[value co "zzz"].type', value: "x" })).toThrow(
      expect.objectContaining({ scimType: "noTarget" }),
    );
  });
});

describe("readPatchBody", () => {
  test.each([
    [{ Operations: [] }, "invalidSyntax"],
    [{ schemas: ["urn:wrong"], Operations: [{ op: "add", path: "a", value: 1 }] }, "invalidSyntax"],
    [{ Operations: [{ op: "copy", path: "a" }] }, "invalidSyntax"],
    [{ Operations: [{ op: "remove" }] }, "noTarget"],
    [{ Operations: [{ op: "add", value: [1] }] }, "invalidSyntax"],
  ])("when the body is %j, then 400 %s", (body, scimType) => {
    expect(() => readPatchBody(body)).toThrow(expect.objectContaining({ scimType }));
  });
});

describe("planGroupPatch", () => {
  const ops = (...Operations: unknown[]) => planGroupPatch(readPatchBody({ Operations }));
  test("when members are added, removed, reset and re-added in one PATCH, then the plan keeps their order", () => {
    const plan = ops(
      { op: "add", path: "members", value: [{ value: "A" }, { value: "B" }] },
      { op: "remove", path: 'members[value eq "a"]' },
      { op: "Remove", path: "members", value: [{ value: "c" }] },
    );
    expect({ reset: plan.reset, add: [...plan.add], remove: [...plan.remove].sort() }).toEqual({
      reset: false,
      add: ["b"],
      remove: ["a", "c"],
    });
    const reset = ops(
      { op: "remove", path: "members" },
      { op: "add", path: "members", value: [{ value: "d" }] },
    );
    expect({ reset: reset.reset, add: [...reset.add] }).toEqual({ reset: true, add: ["d"] });
  });
});

describe("canonicalize", () => {
  test("when a body mixes letter cases, read-only, unknown and password attributes, then only known writable ones stay", () => {
    const doc = canonicalize(USER_SCHEMAS, {
      USERNAME: "ann",
      id: "client-chosen",
      meta: { created: "x" },
      groups: [{ value: "g" }],
      password: "secret",
      shoeSize: 44,
      Emails: { value: "a@x.test" },
      [ENT]: { Department: "Ops", bogus: 1 },
    });
    expect(doc).toEqual({ userName: "ann", emails: [{ value: "a@x.test" }], [ENT]: { department: "Ops" } });
  });
});
