-- CreateTable
CREATE TABLE "org_user_counts" (
    "org_id" UUID NOT NULL,
    "slot" SMALLINT NOT NULL,
    "users" INTEGER NOT NULL,

    CONSTRAINT "org_user_counts_pkey" PRIMARY KEY ("org_id","slot")
);

-- AddForeignKey
ALTER TABLE "org_user_counts" ADD CONSTRAINT "org_user_counts_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The count kept by the database itself, whatever inserts or deletes users (SCIM, invitations,
-- sign-in, the CLI): statement triggers, not expressible in schema.prisma (see
-- docs/decisions.md). Why slots: a create is one short statement, and one counter row per
-- organization would make every concurrent create wait for the previous one's commit; each
-- connection writes the slot of its backend (64 slots), and the sum is exact under MVCC
-- because a slot changes in the same transaction as the users it counts.
CREATE FUNCTION "sso_bridge_count_users"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "org_user_counts" AS c ("org_id", "slot", "users")
      SELECT n."org_id", pg_backend_pid() % 64, count(*) FROM new_rows AS n GROUP BY n."org_id"
      ON CONFLICT ("org_id", "slot") DO UPDATE SET "users" = c."users" + excluded."users";
  ELSE
    -- Users deleted with their organization need no count: its slots go with it (and adding
    -- a slot for an organization deleted in this transaction would fail its foreign key).
    INSERT INTO "org_user_counts" AS c ("org_id", "slot", "users")
      SELECT o."org_id", pg_backend_pid() % 64, -count(*) FROM old_rows AS o
      WHERE EXISTS (SELECT 1 FROM "organizations" WHERE "id" = o."org_id")
      GROUP BY o."org_id"
      ON CONFLICT ("org_id", "slot") DO UPDATE SET "users" = c."users" + excluded."users";
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "users_counted_inserted"
  AFTER INSERT ON "users" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "sso_bridge_count_users"();
CREATE TRIGGER "users_counted_deleted"
  AFTER DELETE ON "users" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "sso_bridge_count_users"();

-- A user never changes organization (no code path sets users.org_id after the insert, and
-- organization ids never change): refused, since the counts above would not follow.
CREATE FUNCTION "sso_bridge_user_org_fixed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'a user cannot change organization' USING ERRCODE = 'integrity_constraint_violation';
END
$$;

CREATE TRIGGER "users_org_fixed"
  BEFORE UPDATE OF "org_id" ON "users"
  FOR EACH ROW WHEN (OLD."org_id" IS DISTINCT FROM NEW."org_id")
  EXECUTE FUNCTION "sso_bridge_user_org_fixed"();

-- The users there already.
INSERT INTO "org_user_counts" ("org_id", "slot", "users")
  SELECT "org_id", 0, count(*) FROM "users" GROUP BY "org_id";
