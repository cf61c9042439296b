// Issue 13 item 6: userName is unique after Unicode NFKC normalisation and case folding, with
// default-ignorable code points dropped: "ＡLICE@…" (full-width), "al<ZWJ>ice@…" and "alice@…"
// were three users. They collide (409 uniqueness), and `userName eq` with any of the forms finds
// the one user. Non-ASCII letters fold the same in JavaScript and in the stored column.
import { Prisma } from "../../src/generated/prisma/client";
import { fold } from "../../src/shared/fold";
import { createTestApp, type TestApp } from "../support/app";
import { newUser, scimClient, type ScimClient } from "./scim-client";

let t: TestApp;
let c: ScimClient;
beforeAll(async () => {
  t = await createTestApp();
  c = await scimClient(t);
});
afterAll(() => t.close());

const byUserName = (userName: string) =>
  c.get(`/Users?filter=${encodeURIComponent(`userName eq ${JSON.stringify(userName)}`)}`).expect(200);

describe("userName uniqueness after NFKC and case folding", () => {
  test("when ＡLICE (full-width), al<ZWJ>ice and alice are created, then the last two collide (409 uniqueness) and userName eq with any form finds the one user", async () => {
    const first = await c.post("/Users", newUser("\uFF21LICE@fold.test")).expect(201);
    for (const lookalike of [
      "al\u200Dice@fold.test",
      "alice@fold.test",
      "ali\u00ADce@FOLD.test",
      "\uFEFFalice@fold.test",
    ]) {
      const res = await c
        .post("/Users", { ...newUser(lookalike), emails: [{ value: "alice@fold.test" }] })
        .expect(409);
      expect(res.body.scimType).toBe("uniqueness");
    }
    for (const form of [
      "\uFF21LICE@fold.test",
      "al\u200Dice@fold.test",
      "ALICE@FOLD.TEST",
      "a\u200Blice@fold.test",
    ]) {
      const found = await byUserName(form);
      expect({ form, total: found.body.totalResults, id: found.body.Resources[0]?.id }).toEqual({
        form,
        total: 1,
        id: first.body.id,
      });
    }
  });

  test("when userNames hold Turkish İ, German ß and Greek Σ, then the stored keys equal fold() and the database's sso_bridge_fold, and other spellings of each find it", async () => {
    const cases = [
      { userName: "İpek@fold.test", other: "i\u0307PEK@fold.test" },
      { userName: "Straße@fold.test", other: "STRASSE@fold.test" },
      { userName: "ΟΔΥΣΣΕΥΣ@fold.test", other: "οδυσσευς@fold.test" },
    ];
    for (const { userName, other } of cases) {
      const id = (await c.post("/Users", newUser(userName)).expect(201)).body.id as string;
      const [row] = await t.db.prisma.$queryRaw<
        { user_name_lower: string; email_lower: string; sql: string; sql_email: string }[]
      >(
        Prisma.sql`SELECT user_name_lower, email_lower, sso_bridge_fold(user_name) AS sql, sso_bridge_fold(email) AS sql_email
          FROM users WHERE id = ${id}::uuid`,
      );
      expect(row).toEqual({
        user_name_lower: fold(userName),
        email_lower: fold(userName),
        sql: fold(userName),
        sql_email: fold(userName),
      });
      expect(fold(other)).toBe(fold(userName));
      expect((await byUserName(other)).body.Resources.map((r: { id: string }) => r.id)).toEqual([id]);
      await c.post("/Users", newUser(other)).expect(409);
    }
  });
});
