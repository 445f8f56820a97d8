-- The history of quota allocations (lịch sử phân bổ chỉ tiêu): every quota set or removed,
-- with what it became, who did it, when, why and the day (Vietnam calendar) it holds from,
-- so that a past day's dashboard reads the quota in force at that day's end. A removal has
-- no kind and no value. Reasons: `editor` (the allocation editor), `import`,
-- `reorganisation` (carried by a reorganisation, named by `reorganisation_id`), `system`
-- (set by the system, such as demo data) and `initial` (a quota that stood before its
-- history was kept).
CREATE TABLE quota_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    program_id BIGINT NOT NULL REFERENCES programs (id),
    phase_id BIGINT REFERENCES phases (id),
    union_id BIGINT NOT NULL REFERENCES unions (id),
    kind TEXT,
    value BIGINT CHECK (value >= 0),
    members_as_of DATE,
    member_basis BIGINT,
    holds_from DATE NOT NULL,
    reason TEXT NOT NULL,
    reorganisation_id BIGINT REFERENCES reorganisations (id),
    changed_by BIGINT REFERENCES users (id),
    changed_at TIMESTAMP NOT NULL,
    CHECK ((kind IS NULL) = (value IS NULL))
);
CREATE INDEX quota_history_union_idx ON quota_history (program_id, union_id, holds_from);

-- Each quota that stands now holds from the day it was first set.
INSERT INTO quota_history (program_id, phase_id, union_id, kind, value, members_as_of,
                           member_basis, holds_from, reason, changed_at)
SELECT program_id, phase_id, union_id, kind, value, members_as_of, member_basis,
       date(created_at, '+7 hours'), 'initial', updated_at
FROM quotas
ORDER BY id;
