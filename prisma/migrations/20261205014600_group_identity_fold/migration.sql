-- Group keys become the identity fold of src/shared/fold.ts, as users' did (identity_fold):
-- groups.display_name_lower and role_mapping_rules.group_lower of existing rows are recomputed
-- with sso_bridge_fold, so that a rule, a SCIM group and a sign-in value that a person cannot
-- tell apart ("STRASSE" and "Straße") match on both databases whatever their collation.
-- No schema change (the drift check sees none).
--
-- Groups whose names collide once folded are all kept: the oldest gets the key, every later one
-- a key of its own (the fold, " #", its id) that no lookup produces, and an audit event
-- group.identity_collision names it, so that an administrator can rename or remove it.
CREATE TEMPORARY TABLE "group_fold_keys" ON COMMIT DROP AS
  SELECT k.*,
    row_number() OVER (PARTITION BY k.org_id, k.name_key ORDER BY k.created_at, k.id) AS name_rank
  FROM (
    SELECT "id", "org_id", "created_at", "display_name", sso_bridge_fold("display_name") AS name_key
    FROM "groups"
  ) k;

-- Without the unique index while keys move (two rows may swap keys in one statement).
DROP INDEX "groups_org_display_name_key";

UPDATE "groups" g SET
  "display_name_lower" = CASE WHEN k.name_rank = 1 THEN k.name_key ELSE k.name_key || ' #' || g."id" END
FROM "group_fold_keys" k
WHERE k."id" = g."id"
  AND g."display_name_lower" IS DISTINCT FROM
    (CASE WHEN k.name_rank = 1 THEN k.name_key ELSE k.name_key || ' #' || g."id" END);

INSERT INTO "audit_events" ("id", "org_id", "actor_type", "actor_name", "action", "target_type", "target_id", "data")
SELECT gen_random_uuid(), k."org_id", 'system', 'migration group_identity_fold', 'group.identity_collision', 'group',
  k."id"::text, jsonb_build_object('displayName', k."display_name", 'collides', 'displayName')
FROM "group_fold_keys" k
WHERE k.name_rank > 1
ORDER BY k."org_id", k."created_at", k."id";

CREATE UNIQUE INDEX "groups_org_display_name_key" ON "groups"("org_id", "display_name_lower");

UPDATE "role_mapping_rules" SET "group_lower" = sso_bridge_fold("group")
WHERE "group_lower" IS DISTINCT FROM sso_bridge_fold("group");
