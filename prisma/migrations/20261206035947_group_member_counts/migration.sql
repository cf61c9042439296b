-- CreateTable
CREATE TABLE "group_member_counts" (
    "group_id" UUID NOT NULL,
    "slot" SMALLINT NOT NULL,
    "members" INTEGER NOT NULL,

    CONSTRAINT "group_member_counts_pkey" PRIMARY KEY ("group_id","slot")
);

-- Each group's member count, kept by the database whatever writes memberships (SCIM, invitations,
-- the cascades of a user's, group's or organization's DELETE): statement triggers, as
-- org_user_counts is kept, each connection adding to a slot of its own (pg_backend_pid() % 64), so
-- the sum of a group's slots is exactly its memberships in any snapshot. Why not a column on
-- groups: a user's DELETE would then update the row of each of its groups, so concurrent DELETEs of
-- members of one group would wait on each other's commits, and it would take the group after the
-- user, where a member batch takes the group first (a deadlock). Why no foreign key to groups: its
-- check would share-lock the group row, which a member batch holds FOR UPDATE while it waits for
-- its users (docs/decisions.md).
CREATE FUNCTION "sso_bridge_count_members"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- In group order: a user's DELETE changes the counts of all its groups in one statement, and
  -- two connections sharing a slot then take those rows in one order.
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO "group_member_counts" AS c ("group_id", "slot", "members")
      SELECT n."group_id", pg_backend_pid() % 64, count(*) FROM new_rows AS n
      GROUP BY n."group_id" ORDER BY n."group_id"
      ON CONFLICT ("group_id", "slot") DO UPDATE SET "members" = c."members" + excluded."members";
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    -- Memberships deleted with their group need no count: the group's rows go with it (below).
    INSERT INTO "group_member_counts" AS c ("group_id", "slot", "members")
      SELECT o."group_id", pg_backend_pid() % 64, -count(*) FROM old_rows AS o
      WHERE EXISTS (SELECT 1 FROM "groups" WHERE "id" = o."group_id")
      GROUP BY o."group_id" ORDER BY o."group_id"
      ON CONFLICT ("group_id", "slot") DO UPDATE SET "members" = c."members" + excluded."members";
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "group_memberships_counted_inserted"
  AFTER INSERT ON "group_memberships" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "sso_bridge_count_members"();
CREATE TRIGGER "group_memberships_counted_deleted"
  AFTER DELETE ON "group_memberships" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "sso_bridge_count_members"();
CREATE TRIGGER "group_memberships_counted_updated"
  AFTER UPDATE ON "group_memberships" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "sso_bridge_count_members"();

-- A deleted group's counts go with it. A statement trigger fires after the row triggers that
-- cascade the DELETE to its memberships, and its DELETE reads with a snapshot of its own, so it
-- also removes a slot that a user's DELETE, whose membership the cascade waited for, committed.
CREATE FUNCTION "sso_bridge_group_counts_deleted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "group_member_counts" WHERE "group_id" IN (SELECT o."id" FROM old_rows AS o);
  RETURN NULL;
END
$$;

CREATE TRIGGER "groups_counts_deleted"
  AFTER DELETE ON "groups" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "sso_bridge_group_counts_deleted"();

-- The memberships there already.
INSERT INTO "group_member_counts" ("group_id", "slot", "members")
  SELECT "group_id", 0, count(*) FROM "group_memberships" GROUP BY "group_id";
