-- The union tree over time (sắp xếp tổ chức). A union's `level` is its kind (0 national,
-- 1 provincial or national sector federation, 2 direct upper level, 3 grassroots, 4 group),
-- not its depth: since 2025 a grassroots union may sit directly under a federation.

-- A decision (quyết định) that changes the tree from its effective date; its operations are
-- kept as given (JSON) so that its report can be read again and its inverse planned.
CREATE TABLE reorganisations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    decision_no TEXT NOT NULL,
    decided_on DATE,
    issuer_union_id BIGINT NOT NULL REFERENCES unions (id),
    effective_on DATE NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    operations TEXT NOT NULL,
    report TEXT NOT NULL,
    reverts_id BIGINT REFERENCES reorganisations (id),
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX reorganisations_effective_idx ON reorganisations (effective_on);

-- Each union's placement, name, code, kind and state from a date (Vietnam calendar) to the
-- next version's: the tree as of any date. A version with no start holds back to any earlier
-- date; the current one has no end. A union without versions has always been as its row is
-- now: versions are written when a reorganisation (or stopping a union) first changes it.
CREATE TABLE union_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    union_id BIGINT NOT NULL REFERENCES unions (id),
    valid_from DATE,
    valid_to DATE,
    parent_id BIGINT REFERENCES unions (id),
    level INTEGER NOT NULL CHECK (level BETWEEN 0 AND 4),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    short_name TEXT,
    cluster TEXT,
    active BOOLEAN NOT NULL,
    reorganisation_id BIGINT REFERENCES reorganisations (id),
    CHECK (valid_from IS NULL OR valid_to IS NULL OR valid_from < valid_to)
);
CREATE INDEX union_versions_union_idx ON union_versions (union_id, valid_from);
CREATE INDEX union_versions_parent_idx ON union_versions (parent_id, valid_from);

-- Who succeeded a union that ended in a merger (hợp nhất) or a split (chia tách). The
-- successor that carries the predecessor's figures (`carries`) is the merged union, or a
-- split's first successor.
CREATE TABLE union_successions (
    reorganisation_id BIGINT NOT NULL REFERENCES reorganisations (id),
    predecessor_id BIGINT NOT NULL REFERENCES unions (id),
    successor_id BIGINT NOT NULL REFERENCES unions (id),
    carries BOOLEAN NOT NULL,
    PRIMARY KEY (reorganisation_id, predecessor_id, successor_id)
);
CREATE INDEX union_successions_successor_idx ON union_successions (successor_id);

-- A union that ended by a reorganisation (not one an officer stopped): its members keep
-- their accounts and may sign in to read their initiatives, but take no part.
ALTER TABLE unions ADD COLUMN ended_on DATE;

-- The day's decisions other than approval, so that a past day's figures can be read whole:
-- net rejected, marked duplicate and revoked that day.
ALTER TABLE union_days ADD COLUMN rejected INTEGER NOT NULL DEFAULT 0;
ALTER TABLE union_days ADD COLUMN duplicate INTEGER NOT NULL DEFAULT 0;
ALTER TABLE union_days ADD COLUMN revoked INTEGER NOT NULL DEFAULT 0;
