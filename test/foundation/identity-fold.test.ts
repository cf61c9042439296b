// The identity keys' migrations on data (users_shared_emails, identity_fold): every row is kept,
// keys become the fold, colliding rows keep keys of their own and are audited, and emails stay
// unique among password users only. And sso_bridge_fold, the fold's SQL twin that recomputed the
// keys, equals fold() in JavaScript on every character it could change.
import { randomUUID } from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import { migrate, readMigrations } from "../../src/db/migrate";
import { connectPg, pgliteConnection, type RawConnection } from "../../src/db/raw";
import { fold, foldChar } from "../../src/shared/fold";
import { createEmptyPostgresDatabase, testDbKind } from "../support/db";

let conn: RawConnection;
let dispose: () => Promise<void>;
beforeAll(async () => {
  if (testDbKind() === "pglite") {
    const lite = new PGlite();
    conn = pgliteConnection(lite);
    dispose = () => lite.close();
  } else {
    const db = await createEmptyPostgresDatabase();
    conn = await connectPg(db.url);
    dispose = async () => {
      await conn.release();
      await db.drop();
    };
  }
});
afterAll(() => dispose());

const all = readMigrations();
const before = all.filter((m) => m.name < "20261204222406_users_shared_emails");

test("when users that collide once folded exist before the migrations, then every row is kept, the oldest gets the key, the others keys of their own with an audit event, and SCIM users may then share emails", async () => {
  await migrate(conn, before);
  const org = randomUUID();
  await conn.query(
    `INSERT INTO organizations (id, slug, name, updated_at) VALUES ($1, 'fold-org', 'Fold', now())`,
    [org],
  );
  // As the old code wrote them: keys lower-cased with toLowerCase, emails unique.
  const rows = [
    { userName: "\uFF21LICE@acme.test", by: "scim", password: false },
    { userName: "alice@acme.test", by: "scim", password: false },
    { userName: "Straße@acme.test", by: "invite", password: true },
    { userName: "STRASSE@acme.test", by: "invite", password: true },
    { userName: "İpek@acme.test", by: "sso", password: false },
    { userName: "plain@acme.test", by: "invite", password: false },
  ].map((r, i) => ({ ...r, id: randomUUID(), at: new Date(Date.UTC(2026, 0, 1 + i)) }));
  for (const r of rows)
    await conn.query(
      `INSERT INTO users (id, org_id, email, email_lower, user_name, user_name_lower, provisioned_by, password_hash, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $3, $4, $5::"ProvisionedBy", $6, $7, now())`,
      [r.id, org, r.userName, r.userName.toLowerCase(), r.by, r.password ? "scrypt$x" : null, r.at],
    );
  await conn.query(
    `INSERT INTO user_emails (id, org_id, user_id, value, value_lower) VALUES ($1, $2, $3, 'Straße@acme.test', 'straße@acme.test')`,
    [randomUUID(), org, rows[2]!.id],
  );

  await migrate(conn, all);

  const after = await conn.query<{ id: string; user_name_lower: string; email_lower: string }>(
    `SELECT id, user_name_lower, email_lower FROM users WHERE org_id = $1`,
    [org],
  );
  expect(after).toHaveLength(rows.length);
  const key = (id: string) => after.find((r) => r.id === id)!;
  const [fullWidth, alice, strasse1, strasse2, ipek, plain] = rows.map((r) => r) as [
    (typeof rows)[number],
    (typeof rows)[number],
    (typeof rows)[number],
    (typeof rows)[number],
    (typeof rows)[number],
    (typeof rows)[number],
  ];
  expect(key(fullWidth.id)).toEqual({
    id: fullWidth.id,
    user_name_lower: "alice@acme.test",
    email_lower: "alice@acme.test",
  });
  expect(key(alice.id).user_name_lower).toBe(`alice@acme.test #${alice.id}`);
  // Not a password user: its email may be shared, so only its userName needed a key of its own.
  expect(key(alice.id).email_lower).toBe("alice@acme.test");
  expect(key(strasse1.id)).toMatchObject({
    user_name_lower: "strasse@acme.test",
    email_lower: "strasse@acme.test",
  });
  expect(key(strasse2.id)).toMatchObject({
    user_name_lower: `strasse@acme.test #${strasse2.id}`,
    email_lower: `strasse@acme.test #${strasse2.id}`,
  });
  expect(key(ipek.id).user_name_lower).toBe(fold("İpek@acme.test"));
  expect(key(plain.id).user_name_lower).toBe("plain@acme.test");
  const [email] = await conn.query<{ value_lower: string }>(
    `SELECT value_lower FROM user_emails WHERE org_id = $1`,
    [org],
  );
  expect(email!.value_lower).toBe("strasse@acme.test");
  const audit = await conn.query<{ target_id: string; data: { collides: string } }>(
    `SELECT target_id, data FROM audit_events WHERE org_id = $1 AND action = 'user.identity_collision' ORDER BY target_id`,
    [org],
  );
  expect(audit.map((a) => [a.target_id, a.data.collides]).sort()).toEqual(
    [
      [alice.id, "userName"],
      [strasse2.id, "userName"],
    ].sort(),
  );

  // SCIM users may now share an email; two password users still may not.
  const insert = (email: string, userName: string, by: string, password: string | null) =>
    conn.query(
      `INSERT INTO users (id, org_id, email, email_lower, user_name, user_name_lower, provisioned_by, password_hash, updated_at)
       VALUES ($1, $2, $3, $3, $4, $4, $5::"ProvisionedBy", $6, now())`,
      [randomUUID(), org, email, userName, by, password],
    );
  await insert("plain@acme.test", "svc-1", "scim", null);
  await insert("plain@acme.test", "svc-2", "scim", null);
  await expect(insert("plain@acme.test", "local-2", "invite", null)).rejects.toThrow(
    /users_org_password_email_key/,
  );
});

test("when sso_bridge_fold folds every character that NFKC, case folding or ignoring could change, and mixed strings, then it equals fold() in JavaScript", async () => {
  const chars: string[] = [];
  for (let c = 1; c <= 0x10ffff; c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue;
    const ch = String.fromCodePoint(c);
    if (ch.normalize("NFKC") !== ch || foldChar(ch) !== ch || fold(ch) !== ch) chars.push(ch);
  }
  expect(chars.length).toBeGreaterThan(5000);
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  const strings = Array.from({ length: 500 }, () =>
    Array.from({ length: 1 + (next() % 6) }, () =>
      next() % 3 === 0 ? "a\u0307" : chars[next() % chars.length],
    ).join(""),
  );
  const rows = await conn.query<{ x: string; f: string; nfkc: string }>(
    `SELECT x, sso_bridge_fold(x) AS f, normalize(x, NFKC) AS nfkc FROM unnest($1::text[]) AS x`,
    [[...chars, ...strings]],
  );
  // Characters newer than the database's Unicode tables normalise differently there: the fold is
  // compared where both normalise alike (the SQL fold's own tables are complete).
  const comparable = rows.filter((r) => r.nfkc === r.x.normalize("NFKC"));
  expect(comparable.length).toBeGreaterThan(rows.length * 0.95);
  const differ = comparable
    .filter((r) => r.f !== fold(r.x))
    .map((r) => [...r.x].map((c) => c.codePointAt(0)!.toString(16)));
  expect(differ).toEqual([]);
});

test("when a string is folded twice, then nothing changes the second time (the stored key is a fixed point)", () => {
  let seed = 11;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  for (let i = 0; i < 3000; i++) {
    const s = Array.from({ length: 1 + (next() % 8) }, () => String.fromCodePoint(next() % 0x2fff)).join("");
    expect(fold(fold(s))).toBe(fold(s));
  }
  expect([fold("ẞ"), fold("ß"), fold("SS")]).toEqual(["ss", "ss", "ss"]);
  expect(fold("ΟΔΟΣ")).toBe(fold("οδος"));
  expect(fold("İ")).toBe("i\u0307");
});
