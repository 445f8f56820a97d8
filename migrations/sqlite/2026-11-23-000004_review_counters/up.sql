-- Counters the chair's board reads instead of scanning a committee's cases; kept by the
-- statements that assign, unassign, score, recuse and close (src/db/review.rs), and checked
-- against a recount by `review_counter_drift`.

-- Live (not recused) assignments of a case: "lacking reviewers" is live_reviewers < required.
ALTER TABLE review_cases ADD COLUMN live_reviewers INTEGER NOT NULL DEFAULT 0;
UPDATE review_cases SET live_reviewers = (
    SELECT count(*) FROM review_assignments a
    WHERE a.case_id = review_cases.id AND a.state <> 'recused'
);
CREATE INDEX review_cases_lacking_idx
    ON review_cases (committee_id, state, live_reviewers, due_at, id);

-- A reviewer's live assignments on a committee's cases not yet closed, and how many are scored.
CREATE TABLE review_loads (
    committee_id BIGINT NOT NULL REFERENCES committees (id) ON DELETE CASCADE,
    reviewer_id BIGINT NOT NULL REFERENCES users (id),
    assigned INTEGER NOT NULL DEFAULT 0,
    scored INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (committee_id, reviewer_id)
);
INSERT INTO review_loads (committee_id, reviewer_id, assigned, scored)
SELECT c.committee_id, a.reviewer_id, count(*),
       sum(CASE WHEN a.state = 'scored' THEN 1 ELSE 0 END)
FROM review_assignments a
JOIN review_cases c ON c.id = a.case_id
WHERE c.committee_id IS NOT NULL AND c.state <> 'closed' AND a.state <> 'recused'
GROUP BY c.committee_id, a.reviewer_id;
