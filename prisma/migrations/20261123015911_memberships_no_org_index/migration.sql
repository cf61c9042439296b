-- Every query of group_memberships also names a group (the primary key's first column) or a
-- user (its own index); an index on org_id alone only tempted the planner, on stale statistics,
-- into reading all of an organization's memberships to change 100 (docs/decisions.md). One
-- index fewer to maintain per inserted membership, too.

-- DropIndex
DROP INDEX "group_memberships_org_id_idx";
