-- The first answer to a request that carried an Idempotency-Key header, kept for a day. A
-- client that retries after a lost answer (a timeout, a restarted server, a dropped
-- connection) gets that answer again instead of a second draft or a second submission. The
-- row is written in the transaction of the change itself, so an answer is remembered exactly
-- when the change was committed.
CREATE TABLE idempotency_keys (
    user_id BIGINT NOT NULL REFERENCES users (id),
    idem_key TEXT NOT NULL,
    -- What was asked (operation and body, hashed): the same key with another request is refused.
    request_hash TEXT NOT NULL,
    status_code INTEGER NOT NULL,
    response_body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, idem_key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
