-- DropIndex
DROP INDEX "users_org_id_role_idx";

-- Leave half of every users page free (not expressible in schema.prisma, so the drift check
-- does not see it). A role recompute changes role, role_source and updated_at, none of them
-- indexed since the index above is gone, so PostgreSQL can store the new row versions as HOT
-- updates (no insertion into any of the table's indexes) -- but only when the new version fits
-- on the same page. A whole-org recompute can rewrite every row of a page, so a page needs
-- room for as many rows again: 50. Applies to pages written from now on; existing pages get it
-- after `VACUUM FULL users` or pg_repack (optional, see docs/operations.md).
ALTER TABLE "users" SET (fillfactor = 50);
