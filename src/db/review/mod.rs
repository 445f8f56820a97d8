//! Queries of the review workflow, one file per part: `setup` (stages, committees and their
//! members, the rubric), `cases` (cases, decisions, assignments, scores, conflicts, awards),
//! `loads` (the counters of the chair's board), `queue` (the reviewer's queue and the board's
//! read model, published decisions).

mod cases;
mod loads;
mod queue;
mod setup;

pub use cases::{
    AssignmentRow, AwardRow, CaseRow, ConflictRow, NewDecision, NewScores, assign, assignments,
    award, cases_of, clear_award, conflicts, decide, earlier_reviewers, find_case, insert_case,
    latest_case, pending_of, publish, record_conflict, recuse, score, set_award, set_committee,
    unassign, unrouted, withdraw,
};
pub use loads::{open_review_counts, rebuild_review_counters, review_counter_drift};
pub use queue::{
    BoardRow, PublishedRow, QueueFilter, QueueRow, committee_cases, committee_counts,
    committee_progress, published_between, queue, without_case,
};
pub use setup::{
    CommitteeRow, CriterionRow, MemberRow, NewCriterion, StageRow, StageSettings, aggregation,
    committees_of_program, committees_of_user, criteria, delete_stage, find_committee, find_stage,
    insert_committee, insert_stage, members, membership, program_case_count, program_has_scores,
    put_member, remove_member, reorder_stages, replace_rubric, stage_case_count, stage_committees,
    stages, update_stage,
};
