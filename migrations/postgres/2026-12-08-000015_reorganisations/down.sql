ALTER TABLE union_days DROP COLUMN revoked;
ALTER TABLE union_days DROP COLUMN duplicate;
ALTER TABLE union_days DROP COLUMN rejected;
ALTER TABLE unions DROP COLUMN ended_on;
DROP TABLE union_successions;
DROP TABLE union_versions;
DROP TABLE reorganisations;
