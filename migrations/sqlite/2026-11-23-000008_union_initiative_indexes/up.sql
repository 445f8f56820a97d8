-- A union's initiatives in a program, newest first (the dashboard's drill-down and its
-- exports). Two orders for two shapes of subtree, chosen by the query from the counts:
-- a small subtree is read as a path range and sorted (program, path, ...), a large one by
-- walking the program's initiatives newest first and keeping those under the path
-- (program, submitted_at, id, ...). Both carry the filtered columns, so that only the
-- rows shown are read from the table.
CREATE INDEX initiatives_program_path_idx
    ON initiatives (program_id, union_path, status, phase_id, submitted_at);
CREATE INDEX initiatives_program_time_idx
    ON initiatives (program_id, submitted_at, id, union_path, status, phase_id);
