DROP INDEX review_loads_reviewer_idx;
