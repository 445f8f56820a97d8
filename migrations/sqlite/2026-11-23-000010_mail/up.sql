-- Emails waiting to be delivered, written in the same transaction as the change that causes
-- them; the sender claims due rows, delivers with lettre and marks each one sent or failed.
-- A scheduled email carries a dedupe_key (kind, user, period) so that it is written once per
-- period whatever the number of instances or restarts.
CREATE TABLE mail_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    user_id BIGINT REFERENCES users (id),
    recipient TEXT NOT NULL,
    recipient_name TEXT NOT NULL,
    subject TEXT NOT NULL,
    payload TEXT NOT NULL,
    dedupe_key TEXT UNIQUE,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX mail_outbox_due_idx ON mail_outbox (status, next_attempt_at);
CREATE INDEX mail_outbox_user_idx ON mail_outbox (user_id);

-- Per-user choices about email; a user without a row gets the defaults (digests on).
CREATE TABLE mail_preferences (
    user_id BIGINT PRIMARY KEY REFERENCES users (id),
    digests BOOLEAN NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
