//! What the review shows and accepts: stages, committees, cases, scores, queues and boards.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::db::review::{StageRow, StageSettings};
use crate::domain::UnionKind;
use crate::domain::diff::DiffChunk;
use crate::domain::review::{
    Aggregation, AssignmentState, CaseState, ConflictReason, Criterion, Decision,
};
use crate::service::Page;
use crate::service::shared::initiative::DuplicateCandidateView;
use crate::service::shared::initiative::InitiativeView;

/// A review stage.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StageView {
    pub id: i64,
    /// 1 for the first stage.
    pub position: i32,
    pub name: String,
    /// The union level whose committee acts (0 national … 4 group).
    pub union_level: i32,
    pub union_level_name: &'static str,
    /// Scored reviews needed before approval.
    pub reviews_required: i32,
    /// Reviewers see each other's scores only after submitting their own.
    pub blind_scoring: bool,
    /// Decisions wait for the chair to publish them.
    pub chair_publishes: bool,
    /// Reviewers are assigned automatically (else the chair assigns).
    pub auto_assign: bool,
    /// Days from receipt to the decision; `null`: three months.
    pub due_days: Option<i32>,
}

impl From<&StageRow> for StageView {
    fn from(s: &StageRow) -> Self {
        Self {
            id: s.id,
            position: s.position,
            name: s.name.clone(),
            union_level: s.union_level,
            union_level_name: UnionKind::from_i32(s.union_level).map_or("", UnionKind::label),
            reviews_required: s.reviews_required,
            blind_scoring: s.blind_scoring,
            chair_publishes: s.chair_publishes,
            auto_assign: s.auto_assign,
            due_days: s.due_days,
        }
    }
}

/// A validated stage.
#[derive(Debug, Clone)]
pub struct StageInput {
    pub name: String,
    pub union_level: UnionKind,
    pub reviews_required: i32,
    pub blind_scoring: bool,
    pub chair_publishes: bool,
    pub auto_assign: bool,
    pub due_days: Option<i32>,
    /// Where to insert a new stage (1-based); at the end when absent.
    pub position: Option<i32>,
}

impl StageInput {
    pub(super) fn settings(&self) -> StageSettings<'_> {
        StageSettings {
            name: &self.name,
            union_level: self.union_level.as_i32(),
            reviews_required: self.reviews_required,
            blind_scoring: self.blind_scoring,
            chair_publishes: self.chair_publishes,
            auto_assign: self.auto_assign,
            due_days: self.due_days,
        }
    }
}

/// A program's rubric.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RubricView {
    pub aggregation: Aggregation,
    pub criteria: Vec<Criterion>,
    /// The highest weighted total.
    pub max_total: f64,
    /// True once a review has been scored: the rubric can no longer change.
    pub locked: bool,
}

/// A committee member.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MemberView {
    pub user_id: i64,
    pub full_name: String,
    pub email: String,
    pub is_chair: bool,
}

/// A committee with its members.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CommitteeView {
    pub id: i64,
    pub program_id: i64,
    pub stage_id: i64,
    pub stage_name: String,
    pub stage_position: i32,
    pub union_id: i64,
    pub union_name: String,
    pub name: String,
    pub members: Vec<MemberView>,
}

/// A new committee.
#[derive(Debug, Clone)]
pub struct CommitteeInput {
    pub stage_id: i64,
    pub union_id: i64,
    pub name: Option<String>,
}

/// One reviewer's scores.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScoreView {
    pub reviewer_id: i64,
    pub reviewer_name: String,
    pub state: AssignmentState,
    /// Criterion code → score.
    pub scores: BTreeMap<String, i32>,
    pub total: Option<f64>,
    pub recommendation: Option<Decision>,
    pub comment: Option<String>,
    pub scored_at: Option<DateTime<Utc>>,
}

/// Who is assigned to a case and whether they have scored (always visible to the committee).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AssignmentView {
    pub reviewer_id: i64,
    pub reviewer_name: String,
    pub state: AssignmentState,
    /// Null when assigned automatically.
    pub assigned_by: Option<i64>,
    pub assigned_at: DateTime<Utc>,
}

/// An initiative's passage through one stage.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseView {
    pub id: i64,
    pub stage_id: i64,
    pub stage_name: String,
    pub stage_position: i32,
    /// 1, then 2 after a resubmission, …
    pub round: i32,
    pub state: CaseState,
    pub state_name: &'static str,
    pub committee_id: Option<i64>,
    pub committee_name: Option<String>,
    pub entered_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub overdue: bool,
    pub decision: Option<Decision>,
    pub decision_name: Option<&'static str>,
    pub reason_code: Option<String>,
    pub reason_name: Option<&'static str>,
    pub note: Option<String>,
    pub duplicate_of_id: Option<i64>,
    pub decided_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
}

/// A recorded conflict of interest.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ConflictView {
    pub user_id: i64,
    pub full_name: String,
    pub reason: ConflictReason,
    pub reason_name: &'static str,
    pub note: Option<String>,
    pub recorded_at: DateTime<Utc>,
}

/// Everything a reviewer needs on one page.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReviewView {
    pub initiative: InitiativeView,
    /// The case shown: the latest, or after a decision the one decided.
    pub case: CaseView,
    /// The initiative's other cases (stages passed, earlier rounds), oldest first.
    pub earlier: Vec<CaseView>,
    pub stage_count: usize,
    pub reviews_required: i32,
    pub reviews_scored: usize,
    pub blind_scoring: bool,
    pub rubric: RubricView,
    pub assignments: Vec<AssignmentView>,
    /// The caller's own scores, if assigned.
    pub mine: Option<ScoreView>,
    /// Everyone's scores when the caller may see them.
    pub scores: Vec<ScoreView>,
    /// True when others' scores are hidden until the caller scores (blind stage).
    pub scores_hidden: bool,
    /// Reviewers' totals combined by the rubric's aggregation, when visible.
    pub committee_score: Option<f64>,
    pub duplicates: Vec<DuplicateCandidateView>,
    pub conflicts: Vec<ConflictView>,
    /// How many times it has been submitted (versions to compare).
    pub rounds: i32,
    pub is_chair: bool,
    pub can_score: bool,
    pub can_decide: bool,
    pub can_manage: bool,
}

/// What a decision did: the case as decided, the initiative's status after it, and the
/// next stage's case when an approval moved the initiative on.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DecisionOutcome {
    pub initiative_id: i64,
    /// The initiative's status after the decision (unchanged while the decision is pending).
    pub status: String,
    pub case: CaseView,
    /// The case opened at the next stage, if any.
    pub next_case: Option<CaseView>,
}

/// A reviewer's scores to record.
#[derive(Debug, Clone)]
pub struct ScoreInput {
    pub scores: BTreeMap<String, i32>,
    pub recommendation: Option<Decision>,
    pub comment: Option<String>,
}

/// A decision to record.
#[derive(Debug, Clone)]
pub struct DecisionInput {
    pub decision: Decision,
    pub reason_code: Option<String>,
    pub note: Option<String>,
    pub duplicate_of: Option<i64>,
    /// Keep it pending for the chair to publish, even where it could take effect at once.
    pub hold: bool,
}

/// What happened to one initiative of a bulk assignment.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AssignOutcome {
    pub initiative_id: i64,
    /// `assigned`, `already_assigned`, `conflict` or `not_in_committee`.
    pub result: String,
    pub message: String,
}

/// One line of a reviewer's queue.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QueueItem {
    pub initiative_id: i64,
    pub title: String,
    pub receipt_no: Option<String>,
    pub union_name: String,
    pub field_name: Option<String>,
    pub stage_name: String,
    pub state: CaseState,
    pub due_at: DateTime<Utc>,
    pub overdue: bool,
    /// Has the caller scored it?
    pub scored: bool,
    pub my_total: Option<f64>,
    pub duplicate_count: i64,
}

/// A reviewer's queue with progress ("12 / 45" is `scored / total`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QueueView {
    pub items: Vec<QueueItem>,
    /// Matching items in all (before the `not_scored` filter).
    pub total: i64,
    /// How many of them the caller has scored.
    pub scored: i64,
    /// Items after every filter (what the pages count).
    pub shown: i64,
    pub page: i64,
    pub per_page: i64,
}

/// Filters of a queue.
#[derive(Debug, Clone, Default)]
pub struct QueueQuery {
    pub program_id: Option<i64>,
    pub stage_id: Option<i64>,
    pub field_id: Option<i64>,
    pub union_id: Option<i64>,
    pub has_duplicates: bool,
    pub not_scored: bool,
}

/// One reviewer's progress on the chair's board.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReviewerProgress {
    pub user_id: i64,
    pub full_name: String,
    pub is_chair: bool,
    /// Reviews assigned in open or pending cases.
    pub assigned: i64,
    /// Of which scored.
    pub scored: i64,
}

/// A case on the chair's board.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BoardItem {
    pub initiative_id: i64,
    pub title: String,
    pub receipt_no: Option<String>,
    pub union_name: String,
    pub due_at: DateTime<Utc>,
    pub overdue: bool,
    pub decision: Option<Decision>,
    pub decision_name: Option<&'static str>,
}

/// Which pages of the board's two lists to show.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::IntoParams)]
pub struct BoardRequest {
    /// Page of the cases lacking reviewers, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
    /// Items per page of each list, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<i64>,
    /// Page of the pending decisions, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    pub pending_page: Option<i64>,
}

/// The chair's board of a committee.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BoardView {
    pub committee: CommitteeView,
    pub reviews_required: i32,
    pub chair_publishes: bool,
    pub open: i64,
    pub pending: i64,
    pub reviewers: Vec<ReviewerProgress>,
    /// Open cases with fewer reviewers than the stage needs.
    pub unassigned: Page<BoardItem>,
    /// Decisions recorded and waiting to be published, due first (paged by `pending_page`).
    pub pending_decisions: Page<BoardItem>,
    pub is_chair: bool,
}

/// One section compared between two submitted versions.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SectionDiff {
    pub key: &'static str,
    pub label: &'static str,
    pub changed: bool,
    pub chunks: Vec<DiffChunk>,
}

/// Two submitted versions compared.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VersionDiff {
    pub from_round: i32,
    pub to_round: i32,
    pub from_submitted_at: DateTime<Utc>,
    pub to_submitted_at: DateTime<Utc>,
    pub sections: Vec<SectionDiff>,
}
