-- Duplicate candidates found at submission (or by `sangkien dedup-scan`) for reviewers.
CREATE TABLE duplicate_candidates (
    initiative_id BIGINT NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    candidate_id BIGINT NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    score REAL NOT NULL,
    verdict TEXT NOT NULL,
    detected_at TIMESTAMP NOT NULL,
    PRIMARY KEY (initiative_id, candidate_id)
);
CREATE INDEX duplicate_candidates_candidate_idx ON duplicate_candidates (candidate_id);
