-- Signed-in sessions. Every access token names one (its `jti`); a request is let in only while
-- its session is neither expired nor revoked, so signing out (here or everywhere), a password
-- change and an administrator's revocation end a token at once.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    client_address TEXT NOT NULL,
    user_agent TEXT NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id, expires_at);

-- Failed sign-ins counted per login (as typed, folded, whether or not the account exists) and
-- per client address. The count restarts after a quiet period; a key over its limit is locked
-- until `locked_until` (429 with Retry-After), each further failure doubling the lock.
CREATE TABLE sign_in_throttle (
    throttle_key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_failure_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP
);
