DROP TABLE review_loads;
DROP INDEX review_cases_lacking_idx;
ALTER TABLE review_cases DROP COLUMN live_reviewers;
