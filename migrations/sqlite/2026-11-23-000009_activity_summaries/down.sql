-- The day × field cross product cannot be rebuilt from the two summaries: the days are kept
-- with field 0 (none); `sangkien recount` rebuilds it exactly.
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

INSERT INTO union_activity (program_id, union_id, phase_id, field_id, day, submitted, approved)
SELECT program_id, union_id, phase_id, 0, day, submitted, approved FROM union_days;

DROP TABLE union_fields;
DROP TABLE union_days;
