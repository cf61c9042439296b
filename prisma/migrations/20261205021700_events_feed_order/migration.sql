-- AlterTable
ALTER TABLE "outbox_events" ADD COLUMN     "txid" xid8 NOT NULL DEFAULT pg_current_xact_id();

-- CreateIndex
CREATE INDEX "outbox_events_org_id_txid_id_idx" ON "outbox_events"("org_id", "txid", "id");

-- Audit rows are append-only (not expressible in schema.prisma, like the triggers of migration
-- audit_outbox_statement_fk): nothing updates or deletes one, except the cascade that deletes an
-- organization's events with it or follows a change of its id (sso_bridge_org_events_cascade),
-- which runs inside the organizations trigger, one trigger level down.
CREATE FUNCTION "sso_bridge_audit_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_LEVEL = 'ROW' AND pg_trigger_depth() > 1 THEN
    IF TG_OP = 'DELETE' THEN
      RETURN OLD;
    END IF;
    RETURN NEW;
  END IF;
  -- SQLSTATE P0001, not restrict_violation: Prisma's pg adapter reports 23001 as a foreign-key
  -- violation and drops this message.
  RAISE EXCEPTION 'audit events are append-only: % on "audit_events" refused', TG_OP
    USING HINT = 'Only deleting an organization removes its audit events.';
END
$$;

CREATE TRIGGER "audit_events_append_only"
  BEFORE UPDATE OR DELETE ON "audit_events"
  FOR EACH ROW EXECUTE FUNCTION "sso_bridge_audit_append_only"();
CREATE TRIGGER "audit_events_no_truncate"
  BEFORE TRUNCATE ON "audit_events"
  FOR EACH STATEMENT EXECUTE FUNCTION "sso_bridge_audit_append_only"();
