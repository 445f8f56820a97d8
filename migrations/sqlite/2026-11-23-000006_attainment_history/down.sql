DROP INDEX unions_parent_cluster_idx;
ALTER TABLE quotas DROP COLUMN member_basis;
DROP TABLE union_activity;
