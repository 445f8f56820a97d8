-- An initiative's place in the union tree is its union's: its path is read from `unions`
-- (joined on union_id) instead of a copy kept on every initiative, so that a reorganisation
-- rewrites the paths of the unions it moves and never those of their initiatives.
-- A union subtree's initiatives are found by their union's id (the subtree's unions by path,
-- then their initiatives by union): the two indexes of migration 8 take union_id in place of
-- the path, and initiatives_union_idx serves the queries without a program.
DROP INDEX initiatives_program_time_idx;
DROP INDEX initiatives_program_path_idx;
DROP INDEX initiatives_union_path_idx;
ALTER TABLE initiatives DROP COLUMN union_path;
CREATE INDEX initiatives_union_idx ON initiatives (union_id, status);
CREATE INDEX initiatives_program_union_idx
    ON initiatives (program_id, union_id, status, phase_id, submitted_at);
CREATE INDEX initiatives_program_time_idx
    ON initiatives (program_id, submitted_at, id, union_id, status, phase_id);
