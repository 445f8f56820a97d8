DROP INDEX initiatives_program_time_idx;
DROP INDEX initiatives_program_union_idx;
DROP INDEX initiatives_union_idx;
ALTER TABLE initiatives ADD COLUMN union_path TEXT COLLATE BINARY NOT NULL DEFAULT '';
UPDATE initiatives SET union_path = (SELECT path FROM unions WHERE unions.id = initiatives.union_id);
CREATE INDEX initiatives_union_path_idx ON initiatives (union_path);
CREATE INDEX initiatives_program_path_idx
    ON initiatives (program_id, union_path, status, phase_id, submitted_at);
CREATE INDEX initiatives_program_time_idx
    ON initiatives (program_id, submitted_at, id, union_path, status, phase_id);
