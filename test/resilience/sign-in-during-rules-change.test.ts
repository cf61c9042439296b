// A sign-in while a rules change recomputes the organization: the rules change holds the
// organization row (exclusive) and then updates every user; the sign-in must not hold its user
// while it waits for the organization, or each waits for the other (PostgreSQL 40P01, one of the
// two fails). Here the test's own transaction plays the rules change: it takes the organization
// as recomputeOrgRoles does, waits until the sign-in waits, then updates the signing-in user's
// row. PostgreSQL only: PGlite's one connection runs the two one after the other.
import type { RawConnection } from "../../src/db/raw";
import { createTestApp, type TestApp } from "../support/app";
import { backendsWaitingOnLock, testDbKind, untilWaiting } from "../support/db";
import { startSamlIdps, type SamlIdpPool } from "../support/saml-idp";
import { postAcs, samlOrg, startLogin } from "../sso/saml/saml-flow";

const onPostgres = testDbKind() === "postgres" ? describe : describe.skip;

onPostgres("a sign-in during a rules change", () => {
  let t: TestApp;
  let pool: SamlIdpPool;
  beforeAll(async () => {
    t = await createTestApp();
    pool = startSamlIdps();
  });
  afterAll(async () => {
    await pool.close();
    await t.close();
  });

  test("when a user signs in while the organization is held by a rules change that then updates that user, then both complete: the sign-in waits before it touches the user", async () => {
    const idp = pool.create("https://idp.test/rules-change");
    const s = await samlOrg(t, idp);
    const signIn = async () => {
      const started = await startLogin(t, s.org);
      const xml = await idp.respond({
        destination: s.acsUrl,
        audience: s.spEntityId,
        inResponseTo: started.id,
        nameId: "sally@acme.test",
        attributes: { groups: ["Admins"] },
      });
      return postAcs(t, s.org, xml);
    };
    // The first sign-in creates the user; the second, measured, updates it.
    expect((await signIn()).status).toBe(302);
    const user = await t.db.prisma.user.findFirstOrThrow({ where: { orgId: s.org.id } });

    const rulesChange: RawConnection = await t.db.raw();
    const watcher: RawConnection = await t.db.raw();
    try {
      await rulesChange.exec("BEGIN");
      await rulesChange.query("SELECT id FROM organizations WHERE id = $1 FOR NO KEY UPDATE", [s.org.id]);
      const second = signIn();
      await untilWaiting(watcher, 1);
      expect(await backendsWaitingOnLock(watcher)).toBe(1);
      // What the whole-org recompute's UPDATE does to every user, this one included.
      const updated = await rulesChange
        .query("UPDATE users SET updated_at = now() WHERE id = $1 RETURNING id", [user.id])
        .then(
          (rows) => rows.length,
          (e: { code?: string }) => `failed: ${e.code}`,
        );
      await rulesChange.exec(updated === 1 ? "COMMIT" : "ROLLBACK");
      expect(updated).toBe(1);
      const answer = await second;
      expect(answer.status).toBe(302);
      expect(await t.db.prisma.session.count({ where: { userId: user.id } })).toBe(2);
    } finally {
      await rulesChange.release();
      await watcher.release();
    }
  });
});
