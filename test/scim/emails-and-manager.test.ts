// Issue 13 item 7: an emails value that is not an address is stored as the directory sent it
// (RFC 7643 says SHOULD), but never becomes the user's email, the one sign-in and mail use.
// Issue 14 item 11: the enterprise manager.value must be the id of a User of the same
// organization; anything else would build a $ref pointing elsewhere.
import { createTestApp, type TestApp } from "../support/app";
import { ENTERPRISE, PATCH_OP, USER, newUser, patchBody, scimClient, type ScimClient } from "./scim-client";

let t: TestApp;
let c: ScimClient;
beforeAll(async () => {
  t = await createTestApp();
  c = await scimClient(t);
});
afterAll(() => t.close());

const row = (id: string) => t.db.prisma.user.findUniqueOrThrow({ where: { id } });

describe("emails values that are not addresses", () => {
  test("when emails holds a non-address, then it is stored and read back, and the user's email is an address", async () => {
    const body = newUser("ann", {
      emails: [
        { value: "ann (at) acme", type: "work", primary: true },
        { value: "ann@acme.test", type: "home" },
      ],
    });
    const res = await c.post("/Users", body).expect(201);
    expect(res.body.emails).toEqual([
      { value: "ann (at) acme", type: "work", primary: true },
      { value: "ann@acme.test", type: "home", primary: false },
    ]);
    expect((await row(res.body.id)).email).toBe("ann@acme.test");
    const read = await c.get(`/Users/${res.body.id}`).expect(200);
    expect(read.body.emails[0].value).toBe("ann (at) acme");
  });

  test("when the only emails value is not an address, then the userName that is one is the user's email", async () => {
    const res = await c.post(
      "/Users",
      newUser("bo@acme.test", { emails: [{ value: "x400:bo", primary: true }] }),
    );
    expect(res.status).toBe(201);
    expect((await row(res.body.id)).email).toBe("bo@acme.test");
  });

  test("when neither emails nor userName holds an address, then 400 invalidValue asking for one", async () => {
    const res = await c.post(
      "/Users",
      newUser("cy", { emails: [{ value: "not-an-address", primary: true }] }),
    );
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      scimType: "invalidValue",
      detail: expect.stringContaining("email address"),
    });
  });

  test("when a PATCH replaces the only email with a non-address, then the userName, an address, is the user's email", async () => {
    const id = (await c.post("/Users", newUser("di@acme.test")).expect(201)).body.id;
    await c
      .patch(
        `/Users/${id}`,
        patchBody({ op: "replace", path: 'emails[type eq "work"].value', value: "di at acme" }),
      )
      .expect(200);
    expect((await row(id)).email).toBe("di@acme.test");
    const found = await c
      .get(`/Users?filter=${encodeURIComponent('emails.value eq "di at acme"')}`)
      .expect(200);
    expect(found.body.Resources.map((r: { id: string }) => r.id)).toEqual([id]);
  });
});

describe("the enterprise manager.value", () => {
  const withManager = (userName: string, value: string) =>
    newUser(userName, { schemas: [USER, ENTERPRISE], [ENTERPRISE]: { manager: { value } } });

  test("when manager.value is not a user id, then 400 invalidValue and no $ref is ever built from it", async () => {
    for (const value of ["../../Users/x", "x", "https://evil.test/"]) {
      const res = await c.post("/Users", withManager(`m-${value.length}@acme.test`, value)).expect(400);
      expect(res.body).toMatchObject({
        scimType: "invalidValue",
        detail: expect.stringContaining("manager.value"),
      });
    }
    const id = (await c.post("/Users", newUser("em@acme.test")).expect(201)).body.id;
    const patched = await c.patch(`/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "Add", path: `${ENTERPRISE}:manager`, value: "../../Users/x" }],
    });
    expect(patched.status).toBe(400);
    expect((await row(id)).managerId).toBeNull();
  });

  test("when manager.value is the id of a user of another organization or of nobody, then 400 invalidValue", async () => {
    const other = await scimClient(t);
    const foreign = (await other.post("/Users", newUser("boss@other.test")).expect(201)).body.id;
    for (const value of [foreign, "00000000-0000-4000-8000-000000000000"]) {
      const res = await c.post("/Users", withManager("fo@acme.test", value)).expect(400);
      expect(res.body.scimType).toBe("invalidValue");
    }
    const id = (await c.post("/Users", newUser("fo@acme.test")).expect(201)).body.id;
    await c.put(`/Users/${id}`, withManager("fo@acme.test", foreign)).expect(400);
    expect((await row(id)).managerId).toBeNull();
  });

  test("when manager.value is the id of a user of the same organization, then it is stored with its $ref", async () => {
    const boss = (await c.post("/Users", newUser("big@acme.test")).expect(201)).body.id;
    const res = await c.post("/Users", withManager("small@acme.test", boss.toUpperCase())).expect(201);
    expect(res.body[ENTERPRISE].manager).toEqual({
      value: boss,
      $ref: `http://sso.test${c.base}/Users/${boss}`,
    });
  });
});
