-- When each session was last seen, for the idle timeout (`auth.idle_timeout_minutes`): a
-- session unused for longer is refused, whatever its absolute expiry. Requests move it on at
-- most once a minute. Existing sessions count as seen when they were opened.
ALTER TABLE sessions ADD COLUMN last_seen_at TIMESTAMP;
UPDATE sessions SET last_seen_at = created_at;
ALTER TABLE sessions ALTER COLUMN last_seen_at SET NOT NULL;
