-- Tell every process that caches verified SCIM tokens when what it cached may have changed
-- (src/credentials/verified-cache.ts; not expressible in schema.prisma, so the drift check
-- does not see it). A cached entry is a token's row joined to its organization's row, so:
-- a token revoked, re-keyed, renamed, moved or deleted, and any change to an organization.
-- last_used_at is left out on purpose: it is refreshed once a minute and cached by nobody.
-- Statement-level: one notification per statement, however many rows it touched; pg_notify
-- is delivered at commit and dropped on rollback.
CREATE FUNCTION "sso_bridge_credentials_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('sso_bridge_credentials', TG_TABLE_NAME);
  RETURN NULL;
END
$$;

CREATE TRIGGER "scim_tokens_changed"
  AFTER UPDATE OF "revoked_at", "secret_hash", "name", "org_id", "id" OR DELETE ON "scim_tokens"
  FOR EACH STATEMENT EXECUTE FUNCTION "sso_bridge_credentials_changed"();

CREATE TRIGGER "organizations_changed"
  AFTER UPDATE OR DELETE ON "organizations"
  FOR EACH STATEMENT EXECUTE FUNCTION "sso_bridge_credentials_changed"();
