-- What a reorganisation changed beyond the tree, kept so that a reverting one can put it back
-- exactly (JSON): each changed union as it stood, the unions it created, the members, roles,
-- programs, committees and open review cases it moved (by id, with where they were), the
-- quotas it replaced or added, and the clusters it set. `{}` for one applied before this.
ALTER TABLE reorganisations ADD COLUMN undo TEXT NOT NULL DEFAULT '{}';
