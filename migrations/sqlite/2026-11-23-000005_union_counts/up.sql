-- Counts of a program's initiatives by status, for a union's whole subtree (the union and
-- every union below it), per phase (0: no phase). An initiative counts once for its
-- submitting union and each ancestor, by its stored union_path. Kept by every status
-- transition (src/db/counts.rs); built from the initiatives when empty (at start-up and by
-- `sangkien recount`), and checked by `sangkien recount --verify`.
CREATE TABLE union_counts (
    program_id BIGINT NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    union_id BIGINT NOT NULL REFERENCES unions (id) ON DELETE CASCADE,
    phase_id BIGINT NOT NULL DEFAULT 0,
    submitted INTEGER NOT NULL DEFAULT 0,
    under_review INTEGER NOT NULL DEFAULT 0,
    returned INTEGER NOT NULL DEFAULT 0,
    approved INTEGER NOT NULL DEFAULT 0,
    rejected INTEGER NOT NULL DEFAULT 0,
    duplicate INTEGER NOT NULL DEFAULT 0,
    revoked INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (program_id, union_id, phase_id)
);
CREATE INDEX union_counts_union_idx ON union_counts (union_id, program_id);
