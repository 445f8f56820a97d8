-- Co-authorship is an invitation the co-author accepts (issue 22, item 4). An invitation
-- waits here (pending) or stays here declined; once accepted it is deleted and the co-author
-- becomes a row of initiative_authors, so that table holds only people who agreed to be
-- named: receipts, decisions, quotas, "my initiatives" and the right to read all read it.
-- Existing co-authors are already there: they count as accepted, as they were before.
CREATE TABLE coauthor_invitations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    initiative_id BIGINT NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id),
    -- The member code or email the author typed: shown to the author instead of a name.
    invited_as TEXT NOT NULL,
    share_percent INTEGER NOT NULL CHECK (share_percent BETWEEN 1 AND 100),
    status TEXT NOT NULL CHECK (status IN ('pending', 'declined')),
    invited_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    answered_at TIMESTAMP,
    UNIQUE (initiative_id, user_id)
);
CREATE INDEX coauthor_invitations_user_idx ON coauthor_invitations (user_id, status);
