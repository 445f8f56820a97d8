//! The organising-committee review: a program's stages, committees and rubric; cases routed
//! to the committee of the submitting union's ancestor; automatic and manual assignment;
//! scoring; decisions recorded at once or held for the chair to publish in bulk; revocation
//! and awards. Every change is in the audit log; every initiative change also goes to the
//! outbox (so the search index and, later, emails follow).
//!
//! One file per part: `views` (what the API and pages show and send), `common` (loading a
//! case, its committee and program; audit rows; moving the initiative), `routing` (entering
//! review, routing and automatic assignment), `setup` (stages, rubric, committees),
//! `reviewing` (scores, conflicts, decisions, publishing), `queue` (assignment, the
//! reviewer's queue and the chair's board), `conclusion` (revocation, awards, versions
//! compared, minutes).

mod common;
mod conclusion;
mod queue;
mod reviewing;
mod routing;
mod setup;
mod views;

pub use crate::domain::diff::{DiffChunk, Segment};
pub use conclusion::{
    AwardView, Comparison, MinutesRow, MinutesView, Side, award, award_in, award_of, compare, diff,
    may_conclude, minutes, revoke,
};
pub use queue::{assign, board, queue, unassign};
pub use reviewing::{PublishScope, decide, declare_conflict, publish, review, score, withdraw};
pub(crate) use routing::enter_in;
pub use routing::install_defaults;
pub(crate) use routing::{cases_moved_in, route_waiting_in};
pub use setup::{
    add_stage, committee, committees, create_committee, delete_stage, my_committees, put_member,
    remove_member, rubric, set_head, set_rubric, stages, update_stage,
};
pub use views::{
    AssignOutcome, AssignmentView, BoardItem, BoardRequest, BoardView, CaseView, CommitteeInput,
    CommitteeView, ConflictView, DecisionInput, DecisionOutcome, MemberView, QueueItem, QueueQuery,
    QueueView, ReviewView, ReviewerProgress, RubricView, ScoreInput, ScoreView, SectionDiff,
    StageInput, StageView, VersionDiff,
};
