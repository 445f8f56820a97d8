-- Sáng kiến: the initial schema (SQLite). Keep in step with migrations/postgres.
-- Times are UTC (ISO text); text is NFC; paths use the C collation so that
-- subtree queries are index range scans.

CREATE TABLE unions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    parent_id BIGINT REFERENCES unions (id),
    level INTEGER NOT NULL CHECK (level BETWEEN 0 AND 4),
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    short_name TEXT,
    path TEXT COLLATE BINARY NOT NULL UNIQUE,
    cluster TEXT,
    member_count INTEGER NOT NULL DEFAULT 0 CHECK (member_count >= 0),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX unions_parent_idx ON unions (parent_id);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    member_code TEXT UNIQUE,
    full_name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    phone TEXT,
    union_id BIGINT NOT NULL REFERENCES unions (id),
    password_hash TEXT,
    status TEXT NOT NULL DEFAULT 'active',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX users_union_idx ON users (union_id);

CREATE TABLE programs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    owner_union_id BIGINT NOT NULL REFERENCES unions (id),
    applied_from DATE,
    applied_to DATE,
    target_count BIGINT,
    status TEXT NOT NULL DEFAULT 'draft',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE phases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    program_id BIGINT NOT NULL REFERENCES programs (id),
    name TEXT NOT NULL,
    position INTEGER NOT NULL,
    opens_at TIMESTAMP NOT NULL,
    closes_at TIMESTAMP NOT NULL,
    CHECK (opens_at < closes_at)
);
CREATE INDEX phases_program_idx ON phases (program_id);

CREATE TABLE fields (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    program_id BIGINT NOT NULL REFERENCES programs (id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    UNIQUE (program_id, code)
);

CREATE TABLE role_grants (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id),
    role TEXT NOT NULL,
    union_id BIGINT NOT NULL REFERENCES unions (id),
    program_id BIGINT REFERENCES programs (id),
    granted_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX role_grants_user_idx ON role_grants (user_id);

CREATE TABLE quotas (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    program_id BIGINT NOT NULL REFERENCES programs (id),
    phase_id BIGINT REFERENCES phases (id),
    union_id BIGINT NOT NULL REFERENCES unions (id),
    kind TEXT NOT NULL,
    value BIGINT NOT NULL CHECK (value >= 0),
    members_as_of DATE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX quotas_program_union_idx ON quotas (program_id, union_id);

CREATE TABLE initiatives (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    program_id BIGINT NOT NULL REFERENCES programs (id),
    phase_id BIGINT REFERENCES phases (id),
    field_id BIGINT REFERENCES fields (id),
    union_id BIGINT NOT NULL REFERENCES unions (id),
    union_path TEXT COLLATE BINARY NOT NULL,
    author_id BIGINT NOT NULL REFERENCES users (id),
    title TEXT NOT NULL,
    current_situation TEXT NOT NULL DEFAULT '',
    solution TEXT NOT NULL DEFAULT '',
    scope TEXT NOT NULL DEFAULT '',
    benefits TEXT NOT NULL DEFAULT '',
    first_applied_on DATE,
    estimated_benefit_vnd BIGINT CHECK (estimated_benefit_vnd >= 0),
    confidential BOOLEAN NOT NULL DEFAULT FALSE,
    status TEXT NOT NULL DEFAULT 'draft',
    version INTEGER NOT NULL DEFAULT 1,
    receipt_no TEXT UNIQUE,
    submitted_at TIMESTAMP,
    decided_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX initiatives_program_status_idx ON initiatives (program_id, status);
CREATE INDEX initiatives_union_path_idx ON initiatives (union_path);
CREATE INDEX initiatives_author_idx ON initiatives (author_id);

CREATE TABLE initiative_authors (
    initiative_id BIGINT NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id),
    share_percent INTEGER NOT NULL CHECK (share_percent BETWEEN 1 AND 100),
    position INTEGER NOT NULL,
    PRIMARY KEY (initiative_id, user_id)
);
CREATE INDEX initiative_authors_user_idx ON initiative_authors (user_id);

CREATE TABLE attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    initiative_id BIGINT NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX attachments_initiative_idx ON attachments (initiative_id);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    actor_id BIGINT REFERENCES users (id),
    entity_type TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT,
    comment TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity_type, entity_id);

CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_type TEXT NOT NULL,
    aggregate_type TEXT NOT NULL,
    aggregate_id BIGINT NOT NULL,
    payload TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
