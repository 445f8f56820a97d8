-- Automatic assignment reads each committee member's open reviews from `review_loads` by
-- reviewer (across their committees) on every submission.
CREATE INDEX review_loads_reviewer_idx ON review_loads (reviewer_id);
