-- What the dashboards draw over time and by field: per program, phase (0: none), union
-- subtree, field (0: none) and day (Vietnam time), how many initiatives were submitted and
-- the net number approved that day (an approval later revoked or marked duplicate counts -1
-- on that later day). Kept with union_counts by every status transition (src/db/counts.rs);
-- rebuilt by `sangkien recount`, which dates each approval on its decision day.
CREATE TABLE union_activity (
    program_id BIGINT NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    union_id BIGINT NOT NULL REFERENCES unions (id) ON DELETE CASCADE,
    phase_id BIGINT NOT NULL DEFAULT 0,
    field_id BIGINT NOT NULL DEFAULT 0,
    day DATE NOT NULL,
    submitted INTEGER NOT NULL DEFAULT 0,
    approved INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (program_id, union_id, phase_id, field_id, day)
) WITHOUT ROWID;
-- WITHOUT ROWID: a union's rows are stored together in key order, so a dashboard reads a few
-- neighbouring pages instead of one scattered row per page (measured: 7.4 million rows for
-- 2 million initiatives).

-- A share-of-members quota is resolved against the subtree's members on a stated date
-- (members_as_of): the number of members it was resolved against is kept with it.
ALTER TABLE quotas ADD COLUMN member_basis BIGINT;

-- Rankings within an emulation cluster read a parent's children of one cluster.
CREATE INDEX unions_parent_cluster_idx ON unions (parent_id, cluster);
