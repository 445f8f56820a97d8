-- The dashboards read a union's activity two ways: by day over all fields (the timeline, the
-- quarterly leaderboard) and by field over all days. Kept as two summaries instead of the
-- day × field cross product of migration 6, a dashboard reads a union's days and fields
-- (about 320 rows at the root of 2 million initiatives) instead of every (field, day) pair
-- (about 3,900). Both are moved by the same transition as union_counts (src/db/counts.rs).
CREATE TABLE union_days (
    program_id BIGINT NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    union_id BIGINT NOT NULL REFERENCES unions (id) ON DELETE CASCADE,
    phase_id BIGINT NOT NULL DEFAULT 0,
    day DATE NOT NULL,
    submitted INTEGER NOT NULL DEFAULT 0,
    approved INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (program_id, union_id, phase_id, day)
) WITHOUT ROWID;

CREATE TABLE union_fields (
    program_id BIGINT NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    union_id BIGINT NOT NULL REFERENCES unions (id) ON DELETE CASCADE,
    phase_id BIGINT NOT NULL DEFAULT 0,
    field_id BIGINT NOT NULL DEFAULT 0,
    submitted INTEGER NOT NULL DEFAULT 0,
    approved INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (program_id, union_id, phase_id, field_id)
) WITHOUT ROWID;

INSERT INTO union_days (program_id, union_id, phase_id, day, submitted, approved)
SELECT program_id, union_id, phase_id, day, SUM(submitted), SUM(approved)
FROM union_activity
GROUP BY program_id, union_id, phase_id, day
ORDER BY program_id, union_id, phase_id, day;

INSERT INTO union_fields (program_id, union_id, phase_id, field_id, submitted, approved)
SELECT program_id, union_id, phase_id, field_id, SUM(submitted), SUM(approved)
FROM union_activity
GROUP BY program_id, union_id, phase_id, field_id
ORDER BY program_id, union_id, phase_id, field_id;

DROP TABLE union_activity;
