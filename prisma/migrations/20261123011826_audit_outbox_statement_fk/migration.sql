-- DropForeignKey
ALTER TABLE "audit_events" DROP CONSTRAINT "audit_events_org_id_fkey";

-- DropForeignKey
ALTER TABLE "outbox_events" DROP CONSTRAINT "outbox_events_org_id_fkey";

-- DropIndex
DROP INDEX "audit_events_seq_key";

-- What the two foreign keys above did, without their per-row cost (not expressible in
-- schema.prisma, so the drift check does not see it; see docs/decisions.md). A foreign key
-- checks every inserted row on its own (one SELECT ... FOR KEY SHARE of the organization per
-- row: ~0.25 s of a 50,000-user rule change); these triggers check each statement once,
-- over the rows it wrote: every org_id must name an organization, which stays locked
-- (FOR KEY SHARE, as the foreign key's check locks it) until the transaction ends, so a
-- concurrent deletion of it waits, and then finds the new events to delete.
CREATE FUNCTION "sso_bridge_events_org_exists"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  wanted uuid[];
  found int;
BEGIN
  SELECT array_agg(org_id) INTO wanted FROM (SELECT DISTINCT org_id FROM new_rows) AS d;
  IF wanted IS NULL THEN
    RETURN NULL;
  END IF;
  SELECT count(*) INTO found
    FROM (SELECT 1 FROM "organizations" WHERE "id" = ANY (wanted) FOR KEY SHARE) AS o;
  IF found < cardinality(wanted) THEN
    RAISE EXCEPTION 'insert or update on table "%" violates its organization check', TG_TABLE_NAME
      USING ERRCODE = 'foreign_key_violation',
        DETAIL = 'org_id does not name an organization.';
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "audit_events_org_inserted"
  AFTER INSERT ON "audit_events" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "sso_bridge_events_org_exists"();
CREATE TRIGGER "audit_events_org_updated"
  AFTER UPDATE ON "audit_events" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "sso_bridge_events_org_exists"();
CREATE TRIGGER "outbox_events_org_inserted"
  AFTER INSERT ON "outbox_events" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "sso_bridge_events_org_exists"();
CREATE TRIGGER "outbox_events_org_updated"
  AFTER UPDATE ON "outbox_events" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "sso_bridge_events_org_exists"();

-- ON DELETE CASCADE and ON UPDATE CASCADE of the dropped foreign keys: an organization's
-- events go (or follow its id) in the same statement. Deleting outbox events still cascades
-- to their webhook_deliveries through that table's own foreign key.
CREATE FUNCTION "sso_bridge_org_events_cascade"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM "audit_events" WHERE "org_id" = OLD."id";
    DELETE FROM "outbox_events" WHERE "org_id" = OLD."id";
  ELSIF NEW."id" IS DISTINCT FROM OLD."id" THEN
    UPDATE "audit_events" SET "org_id" = NEW."id" WHERE "org_id" = OLD."id";
    UPDATE "outbox_events" SET "org_id" = NEW."id" WHERE "org_id" = OLD."id";
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "organizations_events_cascade"
  AFTER DELETE OR UPDATE OF "id" ON "organizations"
  FOR EACH ROW EXECUTE FUNCTION "sso_bridge_org_events_cascade"();
