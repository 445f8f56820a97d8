-- Organising-committee review: stages, committees, rubric, assignments and decisions.
-- Keep in step with migrations/postgres.

-- How reviewers' totals are combined: 'mean' or 'median'.
ALTER TABLE programs ADD COLUMN score_aggregation TEXT NOT NULL DEFAULT 'mean';
-- The head (thủ trưởng) of a unit never reviews its initiatives.
-- (No REFERENCES here: SQLite cannot drop a column that has one, and down.sql must.)
ALTER TABLE unions ADD COLUMN head_user_id BIGINT;

-- A program's review stages, in order; `union_level` is the level whose committee acts.
CREATE TABLE review_stages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    program_id BIGINT NOT NULL REFERENCES programs (id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    union_level INTEGER NOT NULL CHECK (union_level BETWEEN 0 AND 4),
    reviews_required INTEGER NOT NULL DEFAULT 1 CHECK (reviews_required BETWEEN 1 AND 20),
    blind_scoring BOOLEAN NOT NULL DEFAULT FALSE,
    chair_publishes BOOLEAN NOT NULL DEFAULT FALSE,
    -- Assign reviewers automatically (fewest open reviews first); off: the chair assigns.
    auto_assign BOOLEAN NOT NULL DEFAULT TRUE,
    -- Days from receipt to the decision; NULL: three months, as the regulation asks.
    due_days INTEGER CHECK (due_days BETWEEN 1 AND 3650),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (program_id, position)
);

-- One committee per (program, stage, union); its members review, one is chair.
CREATE TABLE committees (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    program_id BIGINT NOT NULL REFERENCES programs (id),
    stage_id BIGINT NOT NULL REFERENCES review_stages (id),
    union_id BIGINT NOT NULL REFERENCES unions (id),
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (stage_id, union_id)
);
CREATE INDEX committees_program_idx ON committees (program_id);

CREATE TABLE committee_members (
    committee_id BIGINT NOT NULL REFERENCES committees (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    is_chair BOOLEAN NOT NULL DEFAULT FALSE,
    added_at TIMESTAMP NOT NULL,
    PRIMARY KEY (committee_id, user_id)
);
CREATE INDEX committee_members_user_idx ON committee_members (user_id);

-- The rubric: criteria with a maximum score, a weight and optional bands (JSON).
CREATE TABLE rubric_criteria (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    program_id BIGINT NOT NULL REFERENCES programs (id),
    position INTEGER NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    max_score INTEGER NOT NULL CHECK (max_score BETWEEN 1 AND 1000),
    weight REAL NOT NULL CHECK (weight > 0),
    bands TEXT NOT NULL DEFAULT '[]',
    UNIQUE (program_id, code)
);

-- An initiative's passage through one stage (a new round after each resubmission).
-- state: open (being reviewed), pending (decided, not yet published), closed.
CREATE TABLE review_cases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    initiative_id BIGINT NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    program_id BIGINT NOT NULL REFERENCES programs (id),
    stage_id BIGINT NOT NULL REFERENCES review_stages (id),
    committee_id BIGINT REFERENCES committees (id),
    round INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'open',
    entered_at TIMESTAMP NOT NULL,
    due_at TIMESTAMP NOT NULL,
    decision TEXT,
    reason_code TEXT,
    decision_note TEXT,
    duplicate_of_id BIGINT REFERENCES initiatives (id),
    decided_by BIGINT REFERENCES users (id),
    decided_at TIMESTAMP,
    published_by BIGINT REFERENCES users (id),
    published_at TIMESTAMP
);
CREATE INDEX review_cases_initiative_idx ON review_cases (initiative_id);
-- A committee's cases by state, due first; with the id, PostgreSQL counts and pages the
-- board from the index alone (SQLite keeps the rowid in every index anyway).
CREATE INDEX review_cases_committee_idx ON review_cases (committee_id, state, due_at, id);
CREATE INDEX review_cases_stage_idx ON review_cases (stage_id, state);

-- One reviewer's work on a case. state: assigned, scored, recused.
CREATE TABLE review_assignments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id BIGINT NOT NULL REFERENCES review_cases (id) ON DELETE CASCADE,
    reviewer_id BIGINT NOT NULL REFERENCES users (id),
    assigned_by BIGINT REFERENCES users (id),
    assigned_at TIMESTAMP NOT NULL,
    state TEXT NOT NULL DEFAULT 'assigned',
    scores TEXT NOT NULL DEFAULT '{}',
    total REAL,
    recommendation TEXT,
    comment TEXT,
    scored_at TIMESTAMP,
    UNIQUE (case_id, reviewer_id)
);
CREATE INDEX review_assignments_reviewer_idx ON review_assignments (reviewer_id, state);
-- The chair's board reads, for each of a committee's cases, its live assignments and who
-- holds them (progress per reviewer, cases lacking reviewers): from this index alone.
CREATE INDEX review_assignments_case_state_idx ON review_assignments (case_id, state, reviewer_id);

-- Why someone may not review an initiative: author, head_of_unit or declared.
CREATE TABLE review_conflicts (
    initiative_id BIGINT NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id),
    reason_code TEXT NOT NULL,
    note TEXT,
    recorded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (initiative_id, user_id)
);

-- The content as submitted in each round, so reviewers see what changed.
CREATE TABLE initiative_versions (
    initiative_id BIGINT NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    round INTEGER NOT NULL,
    title TEXT NOT NULL,
    content TEXT NOT NULL,
    submitted_at TIMESTAMP NOT NULL,
    PRIMARY KEY (initiative_id, round)
);

-- Outstanding initiatives (tiêu biểu) marked by the owning union, with the award level.
CREATE TABLE awards (
    initiative_id BIGINT PRIMARY KEY REFERENCES initiatives (id) ON DELETE CASCADE,
    level TEXT NOT NULL,
    note TEXT,
    awarded_by BIGINT REFERENCES users (id),
    awarded_at TIMESTAMP NOT NULL
);

-- Every existing program gets the default stage and rubric that new programs get.
INSERT INTO review_stages (program_id, position, name, union_level, reviews_required,
                           blind_scoring, chair_publishes, due_days, created_at)
SELECT p.id, 1, 'Ban Tổ chức thông qua', u.level, 1, FALSE, FALSE, NULL, p.created_at
FROM programs p JOIN unions u ON u.id = p.owner_union_id;

INSERT INTO rubric_criteria (program_id, position, code, name, description, max_score, weight, bands)
SELECT id, 1, 'tinh-moi', 'Tính mới', 'Chưa được áp dụng, công bố ở đơn vị trước ngày nộp.', 30, 1,
       '[{"min":0,"max":0,"description":"Sao chép, đã có trước"},{"min":1,"max":15,"description":"Cải tiến một phần giải pháp đã có"},{"min":16,"max":30,"description":"Giải pháp mới tại đơn vị"}]'
FROM programs;
INSERT INTO rubric_criteria (program_id, position, code, name, description, max_score, weight, bands)
SELECT id, 2, 'kha-nang-ap-dung', 'Khả năng áp dụng', 'Đã áp dụng hoặc áp dụng thử, có thể nhân rộng.', 30, 1, '[]'
FROM programs;
INSERT INTO rubric_criteria (program_id, position, code, name, description, max_score, weight, bands)
SELECT id, 3, 'hieu-qua', 'Hiệu quả và lợi ích', 'Lợi ích kinh tế, xã hội, an toàn mang lại.', 40, 1, '[]'
FROM programs;
