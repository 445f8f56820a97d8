ALTER TABLE reorganisations DROP COLUMN undo;
