DROP TRIGGER users_name_folded_update;
DROP TRIGGER users_name_folded_insert;
ALTER TABLE users DROP COLUMN name_folded;
