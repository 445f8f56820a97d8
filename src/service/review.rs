//! The organising-committee review: a program's stages, committees and rubric; cases routed
//! to the committee of the submitting union's ancestor; automatic and manual assignment;
//! scoring; decisions recorded at once or held for the chair to publish in bulk; revocation
//! and awards. Every change is in the audit log; every initiative change also goes to the
//! outbox (so the search index and, later, emails follow).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::db::review::{self as q, CaseRow, CommitteeRow, NewDecision, StageRow, StageSettings};
use crate::db::{self, Db, DbConn, audit, initiatives, programs, unions, users};
use crate::domain::initiative::decision_due;
use crate::domain::review::{
    Aggregation, AssignmentState, Candidate, CaseState, ConflictReason, Criterion, Decision,
    award_label, check_rubric, default_rubric, max_total, pick_reviewers, reason_label, route,
    weighted_total,
};
use crate::domain::{Action, Actor, InitiativeStatus, Resource, Role, UnionLevel, UnionPath, can};
use crate::error::{AppError, ErrorCode};
use crate::search::SearchService;
use crate::service::initiatives::{InitiativeView, full_view, load, record, stale, status_of};
use crate::service::similar::DuplicateCandidateView;
use crate::service::{Page, PageRequest};

// ---------------------------------------------------------------------------------------
// Views and inputs

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
            union_level_name: UnionLevel::from_i32(s.union_level).map_or("", UnionLevel::label),
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
    pub union_level: UnionLevel,
    pub reviews_required: i32,
    pub blind_scoring: bool,
    pub chair_publishes: bool,
    pub auto_assign: bool,
    pub due_days: Option<i32>,
    /// Where to insert a new stage (1-based); at the end when absent.
    pub position: Option<i32>,
}

impl StageInput {
    fn settings(&self) -> StageSettings<'_> {
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

/// A stretch of text in a comparison: unchanged, inserted or deleted.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DiffChunk {
    /// `equal`, `insert` or `delete`.
    pub op: &'static str,
    pub text: String,
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

// ---------------------------------------------------------------------------------------
// Helpers

fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

fn criteria_of(conn: &mut DbConn, program_id: i64) -> Result<Vec<Criterion>, AppError> {
    Ok(q::criteria(conn, program_id)?
        .into_iter()
        .map(|c| Criterion {
            bands: serde_json::from_str(&c.bands).unwrap_or_default(),
            code: c.code,
            name: c.name,
            description: c.description,
            max_score: c.max_score,
            weight: c.weight,
        })
        .collect())
}

fn rubric_in(conn: &mut DbConn, program_id: i64) -> Result<RubricView, AppError> {
    let criteria = criteria_of(conn, program_id)?;
    let aggregation =
        Aggregation::parse(&q::aggregation(conn, program_id)?).unwrap_or(Aggregation::Mean);
    Ok(RubricView {
        aggregation,
        max_total: max_total(&criteria),
        criteria,
        locked: q::program_has_scores(conn, program_id)?,
    })
}

fn committee_view(conn: &mut DbConn, c: CommitteeRow) -> Result<CommitteeView, AppError> {
    let members = q::members(conn, c.id)?
        .into_iter()
        .map(|m| MemberView {
            user_id: m.user_id,
            full_name: m.full_name,
            email: m.email,
            is_chair: m.is_chair,
        })
        .collect();
    Ok(CommitteeView {
        id: c.id,
        program_id: c.program_id,
        stage_id: c.stage_id,
        stage_name: c.stage_name,
        stage_position: c.stage_position,
        union_id: c.union_id,
        union_name: c.union_name,
        name: c.name,
        members,
    })
}

fn case_view(
    c: &CaseRow,
    stages: &[StageRow],
    committee_names: &HashMap<i64, String>,
    now: NaiveDateTime,
) -> CaseView {
    let stage = stages.iter().find(|s| s.id == c.stage_id);
    let state = CaseState::parse(&c.state);
    let decision = c.decision.as_deref().and_then(Decision::parse);
    CaseView {
        id: c.id,
        stage_id: c.stage_id,
        stage_name: stage.map(|s| s.name.clone()).unwrap_or_default(),
        stage_position: stage.map_or(0, |s| s.position),
        round: c.round,
        state,
        state_name: state.label(),
        committee_id: c.committee_id,
        committee_name: c
            .committee_id
            .and_then(|id| committee_names.get(&id).cloned()),
        entered_at: utc(c.entered_at),
        due_at: utc(c.due_at),
        overdue: state == CaseState::Open && c.due_at < now,
        decision,
        decision_name: decision.map(Decision::label),
        reason_code: c.reason_code.clone(),
        reason_name: c.reason_code.as_deref().and_then(reason_label),
        note: c.decision_note.clone(),
        duplicate_of_id: c.duplicate_of_id,
        decided_at: c.decided_at.map(utc),
        published_at: c.published_at.map(utc),
    }
}

fn score_view(a: &q::AssignmentRow) -> ScoreView {
    ScoreView {
        reviewer_id: a.reviewer_id,
        reviewer_name: a.reviewer_name.clone(),
        state: AssignmentState::parse(&a.state),
        scores: serde_json::from_str(&a.scores).unwrap_or_default(),
        total: a.total,
        recommendation: a.recommendation.as_deref().and_then(Decision::parse),
        comment: a.comment.clone(),
        scored_at: a.scored_at.map(utc),
    }
}

fn audit_case(
    conn: &mut DbConn,
    actor: Option<i64>,
    case_id: i64,
    action: &str,
    to: Option<&str>,
    comment: Option<&str>,
) -> Result<(), AppError> {
    audit::record(
        conn,
        &audit::NewAudit {
            actor_id: actor,
            entity_type: "review_case",
            entity_id: case_id,
            action,
            from_state: None,
            to_state: to,
            comment,
            created_at: db::now(),
        },
    )?;
    Ok(())
}

fn audit_program(
    conn: &mut DbConn,
    actor: &Actor,
    program_id: i64,
    action: &str,
    comment: Option<&str>,
) -> Result<(), AppError> {
    audit::record(
        conn,
        &audit::NewAudit {
            actor_id: Some(actor.user_id),
            entity_type: "program",
            entity_id: program_id,
            action,
            from_state: None,
            to_state: None,
            comment,
            created_at: db::now(),
        },
    )?;
    Ok(())
}

/// The program (visible to the actor) with its owner's path.
fn program_for(
    conn: &mut DbConn,
    actor: &Actor,
    program_id: i64,
) -> Result<(programs::ProgramRow, UnionPath), AppError> {
    let row = programs::find(conn, program_id)?.ok_or_else(AppError::not_found)?;
    let path = crate::service::programs::owner_path(conn, &row)?;
    let status = crate::service::programs::status_of(&row);
    if !can(
        actor,
        Action::ViewProgram,
        Resource::Program {
            owner_path: &path,
            status,
        },
    ) {
        return Err(AppError::not_found());
    }
    Ok((row, path))
}

/// May the actor set up this committee, assign and publish for it?
fn manages(conn: &mut DbConn, actor: &Actor, c: &CommitteeRow) -> Result<bool, AppError> {
    let program = programs::find(conn, c.program_id)?.ok_or_else(AppError::not_found)?;
    let owner = crate::service::programs::owner_path(conn, &program)?;
    let union_path = UnionPath::from_stored(c.union_path.clone());
    Ok(can(
        actor,
        Action::ManageCommittee,
        Resource::Committee {
            owner_path: &owner,
            union_path: &union_path,
        },
    ))
}

/// Why `user_id` may not review this initiative, if they may not.
fn conflict_of(
    conn: &mut DbConn,
    initiative_id: i64,
    union_id: i64,
    authors: &[i64],
    user_id: i64,
) -> Result<Option<(ConflictReason, Option<String>)>, AppError> {
    if authors.contains(&user_id) {
        return Ok(Some((ConflictReason::Author, None)));
    }
    if q::head_of(conn, union_id)? == Some(user_id) {
        return Ok(Some((ConflictReason::HeadOfUnit, None)));
    }
    Ok(q::conflicts(conn, initiative_id)?
        .into_iter()
        .find(|c| c.user_id == user_id)
        .map(|c| (ConflictReason::parse(&c.reason_code), c.note)))
}

fn conflict_error(reason: ConflictReason) -> AppError {
    AppError::new(ErrorCode::ConflictOfInterest).with_details(serde_json::json!({
        "reason": reason,
        "reason_name": reason.label(),
    }))
}

fn current_case(conn: &mut DbConn, initiative_id: i64) -> Result<CaseRow, AppError> {
    q::latest_case(conn, initiative_id)?.ok_or_else(|| {
        AppError::new(ErrorCode::InvalidState)
            .with_message("Sáng kiến chưa được đưa vào xét duyệt.")
    })
}

fn state_conflict(case: &CaseRow) -> AppError {
    let state = CaseState::parse(&case.state);
    AppError::new(ErrorCode::InvalidState)
        .with_message(match state {
            CaseState::Open => "Sáng kiến đang được xét, chưa có quyết định.",
            CaseState::Pending => "Sáng kiến đã có quyết định đang chờ công bố.",
            CaseState::Closed => "Sáng kiến đã có quyết định ở vòng xét này.",
        })
        .with_details(serde_json::json!({
            "state": state,
            "decision": case.decision,
            "decided_by": case.decided_by,
            "decided_at": case.decided_at.map(utc),
        }))
}

/// Moves an initiative to `to`, guarded by its version and status, and records it.
fn move_initiative(
    conn: &mut DbConn,
    actor: Option<i64>,
    id: i64,
    to: InitiativeStatus,
    action: &str,
    comment: Option<&str>,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let row = initiatives::find(conn, id)?.ok_or_else(AppError::not_found)?;
    let from = status_of(&row);
    if !from.can_become(to) {
        return Err(AppError::new(ErrorCode::InvalidState)
            .with_message(format!("Sáng kiến đang ở trạng thái \"{}\".", from.label()))
            .with_details(serde_json::json!({"status": from})));
    }
    if !initiatives::transition(
        conn,
        id,
        row.version,
        from.as_str(),
        to.as_str(),
        None,
        None,
        now,
    )? {
        return Err(stale(row.version));
    }
    record(
        conn,
        actor,
        id,
        action,
        Some(from.as_str()),
        Some(to.as_str()),
        comment,
    )
}

/// A submitted initiative that has a reviewer becomes "under review".
fn mark_under_review(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> Result<(), AppError> {
    let row = initiatives::find(conn, id)?.ok_or_else(AppError::not_found)?;
    if status_of(&row) == InitiativeStatus::Submitted {
        move_initiative(
            conn,
            None,
            id,
            InitiativeStatus::UnderReview,
            "under_review",
            None,
            now,
        )?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Entering review, routing and automatic assignment

/// Gives a new program the default stage (the owner's committee approves, one review) and
/// the regulation's rubric.
pub fn install_defaults(
    conn: &mut DbConn,
    program_id: i64,
    owner_level: i32,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    q::insert_stage(
        conn,
        program_id,
        1,
        &StageSettings {
            name: "Ban Tổ chức thông qua",
            union_level: owner_level,
            reviews_required: 1,
            blind_scoring: false,
            chair_publishes: false,
            auto_assign: true,
            due_days: None,
        },
        now,
    )?;
    store_rubric(conn, program_id, &default_rubric(), Aggregation::Mean)
}

fn store_rubric(
    conn: &mut DbConn,
    program_id: i64,
    criteria: &[Criterion],
    aggregation: Aggregation,
) -> Result<(), AppError> {
    let rows: Vec<q::NewCriterion<'_>> = criteria
        .iter()
        .map(|c| q::NewCriterion {
            code: &c.code,
            name: &c.name,
            description: &c.description,
            max_score: c.max_score,
            weight: c.weight,
            bands: serde_json::to_string(&c.bands).unwrap_or_else(|_| "[]".to_owned()),
        })
        .collect();
    q::replace_rubric(conn, program_id, &rows, aggregation.as_str())?;
    Ok(())
}

/// Called when an initiative has just been submitted (or resubmitted): keeps the submitted
/// version and opens a case at the first stage, or at the stage that returned it.
pub(crate) fn enter_in(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> Result<(), AppError> {
    let row = initiatives::find(conn, id)?.ok_or_else(AppError::not_found)?;
    let round = i32::try_from(q::versions(conn, id)?.len() + 1).unwrap_or(i32::MAX);
    let content = serde_json::json!({
        "current_situation": row.current_situation,
        "solution": row.solution,
        "scope": row.scope,
        "benefits": row.benefits,
        "first_applied_on": row.first_applied_on,
        "estimated_benefit_vnd": row.estimated_benefit_vnd,
        "field_id": row.field_id,
    });
    q::insert_version(conn, id, round, &row.title, &content.to_string(), now)?;
    let stages = q::stages(conn, row.program_id)?;
    let previous = q::latest_case(conn, id)?;
    let stage = match previous {
        Some(c) if c.decision.as_deref() == Some(Decision::Return.as_str()) => {
            stages.iter().find(|s| s.id == c.stage_id)
        }
        _ => stages.first(),
    };
    if let Some(stage) = stage {
        open_case(conn, &row, stage, now)?;
    }
    Ok(())
}

fn open_case(
    conn: &mut DbConn,
    row: &initiatives::InitiativeRow,
    stage: &StageRow,
    now: NaiveDateTime,
) -> Result<i64, AppError> {
    let round = i32::try_from(
        q::cases_of(conn, row.id)?
            .iter()
            .filter(|c| c.stage_id == stage.id)
            .count()
            + 1,
    )
    .unwrap_or(i32::MAX);
    let received = row.submitted_at.unwrap_or(now);
    let due = match stage.due_days {
        Some(days) => received + chrono::Duration::days(i64::from(days)),
        None => decision_due(received),
    };
    let committee = route_in(conn, &row.union_path, stage)?;
    let case_id = q::insert_case(
        conn,
        row.id,
        row.program_id,
        stage.id,
        committee,
        round,
        now,
        due,
    )?;
    if committee.is_some() {
        auto_assign_in(conn, case_id, now)?;
    }
    Ok(case_id)
}

fn route_in(
    conn: &mut DbConn,
    union_path: &str,
    stage: &StageRow,
) -> Result<Option<i64>, AppError> {
    let committees = q::stage_committees(conn, stage.id)?;
    if committees.is_empty() {
        return Ok(None);
    }
    let ids = UnionPath::from_stored(union_path.to_owned()).ids();
    let ancestry = q::ancestry(conn, &ids)?;
    Ok(route(&ancestry, stage.union_level, |u| {
        committees.contains_key(&u)
    })
    .and_then(|u| committees.get(&u).copied()))
}

/// Assigns the case's committee members with the fewest open reviews until the stage has
/// its reviews, respecting conflicts (recorded with their reason). Returns how many were
/// assigned.
fn auto_assign_in(conn: &mut DbConn, case_id: i64, now: NaiveDateTime) -> Result<usize, AppError> {
    let case = q::find_case(conn, case_id)?.ok_or_else(AppError::not_found)?;
    let (Some(committee_id), CaseState::Open) = (case.committee_id, CaseState::parse(&case.state))
    else {
        return Ok(0);
    };
    let stage = q::find_stage(conn, case.stage_id)?.ok_or_else(AppError::not_found)?;
    if !stage.auto_assign {
        return Ok(0);
    }
    let row = initiatives::find(conn, case.initiative_id)?.ok_or_else(AppError::not_found)?;
    let current = q::assignments(conn, case_id)?;
    let live = current
        .iter()
        .filter(|a| AssignmentState::parse(&a.state) != AssignmentState::Recused)
        .count();
    let need = usize::try_from(stage.reviews_required)
        .unwrap_or(1)
        .saturating_sub(live);
    if need == 0 {
        return Ok(0);
    }
    let members = q::members(conn, committee_id)?;
    let authors: Vec<i64> = initiatives::authors(conn, row.id)?
        .into_iter()
        .map(|a| a.user_id)
        .collect();
    let mut excluded = HashSet::new();
    for m in &members {
        if let Some((reason, note)) = conflict_of(conn, row.id, row.union_id, &authors, m.user_id)?
        {
            q::record_conflict(
                conn,
                row.id,
                m.user_id,
                reason.as_str(),
                note.as_deref(),
                now,
            )?;
            excluded.insert(m.user_id);
        }
    }
    let taken: HashSet<i64> = current.iter().map(|a| a.reviewer_id).collect();
    let ids: Vec<i64> = members.iter().map(|m| m.user_id).collect();
    let counts = q::open_review_counts(conn, &ids)?;
    let candidates: Vec<Candidate> = ids
        .iter()
        .map(|id| Candidate {
            user_id: *id,
            open_reviews: counts.get(id).copied().unwrap_or(0),
        })
        .collect();
    let preferred = q::earlier_reviewers(conn, row.id, stage.id)?;
    let chosen = pick_reviewers(&candidates, &excluded, &taken, &preferred, need);
    for reviewer in &chosen {
        if q::assign(conn, case_id, *reviewer, None, now)? {
            audit_case(
                conn,
                None,
                case_id,
                "assigned",
                Some("assigned"),
                Some(&format!("reviewer {reviewer}")),
            )?;
            crate::service::mail::assigned(conn, row.id, *reviewer, case.due_at, now)?;
        }
    }
    if !chosen.is_empty() {
        mark_under_review(conn, row.id, now)?;
    }
    Ok(chosen.len())
}

/// Routes the stage's cases still waiting for a committee (and the program's submitted
/// initiatives that never entered review) now that a committee exists.
fn route_waiting_in(
    conn: &mut DbConn,
    program_id: i64,
    stage: &StageRow,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    for id in q::without_case(conn, program_id)? {
        let row = initiatives::find(conn, id)?.ok_or_else(AppError::not_found)?;
        let stages = q::stages(conn, program_id)?;
        if let Some(first) = stages.first() {
            open_case(conn, &row, first, now)?;
        }
    }
    for (case_id, path) in q::unrouted(conn, stage.id)? {
        if let Some(committee) = route_in(conn, &path, stage)? {
            q::set_committee(conn, case_id, committee)?;
            auto_assign_in(conn, case_id, now)?;
        }
    }
    Ok(())
}

/// Fills the committee's open cases that lack reviewers (after a member joins or leaves).
fn fill_committee_in(
    conn: &mut DbConn,
    committee: &CommitteeRow,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let stage = q::find_stage(conn, committee.stage_id)?.ok_or_else(AppError::not_found)?;
    let (cases, _) = q::committee_cases(
        conn,
        committee.id,
        CaseState::Open.as_str(),
        Some(stage.reviews_required),
        100_000,
        0,
    )?;
    for c in cases {
        auto_assign_in(conn, c.case_id, now)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Program set-up: stages, rubric, committees

/// The stages of a program.
pub async fn stages(db: &Db, actor: &Actor, program_id: i64) -> Result<Vec<StageView>, AppError> {
    let actor = actor.clone();
    db.read(move |conn| {
        program_for(conn, &actor, program_id)?;
        Ok(q::stages(conn, program_id)?
            .iter()
            .map(StageView::from)
            .collect())
    })
    .await
}

/// Adds a stage (at the end, or at `position` while no initiative has entered review).
pub async fn add_stage(
    db: &Db,
    actor: &Actor,
    program_id: i64,
    input: StageInput,
) -> Result<Vec<StageView>, AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        crate::service::programs::load_managed(conn, &actor, program_id)?;
        let existing = q::stages(conn, program_id)?;
        if existing.len() >= 10 {
            return Err(AppError::field("position", "Tối đa 10 vòng xét duyệt."));
        }
        let end = i32::try_from(existing.len() + 1).unwrap_or(i32::MAX);
        let position = input.position.unwrap_or(end).clamp(1, end);
        if position < end && q::program_case_count(conn, program_id)? > 0 {
            return Err(AppError::new(ErrorCode::InvalidState).with_message(
                "Đã có sáng kiến đang xét: chỉ có thể thêm vòng mới vào cuối quy trình.",
            ));
        }
        let now = db::now();
        let id = q::insert_stage(conn, program_id, end + 100, &input.settings(), now)?;
        let mut order: Vec<i64> = existing.iter().map(|s| s.id).collect();
        order.insert(usize::try_from(position - 1).unwrap_or(0), id);
        q::reorder_stages(conn, program_id, &order)?;
        audit_program(conn, &actor, program_id, "stage_added", Some(&input.name))?;
        Ok(q::stages(conn, program_id)?
            .iter()
            .map(StageView::from)
            .collect())
    })
    .await
}

/// Changes a stage's settings; its level cannot change once initiatives have entered it.
pub async fn update_stage(
    db: &Db,
    actor: &Actor,
    program_id: i64,
    stage_id: i64,
    input: StageInput,
) -> Result<Vec<StageView>, AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        crate::service::programs::load_managed(conn, &actor, program_id)?;
        let stage = q::find_stage(conn, stage_id)?
            .filter(|s| s.program_id == program_id)
            .ok_or_else(AppError::not_found)?;
        if stage.union_level != input.union_level.as_i32()
            && q::stage_case_count(conn, stage_id)? > 0
        {
            return Err(AppError::new(ErrorCode::InvalidState).with_message(
                "Đã có sáng kiến ở vòng này: không thể đổi cấp công đoàn xét duyệt.",
            ));
        }
        q::update_stage(conn, stage_id, &input.settings())?;
        audit_program(conn, &actor, program_id, "stage_updated", Some(&input.name))?;
        Ok(q::stages(conn, program_id)?
            .iter()
            .map(StageView::from)
            .collect())
    })
    .await
}

/// Removes a stage that no initiative has entered and no committee serves.
pub async fn delete_stage(
    db: &Db,
    actor: &Actor,
    program_id: i64,
    stage_id: i64,
) -> Result<Vec<StageView>, AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        crate::service::programs::load_managed(conn, &actor, program_id)?;
        let stages = q::stages(conn, program_id)?;
        let stage = stages
            .iter()
            .find(|s| s.id == stage_id)
            .ok_or_else(AppError::not_found)?
            .clone();
        if stages.len() == 1 {
            return Err(AppError::new(ErrorCode::InvalidState)
                .with_message("Chương trình cần ít nhất một vòng xét duyệt."));
        }
        if q::stage_case_count(conn, stage_id)? > 0
            || !q::stage_committees(conn, stage_id)?.is_empty()
        {
            return Err(AppError::new(ErrorCode::InvalidState)
                .with_message("Vòng này đã có hội đồng hoặc sáng kiến: không thể xoá."));
        }
        q::delete_stage(conn, stage_id)?;
        let order: Vec<i64> = stages
            .iter()
            .filter(|s| s.id != stage_id)
            .map(|s| s.id)
            .collect();
        q::reorder_stages(conn, program_id, &order)?;
        audit_program(conn, &actor, program_id, "stage_removed", Some(&stage.name))?;
        Ok(q::stages(conn, program_id)?
            .iter()
            .map(StageView::from)
            .collect())
    })
    .await
}

/// A program's rubric.
pub async fn rubric(db: &Db, actor: &Actor, program_id: i64) -> Result<RubricView, AppError> {
    let actor = actor.clone();
    db.read(move |conn| {
        program_for(conn, &actor, program_id)?;
        rubric_in(conn, program_id)
    })
    .await
}

/// Replaces a program's rubric, until the first review is scored.
pub async fn set_rubric(
    db: &Db,
    actor: &Actor,
    program_id: i64,
    criteria: Vec<Criterion>,
    aggregation: Aggregation,
) -> Result<RubricView, AppError> {
    check_rubric(&criteria).map_err(|fields| {
        AppError::new(ErrorCode::ValidationFailed)
            .with_details(serde_json::json!({ "fields": fields }))
    })?;
    let actor = actor.clone();
    db.write(move |conn| {
        crate::service::programs::load_managed(conn, &actor, program_id)?;
        if q::program_has_scores(conn, program_id)? {
            return Err(AppError::new(ErrorCode::InvalidState)
                .with_message("Đã có phiếu chấm theo bảng tiêu chí này: không thể thay đổi."));
        }
        store_rubric(conn, program_id, &criteria, aggregation)?;
        audit_program(conn, &actor, program_id, "rubric_changed", None)?;
        rubric_in(conn, program_id)
    })
    .await
}

/// The committees of a program the actor manages or sits on (all of them for the program's
/// administrators).
pub async fn committees(
    db: &Db,
    actor: &Actor,
    program_id: i64,
) -> Result<Vec<CommitteeView>, AppError> {
    let actor = actor.clone();
    db.read(move |conn| {
        program_for(conn, &actor, program_id)?;
        let mut out = Vec::new();
        for c in q::committees_of_program(conn, program_id)? {
            let sits = q::membership(conn, c.id, actor.user_id)?.is_some();
            if sits || manages(conn, &actor, &c)? {
                out.push(committee_view(conn, c)?);
            }
        }
        Ok(out)
    })
    .await
}

/// The committees the actor sits on, across programs.
pub async fn my_committees(db: &Db, actor: &Actor) -> Result<Vec<CommitteeView>, AppError> {
    let user = actor.user_id;
    db.read(move |conn| {
        q::committees_of_user(conn, user)?
            .into_iter()
            .map(|c| committee_view(conn, c))
            .collect()
    })
    .await
}

fn committee_for(
    conn: &mut DbConn,
    actor: &Actor,
    committee_id: i64,
) -> Result<(CommitteeRow, Option<bool>, bool), AppError> {
    let c = q::find_committee(conn, committee_id)?.ok_or_else(AppError::not_found)?;
    let membership = q::membership(conn, committee_id, actor.user_id)?;
    let manages = manages(conn, actor, &c)?;
    if membership.is_none() && !manages {
        return Err(AppError::not_found());
    }
    Ok((c, membership, manages))
}

/// One committee.
pub async fn committee(db: &Db, actor: &Actor, id: i64) -> Result<CommitteeView, AppError> {
    let actor = actor.clone();
    db.read(move |conn| {
        let (c, _, _) = committee_for(conn, &actor, id)?;
        committee_view(conn, c)
    })
    .await
}

/// Sets up a committee for a stage at a union of the program's tree (at or above the
/// stage's level), and routes waiting initiatives to it.
pub async fn create_committee(
    db: &Db,
    actor: &Actor,
    program_id: i64,
    input: CommitteeInput,
) -> Result<CommitteeView, AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        let (program, owner_path) = program_for(conn, &actor, program_id)?;
        let stage = q::find_stage(conn, input.stage_id)?
            .filter(|s| s.program_id == program_id)
            .ok_or_else(|| {
                AppError::field("stage_id", "Vòng xét duyệt không thuộc chương trình.")
            })?;
        let union = unions::find(conn, input.union_id)?
            .ok_or_else(|| AppError::field("union_id", "Không tìm thấy công đoàn."))?;
        let union_path = UnionPath::from_stored(union.path.clone());
        if !owner_path.covers(&union_path) {
            return Err(AppError::field(
                "union_id",
                "Công đoàn không thuộc phạm vi chương trình.",
            ));
        }
        if union.level > stage.union_level {
            return Err(AppError::field(
                "union_id",
                format!(
                    "Vòng \"{}\" do {} xét: chọn công đoàn cấp đó hoặc cấp trên.",
                    stage.name,
                    UnionLevel::from_i32(stage.union_level).map_or("", UnionLevel::label)
                ),
            ));
        }
        if !can(
            &actor,
            Action::ManageCommittee,
            Resource::Committee {
                owner_path: &owner_path,
                union_path: &union_path,
            },
        ) {
            return Err(AppError::forbidden());
        }
        if q::stage_committees(conn, stage.id)?.contains_key(&union.id) {
            return Err(AppError::new(ErrorCode::AlreadyExists)
                .with_message("Công đoàn này đã có hội đồng cho vòng xét duyệt này."));
        }
        let name = input
            .name
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| format!("Hội đồng {} – {}", stage.name, union.name));
        let now = db::now();
        let id = q::insert_committee(conn, program.id, stage.id, union.id, &name, now)?;
        audit_program(conn, &actor, program.id, "committee_created", Some(&name))?;
        route_waiting_in(conn, program.id, &stage, now)?;
        let c = q::find_committee(conn, id)?.ok_or_else(AppError::not_found)?;
        committee_view(conn, c)
    })
    .await
}

/// Adds a member to a committee (or makes them chair); they receive the reviewer role over
/// the committee's union for the program, and open cases lacking reviewers are filled.
pub async fn put_member(
    db: &Db,
    actor: &Actor,
    committee_id: i64,
    user_id: i64,
    chair: bool,
) -> Result<CommitteeView, AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        let (c, _, manages) = committee_for(conn, &actor, committee_id)?;
        if !manages {
            return Err(AppError::forbidden());
        }
        let user = users::find(conn, user_id)?
            .filter(|u| u.status == "active")
            .ok_or_else(|| {
                AppError::field("user_id", "Không tìm thấy người dùng đang hoạt động.")
            })?;
        let now = db::now();
        q::put_member(conn, committee_id, user.id, chair, now)?;
        users::grant(
            conn,
            user.id,
            Role::Reviewer.as_str(),
            c.union_id,
            Some(c.program_id),
            Some(actor.user_id),
            now,
        )?;
        audit_program(
            conn,
            &actor,
            c.program_id,
            if chair {
                "committee_chair_set"
            } else {
                "committee_member_added"
            },
            Some(&format!("{} → {}", user.full_name, c.name)),
        )?;
        fill_committee_in(conn, &c, now)?;
        committee_view(conn, c)
    })
    .await
}

/// Removes a member: their unscored reviews in open cases go to others.
pub async fn remove_member(
    db: &Db,
    actor: &Actor,
    committee_id: i64,
    user_id: i64,
) -> Result<CommitteeView, AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        let (c, _, manages) = committee_for(conn, &actor, committee_id)?;
        if !manages {
            return Err(AppError::forbidden());
        }
        if !q::remove_member(conn, committee_id, user_id)? {
            return Err(AppError::not_found());
        }
        let now = db::now();
        let (cases, _) = q::committee_cases(conn, committee_id, "open", None, 100_000, 0)?;
        for case in &cases {
            q::unassign(conn, case.case_id, user_id)?;
        }
        audit_program(
            conn,
            &actor,
            c.program_id,
            "committee_member_removed",
            Some(&format!("user {user_id} ← {}", c.name)),
        )?;
        fill_committee_in(conn, &c, now)?;
        committee_view(conn, c)
    })
    .await
}

/// Records (or clears) the head (thủ trưởng) of a union, who never reviews its initiatives.
pub async fn set_head(
    db: &Db,
    actor: &Actor,
    union_id: i64,
    user_id: Option<i64>,
) -> Result<(), AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        let union = unions::find(conn, union_id)?.ok_or_else(AppError::not_found)?;
        let path = UnionPath::from_stored(union.path.clone());
        if !can(&actor, Action::ManageUnion, Resource::Union { path: &path }) {
            return Err(AppError::forbidden());
        }
        if let Some(u) = user_id {
            let user = users::find(conn, u)?
                .ok_or_else(|| AppError::field("user_id", "Không tìm thấy người dùng."))?;
            // The head belongs to the union or one below it (the page and the API alike).
            let own = unions::find(conn, user.union_id)?.ok_or_else(AppError::not_found)?;
            if !path.covers(&UnionPath::from_stored(own.path)) {
                return Err(AppError::field(
                    "user_id",
                    "Thủ trưởng phải là người thuộc đơn vị này hoặc đơn vị cấp dưới.",
                ));
            }
        }
        q::set_head(conn, union_id, user_id)?;
        audit::record(
            conn,
            &audit::NewAudit {
                actor_id: Some(actor.user_id),
                entity_type: "union",
                entity_id: union_id,
                action: "head_set",
                from_state: None,
                to_state: None,
                comment: user_id.map(|u| format!("user {u}")).as_deref(),
                created_at: db::now(),
            },
        )?;
        Ok(())
    })
    .await
}

// ---------------------------------------------------------------------------------------
// Reviewing

/// The review page of an initiative: for members of its current committee (not in conflict)
/// and those who manage the committee.
pub async fn review(db: &Db, actor: &Actor, initiative_id: i64) -> Result<ReviewView, AppError> {
    let actor = actor.clone();
    db.read(move |conn| review_in(conn, &actor, initiative_id))
        .await
}

fn review_in(conn: &mut DbConn, actor: &Actor, initiative_id: i64) -> Result<ReviewView, AppError> {
    review_case_in(conn, actor, initiative_id, None)
}

/// The review page of one of the initiative's cases (the latest when `case_id` is `None`).
fn review_case_in(
    conn: &mut DbConn,
    actor: &Actor,
    initiative_id: i64,
    case_id: Option<i64>,
) -> Result<ReviewView, AppError> {
    let (row, path, authors) = load(conn, initiative_id)?;
    crate::service::initiatives::authorize(actor, Action::ViewInitiative, &row, &path, &authors)?;
    let case = match case_id {
        Some(id) => q::find_case(conn, id)?
            .filter(|c| c.initiative_id == initiative_id)
            .ok_or_else(AppError::not_found)?,
        None => current_case(conn, initiative_id)?,
    };
    let committee = match case.committee_id {
        Some(id) => q::find_committee(conn, id)?,
        None => None,
    };
    let membership = match &committee {
        Some(c) => q::membership(conn, c.id, actor.user_id)?,
        None => None,
    };
    let can_manage = match &committee {
        Some(c) => manages(conn, actor, c)?,
        None => {
            let program = programs::find(conn, row.program_id)?.ok_or_else(AppError::not_found)?;
            let owner = crate::service::programs::owner_path(conn, &program)?;
            actor.has_role_over(Role::ProgramAdmin, &owner)
        }
    };
    if membership.is_none() && !can_manage {
        return Err(AppError::forbidden());
    }
    if membership.is_some()
        && let Some((reason, _)) = conflict_of(conn, row.id, row.union_id, &authors, actor.user_id)?
    {
        return Err(conflict_error(reason));
    }
    let is_chair = membership == Some(true);
    let stages = q::stages(conn, row.program_id)?;
    let stage = stages
        .iter()
        .find(|s| s.id == case.stage_id)
        .ok_or_else(AppError::not_found)?
        .clone();
    let all_cases = q::cases_of(conn, initiative_id)?;
    let mut names = HashMap::new();
    for c in q::committees_of_program(conn, row.program_id)? {
        names.insert(c.id, c.name);
    }
    let now = db::now();
    let assignments = q::assignments(conn, case.id)?;
    let mine = assignments
        .iter()
        .find(|a| a.reviewer_id == actor.user_id)
        .map(score_view);
    let scored: Vec<&q::AssignmentRow> = assignments
        .iter()
        .filter(|a| AssignmentState::parse(&a.state) == AssignmentState::Scored)
        .collect();
    let i_scored = mine
        .as_ref()
        .is_some_and(|m| m.state == AssignmentState::Scored);
    let scores_hidden = stage.blind_scoring && !is_chair && !can_manage && !i_scored;
    let rubric = rubric_in(conn, row.program_id)?;
    let totals: Vec<f64> = scored.iter().filter_map(|a| a.total).collect();
    let committee_score = if scores_hidden {
        None
    } else {
        rubric.aggregation.combine(&totals)
    };
    let scores = if scores_hidden {
        Vec::new()
    } else {
        scored.iter().map(|a| score_view(a)).collect()
    };
    let open = CaseState::parse(&case.state) == CaseState::Open;
    let assigned = mine
        .as_ref()
        .is_some_and(|m| m.state != AssignmentState::Recused);
    let duplicates = crate::db::duplicates::for_initiative(conn, initiative_id)?
        .into_iter()
        .map(|c| {
            let status = InitiativeStatus::parse(&c.status).unwrap_or(InitiativeStatus::Submitted);
            DuplicateCandidateView {
                initiative_id: c.candidate_id,
                title: c.title,
                status,
                status_name: status.label(),
                submitted_at: c.submitted_at.map(utc),
                score: c.score,
                verdict: c.verdict,
                detected_at: utc(c.detected_at),
            }
        })
        .collect();
    let conflicts = q::conflicts(conn, initiative_id)?
        .into_iter()
        .map(|c| {
            let reason = ConflictReason::parse(&c.reason_code);
            ConflictView {
                user_id: c.user_id,
                full_name: c.full_name,
                reason,
                reason_name: reason.label(),
                note: c.note,
                recorded_at: utc(c.recorded_at),
            }
        })
        .collect();
    let rounds = i32::try_from(q::versions(conn, initiative_id)?.len()).unwrap_or(0);
    Ok(ReviewView {
        case: case_view(&case, &stages, &names, now),
        earlier: all_cases
            .iter()
            .filter(|c| c.id != case.id)
            .map(|c| case_view(c, &stages, &names, now))
            .collect(),
        stage_count: stages.len(),
        reviews_required: stage.reviews_required,
        reviews_scored: scored.len(),
        blind_scoring: stage.blind_scoring,
        rubric,
        assignments: assignments
            .iter()
            .map(|a| AssignmentView {
                reviewer_id: a.reviewer_id,
                reviewer_name: a.reviewer_name.clone(),
                state: AssignmentState::parse(&a.state),
                assigned_by: a.assigned_by,
                assigned_at: utc(a.assigned_at),
            })
            .collect(),
        mine,
        scores,
        scores_hidden,
        committee_score,
        duplicates,
        conflicts,
        rounds,
        is_chair,
        can_score: open && assigned,
        can_decide: open && (assigned || is_chair),
        can_manage,
        initiative: full_view(conn, row)?,
    })
}

/// The caller's committee membership for the initiative's open case, refusing those with a
/// conflict. Returns `(case, row, is_chair)`.
fn acting_member(
    conn: &mut DbConn,
    actor: &Actor,
    initiative_id: i64,
) -> Result<(CaseRow, initiatives::InitiativeRow, Vec<i64>, bool), AppError> {
    let (row, path, authors) = load(conn, initiative_id)?;
    crate::service::initiatives::authorize(actor, Action::ViewInitiative, &row, &path, &authors)?;
    let case = current_case(conn, initiative_id)?;
    let membership = match case.committee_id {
        Some(c) => q::membership(conn, c, actor.user_id)?,
        None => None,
    };
    let Some(is_chair) = membership else {
        return Err(
            AppError::forbidden().with_message("Bạn không thuộc hội đồng đang xét sáng kiến này.")
        );
    };
    if let Some((reason, _)) = conflict_of(conn, row.id, row.union_id, &authors, actor.user_id)? {
        return Err(conflict_error(reason));
    }
    Ok((case, row, authors, is_chair))
}

/// Records (or replaces) the caller's scores while the case is open.
pub async fn score(
    db: &Db,
    actor: &Actor,
    initiative_id: i64,
    input: ScoreInput,
) -> Result<ReviewView, AppError> {
    let writer = actor.clone();
    db.write(move |conn| {
        let actor = writer;
        let (case, row, _, _) = acting_member(conn, &actor, initiative_id)?;
        if CaseState::parse(&case.state) != CaseState::Open {
            return Err(state_conflict(&case));
        }
        let criteria = criteria_of(conn, row.program_id)?;
        let total = weighted_total(&criteria, &input.scores).map_err(|fields| {
            AppError::new(ErrorCode::ValidationFailed)
                .with_details(serde_json::json!({ "fields": fields }))
        })?;
        let now = db::now();
        let stored = q::score(
            conn,
            case.id,
            actor.user_id,
            &q::NewScores {
                scores: serde_json::to_string(&input.scores).unwrap_or_else(|_| "{}".to_owned()),
                total,
                recommendation: input.recommendation.map(Decision::as_str),
                comment: input.comment.as_deref(),
                now,
            },
        )?;
        if !stored {
            return Err(
                AppError::forbidden().with_message("Bạn chưa được phân công chấm sáng kiến này.")
            );
        }
        audit_case(
            conn,
            Some(actor.user_id),
            case.id,
            "scored",
            Some("scored"),
            Some(&format!("{total:.1}")),
        )?;
        mark_under_review(conn, row.id, now)?;
        Ok(())
    })
    .await?;
    // The answer is read after the commit, outside the writer's lock.
    review(db, actor, initiative_id).await
}

/// Declares a conflict of interest: the caller steps aside (the reason is recorded) and
/// another member takes the review.
pub async fn declare_conflict(
    db: &Db,
    actor: &Actor,
    initiative_id: i64,
    note: String,
) -> Result<(), AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        let (case, row, _, _) = acting_member(conn, &actor, initiative_id)?;
        let now = db::now();
        q::record_conflict(
            conn,
            row.id,
            actor.user_id,
            ConflictReason::Declared.as_str(),
            Some(&note),
            now,
        )?;
        if CaseState::parse(&case.state) == CaseState::Open {
            q::recuse(conn, case.id, actor.user_id)?;
            auto_assign_in(conn, case.id, now)?;
        }
        audit_case(
            conn,
            Some(actor.user_id),
            case.id,
            "conflict_declared",
            Some("recused"),
            Some(&note),
        )?;
        Ok(())
    })
    .await
}

fn check_decision(
    conn: &mut DbConn,
    row: &initiatives::InitiativeRow,
    input: &DecisionInput,
) -> Result<(), AppError> {
    match input.decision {
        Decision::Reject => {
            if input
                .reason_code
                .as_deref()
                .and_then(reason_label)
                .is_none()
            {
                return Err(AppError::field(
                    "reason_code",
                    "Chọn lý do không thông qua.",
                ));
            }
        }
        Decision::Return => {
            if input.note.as_deref().is_none_or(str::is_empty) {
                return Err(AppError::field(
                    "note",
                    "Ghi rõ nội dung tác giả cần chỉnh sửa.",
                ));
            }
        }
        Decision::Duplicate => {
            let Some(other) = input.duplicate_of else {
                return Err(AppError::field(
                    "duplicate_of",
                    "Chọn sáng kiến bị trùng lặp.",
                ));
            };
            let earlier = initiatives::find(conn, other)?.filter(|o| {
                o.id != row.id
                    && o.status != InitiativeStatus::Draft.as_str()
                    && o.submitted_at.is_some()
            });
            let Some(earlier) = earlier else {
                return Err(AppError::field(
                    "duplicate_of",
                    "Không tìm thấy sáng kiến đã nộp với mã này.",
                ));
            };
            if (earlier.submitted_at, earlier.id) > (row.submitted_at, row.id) {
                return Err(AppError::field(
                    "duplicate_of",
                    "Sáng kiến bị trùng phải được nộp trước sáng kiến này.",
                ));
            }
        }
        Decision::Approve => {}
    }
    Ok(())
}

/// Records the stage's decision. It takes effect at once, unless the stage leaves
/// publication to the chair (or the decider holds it): then it waits, pending. Of two members
/// deciding at once, one succeeds and the other gets 409 with the current state.
pub async fn decide(
    db: &Db,
    search: &Arc<SearchService>,
    actor: &Actor,
    initiative_id: i64,
    input: DecisionInput,
) -> Result<DecisionOutcome, AppError> {
    let writer = actor.clone();
    let outcome = db
        .write(move |conn| {
            let actor = writer;
            let (case, row, _, is_chair) = acting_member(conn, &actor, initiative_id)?;
            if CaseState::parse(&case.state) != CaseState::Open {
                return Err(state_conflict(&case));
            }
            let assignments = q::assignments(conn, case.id)?;
            let assigned = assignments.iter().any(|a| {
                a.reviewer_id == actor.user_id
                    && AssignmentState::parse(&a.state) != AssignmentState::Recused
            });
            if !assigned && !is_chair {
                return Err(AppError::forbidden().with_message(
                    "Chỉ thành viên được phân công hoặc chủ tịch hội đồng mới được quyết định.",
                ));
            }
            check_decision(conn, &row, &input)?;
            let stage = q::find_stage(conn, case.stage_id)?.ok_or_else(AppError::not_found)?;
            let scored = assignments
                .iter()
                .filter(|a| AssignmentState::parse(&a.state) == AssignmentState::Scored)
                .count();
            let required = usize::try_from(stage.reviews_required).unwrap_or(1);
            if input.decision == Decision::Approve && scored < required {
                return Err(AppError::new(ErrorCode::ReviewsIncomplete)
                    .with_details(serde_json::json!({"required": required, "scored": scored})));
            }
            let publish = !input.hold && (!stage.chair_publishes || is_chair);
            let now = db::now();
            let recorded = q::decide(
                conn,
                case.id,
                &NewDecision {
                    decision: input.decision.as_str(),
                    reason_code: input.reason_code.as_deref(),
                    note: input.note.as_deref(),
                    duplicate_of_id: input.duplicate_of,
                    decided_by: actor.user_id,
                    now,
                    publish,
                },
            )?;
            if !recorded {
                let current = q::find_case(conn, case.id)?.ok_or_else(AppError::not_found)?;
                return Err(state_conflict(&current));
            }
            audit_case(
                conn,
                Some(actor.user_id),
                case.id,
                if publish {
                    "decided"
                } else {
                    "decision_recorded"
                },
                Some(input.decision.as_str()),
                input.note.as_deref(),
            )?;
            if publish {
                let case = q::find_case(conn, case.id)?.ok_or_else(AppError::not_found)?;
                apply_in(conn, actor.user_id, &case, now)?;
            }
            outcome_in(conn, &row, case.id, now)
        })
        .await?;
    search.wake();
    Ok(outcome)
}

/// The outcome of the decision just recorded on `case_id`.
fn outcome_in(
    conn: &mut DbConn,
    row: &initiatives::InitiativeRow,
    case_id: i64,
    now: NaiveDateTime,
) -> Result<DecisionOutcome, AppError> {
    let decided = q::find_case(conn, case_id)?.ok_or_else(AppError::not_found)?;
    let next = q::latest_case(conn, row.id)?.filter(|c| c.id != case_id);
    let stages = q::stages(conn, row.program_id)?;
    let mut names = HashMap::new();
    for id in [
        decided.committee_id,
        next.as_ref().and_then(|c| c.committee_id),
    ]
    .into_iter()
    .flatten()
    {
        if let Some(c) = q::find_committee(conn, id)? {
            names.insert(id, c.name);
        }
    }
    let status = initiatives::find(conn, row.id)?
        .ok_or_else(AppError::not_found)?
        .status;
    Ok(DecisionOutcome {
        initiative_id: row.id,
        status,
        case: case_view(&decided, &stages, &names, now),
        next_case: next.map(|c| case_view(&c, &stages, &names, now)),
    })
}

/// Makes a published decision take effect on the initiative: the next stage, or approved,
/// rejected, returned, or marked duplicate — recorded on its timeline (authors learn now).
fn apply_in(
    conn: &mut DbConn,
    actor_id: i64,
    case: &CaseRow,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let decision = case
        .decision
        .as_deref()
        .and_then(Decision::parse)
        .ok_or_else(|| AppError::internal("a published case without a decision"))?;
    let id = case.initiative_id;
    let stages = q::stages(conn, case.program_id)?;
    let stage = stages.iter().find(|s| s.id == case.stage_id);
    let note = case.decision_note.as_deref();
    match decision {
        Decision::Approve => {
            let position = stage.map_or(i32::MAX, |s| s.position);
            if let Some(next) = stages.iter().find(|s| s.position > position) {
                mark_under_review(conn, id, now)?;
                let row = initiatives::find(conn, id)?.ok_or_else(AppError::not_found)?;
                record(
                    conn,
                    actor_id,
                    id,
                    "stage_approved",
                    Some(row.status.as_str()),
                    Some(row.status.as_str()),
                    Some(&format!(
                        "{}: thông qua; chuyển sang \"{}\".",
                        stage.map_or("", |s| s.name.as_str()),
                        next.name
                    )),
                )?;
                open_case(conn, &row, next, now)?;
            } else {
                move_initiative(
                    conn,
                    Some(actor_id),
                    id,
                    InitiativeStatus::Approved,
                    "approved",
                    note,
                    now,
                )?;
            }
        }
        Decision::Reject => {
            let reason = case
                .reason_code
                .as_deref()
                .and_then(reason_label)
                .unwrap_or("");
            let comment = match note {
                Some(n) if !n.is_empty() => format!("{reason}. {n}"),
                _ => reason.to_owned(),
            };
            move_initiative(
                conn,
                Some(actor_id),
                id,
                InitiativeStatus::Rejected,
                "rejected",
                Some(&comment),
                now,
            )?;
        }
        Decision::Return => move_initiative(
            conn,
            Some(actor_id),
            id,
            InitiativeStatus::Returned,
            "returned",
            note,
            now,
        )?,
        Decision::Duplicate => {
            let other = match case.duplicate_of_id {
                Some(o) => initiatives::find(conn, o)?,
                None => None,
            };
            // The comment reaches the authors (history, email) and whoever reads this
            // initiative: it names the earlier one only when its title is open to anyone.
            let note = note.map(|n| format!(" {n}")).unwrap_or_default();
            let comment = other.map_or_else(String::new, |o| {
                let status =
                    InitiativeStatus::parse(&o.status).unwrap_or(InitiativeStatus::Submitted);
                if crate::domain::initiative::title_is_open(status, o.confidential) {
                    format!(
                        "Trùng lặp với sáng kiến {} \"{}\".{note}",
                        o.receipt_no.unwrap_or_else(|| format!("#{}", o.id)),
                        o.title,
                    )
                } else {
                    format!("Trùng lặp với một sáng kiến bảo mật đã nộp trước.{note}")
                }
            });
            move_initiative(
                conn,
                Some(actor_id),
                id,
                InitiativeStatus::Duplicate,
                "duplicate",
                Some(&comment),
                now,
            )?;
        }
    }
    Ok(())
}

/// Which pending decisions a publication covers: always said explicitly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublishScope {
    /// Every pending decision of the committee.
    All,
    /// Only the pending decisions of these initiatives (at least one).
    Only(Vec<i64>),
}

impl PublishScope {
    fn covers(&self, initiative_id: i64) -> bool {
        match self {
            Self::All => true,
            Self::Only(ids) => ids.contains(&initiative_id),
        }
    }
}

/// Publishes a committee's pending decisions in `scope`: the chair or whoever manages the
/// committee. Returns how many were published.
pub async fn publish(
    db: &Db,
    search: &Arc<SearchService>,
    actor: &Actor,
    committee_id: i64,
    scope: PublishScope,
) -> Result<usize, AppError> {
    if scope == PublishScope::Only(Vec::new()) {
        return Err(AppError::field(
            "initiative_ids",
            "Chọn quyết định cần công bố.",
        ));
    }
    let actor = actor.clone();
    let n = db
        .write(move |conn| {
            let (c, membership, manages) = committee_for(conn, &actor, committee_id)?;
            if membership != Some(true) && !manages {
                return Err(AppError::forbidden()
                    .with_message("Chỉ chủ tịch hội đồng mới được công bố quyết định."));
            }
            let now = db::now();
            let mut n = 0;
            for case in q::pending_of(conn, committee_id)? {
                if !scope.covers(case.initiative_id) {
                    continue;
                }
                if q::publish(conn, case.id, actor.user_id, now)? {
                    apply_in(conn, actor.user_id, &case, now)?;
                    audit_case(conn, Some(actor.user_id), case.id, "published", None, None)?;
                    n += 1;
                }
            }
            audit_program(
                conn,
                &actor,
                c.program_id,
                "decisions_published",
                Some(&format!("{n} — {}", c.name)),
            )?;
            Ok(n)
        })
        .await?;
    search.wake();
    Ok(n)
}

/// Withdraws a pending decision so that the case is open again (chair or manager).
pub async fn withdraw(db: &Db, actor: &Actor, initiative_id: i64) -> Result<ReviewView, AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        let case = current_case(conn, initiative_id)?;
        let committee_id = case.committee_id.ok_or_else(AppError::forbidden)?;
        let (_, membership, manages) = committee_for(conn, &actor, committee_id)?;
        if membership != Some(true) && !manages {
            return Err(AppError::forbidden());
        }
        if !q::withdraw(conn, case.id)? {
            return Err(state_conflict(&case));
        }
        audit_case(
            conn,
            Some(actor.user_id),
            case.id,
            "decision_withdrawn",
            Some("open"),
            None,
        )?;
        review_in(conn, &actor, initiative_id)
    })
    .await
}

/// Assigns a member of the committee to review each of the initiatives (chair or manager).
pub async fn assign(
    db: &Db,
    actor: &Actor,
    committee_id: i64,
    initiative_ids: Vec<i64>,
    reviewer_id: i64,
) -> Result<Vec<AssignOutcome>, AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        let (_, membership, manages) = committee_for(conn, &actor, committee_id)?;
        if membership != Some(true) && !manages {
            return Err(
                AppError::forbidden().with_message("Chỉ chủ tịch hội đồng mới được phân công.")
            );
        }
        if q::membership(conn, committee_id, reviewer_id)?.is_none() {
            return Err(AppError::field(
                "reviewer_id",
                "Người được phân công không thuộc hội đồng.",
            ));
        }
        let now = db::now();
        let mut out = Vec::new();
        for id in initiative_ids {
            let outcome = |result: &str, message: &str| AssignOutcome {
                initiative_id: id,
                result: result.to_owned(),
                message: message.to_owned(),
            };
            let case = q::latest_case(conn, id)?.filter(|c| {
                c.committee_id == Some(committee_id)
                    && CaseState::parse(&c.state) == CaseState::Open
            });
            let Some(case) = case else {
                out.push(outcome(
                    "not_in_committee",
                    "Sáng kiến không đang chờ hội đồng này xét.",
                ));
                continue;
            };
            let row = initiatives::find(conn, id)?.ok_or_else(AppError::not_found)?;
            let authors: Vec<i64> = initiatives::authors(conn, id)?
                .into_iter()
                .map(|a| a.user_id)
                .collect();
            if let Some((reason, note)) =
                conflict_of(conn, id, row.union_id, &authors, reviewer_id)?
            {
                q::record_conflict(conn, id, reviewer_id, reason.as_str(), note.as_deref(), now)?;
                out.push(outcome("conflict", reason.label()));
                continue;
            }
            if q::assign(conn, case.id, reviewer_id, Some(actor.user_id), now)? {
                audit_case(
                    conn,
                    Some(actor.user_id),
                    case.id,
                    "assigned",
                    Some("assigned"),
                    Some(&format!("reviewer {reviewer_id}")),
                )?;
                crate::service::mail::assigned(conn, id, reviewer_id, case.due_at, now)?;
                mark_under_review(conn, id, now)?;
                out.push(outcome("assigned", "Đã phân công."));
            } else {
                out.push(outcome("already_assigned", "Đã được phân công từ trước."));
            }
        }
        Ok(out)
    })
    .await
}

/// Takes an unscored review away from a reviewer (chair or manager).
pub async fn unassign(
    db: &Db,
    actor: &Actor,
    committee_id: i64,
    initiative_id: i64,
    reviewer_id: i64,
) -> Result<(), AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        let (_, membership, manages) = committee_for(conn, &actor, committee_id)?;
        if membership != Some(true) && !manages {
            return Err(AppError::forbidden());
        }
        let case = current_case(conn, initiative_id)?;
        if case.committee_id != Some(committee_id) || !q::unassign(conn, case.id, reviewer_id)? {
            return Err(AppError::new(ErrorCode::InvalidState)
                .with_message("Không có phân công chưa chấm nào để huỷ."));
        }
        audit_case(
            conn,
            Some(actor.user_id),
            case.id,
            "unassigned",
            None,
            Some(&format!("reviewer {reviewer_id}")),
        )?;
        Ok(())
    })
    .await
}

/// The caller's queue: their reviews of open or pending cases, due first, with progress.
pub async fn queue(
    db: &Db,
    actor: &Actor,
    query: QueueQuery,
    page: PageRequest,
) -> Result<QueueView, AppError> {
    let (limit, offset, page, per_page) = page.resolve()?;
    let user = actor.user_id;
    db.read(move |conn| {
        let subtree = match query.union_id {
            Some(u) => Some(
                unions::find(conn, u)?
                    .ok_or_else(|| AppError::field("union_id", "Không tìm thấy công đoàn."))?
                    .path,
            ),
            None => None,
        };
        let filter = q::QueueFilter {
            program_id: query.program_id,
            stage_id: query.stage_id,
            field_id: query.field_id,
            subtree,
            has_duplicates: query.has_duplicates,
            not_scored: query.not_scored,
        };
        let (rows, total, scored) = q::queue(conn, user, &filter, limit, offset)?;
        let now = db::now();
        Ok(QueueView {
            items: rows
                .into_iter()
                .map(|r| {
                    let state = CaseState::parse(&r.state);
                    QueueItem {
                        initiative_id: r.initiative_id,
                        title: r.title,
                        receipt_no: r.receipt_no,
                        union_name: r.union_name,
                        field_name: r.field_name,
                        stage_name: r.stage_name,
                        state,
                        due_at: utc(r.due_at),
                        overdue: state == CaseState::Open && r.due_at < now,
                        scored: AssignmentState::parse(&r.my_state) == AssignmentState::Scored,
                        my_total: r.my_total,
                        duplicate_count: r.duplicate_count,
                    }
                })
                .collect(),
            total,
            scored,
            shown: if query.not_scored {
                total - scored
            } else {
                total
            },
            page,
            per_page,
        })
    })
    .await
}

fn board_item(r: q::BoardRow, now: NaiveDateTime) -> BoardItem {
    let decision = r.decision.as_deref().and_then(Decision::parse);
    BoardItem {
        initiative_id: r.initiative_id,
        title: r.title,
        receipt_no: r.receipt_no,
        union_name: r.union_name,
        due_at: utc(r.due_at),
        overdue: r.state == "open" && r.due_at < now,
        decision,
        decision_name: decision.map(Decision::label),
    }
}

/// The chair's board: progress per reviewer, cases lacking reviewers, pending decisions.
pub async fn board(
    db: &Db,
    actor: &Actor,
    committee_id: i64,
    request: BoardRequest,
) -> Result<BoardView, AppError> {
    let (limit, offset, page, per_page) = PageRequest {
        page: request.page,
        per_page: request.per_page,
    }
    .resolve()?;
    let (_, pending_offset, pending_page, _) = PageRequest {
        page: request.pending_page,
        per_page: request.per_page,
    }
    .resolve()
    .map_err(|_| AppError::field("pending_page", "Số trang phải từ 1 trở lên."))?;
    let actor = actor.clone();
    db.read(move |conn| {
        let (c, membership, manages) = committee_for(conn, &actor, committee_id)?;
        if membership != Some(true) && !manages {
            return Err(
                AppError::forbidden().with_message("Bảng điều phối dành cho chủ tịch hội đồng.")
            );
        }
        let stage = q::find_stage(conn, c.stage_id)?.ok_or_else(AppError::not_found)?;
        let counts = q::committee_counts(conn, committee_id)?;
        let progress: HashMap<i64, (i64, i64)> = q::committee_progress(conn, committee_id)?
            .into_iter()
            .map(|(reviewer, assigned, scored)| {
                (reviewer, (i64::from(assigned), i64::from(scored)))
            })
            .collect();
        let committee = committee_view(conn, c)?;
        let reviewers = committee
            .members
            .iter()
            .map(|m| {
                let (assigned, scored) = progress.get(&m.user_id).copied().unwrap_or_default();
                ReviewerProgress {
                    user_id: m.user_id,
                    full_name: m.full_name.clone(),
                    is_chair: m.is_chair,
                    assigned,
                    scored,
                }
            })
            .collect();
        let now = db::now();
        let (rows, total) = q::committee_cases(
            conn,
            committee_id,
            "open",
            Some(stage.reviews_required),
            limit,
            offset,
        )?;
        let (pending_rows, pending_total) =
            q::committee_cases(conn, committee_id, "pending", None, limit, pending_offset)?;
        Ok(BoardView {
            committee,
            reviews_required: stage.reviews_required,
            chair_publishes: stage.chair_publishes,
            open: counts.get("open").copied().unwrap_or(0),
            pending: counts.get("pending").copied().unwrap_or(0),
            reviewers,
            unassigned: Page {
                items: rows.into_iter().map(|r| board_item(r, now)).collect(),
                total,
                page,
                per_page,
            },
            pending_decisions: Page {
                items: pending_rows
                    .into_iter()
                    .map(|r| board_item(r, now))
                    .collect(),
                total: pending_total,
                page: pending_page,
                per_page,
            },
            is_chair: membership == Some(true),
        })
    })
    .await
}

// ---------------------------------------------------------------------------------------
// After the decision: revocation, awards, versions

fn concluding(
    conn: &mut DbConn,
    actor: &Actor,
    initiative_id: i64,
) -> Result<initiatives::InitiativeRow, AppError> {
    let (row, path, authors) = load(conn, initiative_id)?;
    crate::service::initiatives::authorize(actor, Action::ViewInitiative, &row, &path, &authors)?;
    let program = programs::find(conn, row.program_id)?.ok_or_else(AppError::not_found)?;
    let owner = crate::service::programs::owner_path(conn, &program)?;
    if !can(
        actor,
        Action::ConcludeInitiative,
        Resource::Program {
            owner_path: &owner,
            status: crate::service::programs::status_of(&program),
        },
    ) {
        return Err(AppError::forbidden());
    }
    Ok(row)
}

/// Revokes an approval (e.g. fraud found later), with a reason: the owning union only. It
/// stops counting toward quotas and loses any award.
pub async fn revoke(
    db: &Db,
    search: &Arc<SearchService>,
    actor: &Actor,
    initiative_id: i64,
    reason: String,
) -> Result<InitiativeView, AppError> {
    let actor = actor.clone();
    let view = db
        .write(move |conn| {
            concluding(conn, &actor, initiative_id)?;
            let now = db::now();
            move_initiative(
                conn,
                Some(actor.user_id),
                initiative_id,
                InitiativeStatus::Revoked,
                "revoked",
                Some(&reason),
                now,
            )?;
            q::clear_award(conn, initiative_id)?;
            let row = initiatives::find(conn, initiative_id)?.ok_or_else(AppError::not_found)?;
            full_view(conn, row)
        })
        .await?;
    search.wake();
    Ok(view)
}

/// An initiative's award.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AwardView {
    pub level: String,
    pub level_name: String,
    pub note: Option<String>,
    pub awarded_at: DateTime<Utc>,
}

/// Marks an approved initiative outstanding with an award level (or clears it with `None`):
/// the owning union only.
pub async fn award(
    db: &Db,
    actor: &Actor,
    initiative_id: i64,
    level: Option<String>,
    note: Option<String>,
) -> Result<Option<AwardView>, AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        let row = concluding(conn, &actor, initiative_id)?;
        if status_of(&row) != InitiativeStatus::Approved {
            return Err(AppError::new(ErrorCode::InvalidState)
                .with_message("Chỉ sáng kiến đã được thông qua mới được khen thưởng."));
        }
        let now = db::now();
        match &level {
            Some(l) => {
                if award_label(l).is_none() {
                    return Err(AppError::field("level", "Mức khen thưởng không hợp lệ."));
                }
                q::set_award(conn, initiative_id, l, note.as_deref(), actor.user_id, now)?;
            }
            None => {
                q::clear_award(conn, initiative_id)?;
            }
        }
        let label = level.as_deref().and_then(award_label);
        record(
            conn,
            actor.user_id,
            initiative_id,
            if level.is_some() {
                "awarded"
            } else {
                "award_cleared"
            },
            None,
            None,
            label,
        )?;
        award_in(conn, initiative_id)
    })
    .await
}

/// An initiative's award, if it has one.
pub fn award_in(conn: &mut DbConn, initiative_id: i64) -> Result<Option<AwardView>, AppError> {
    Ok(q::award(conn, initiative_id)?.map(|a| AwardView {
        level_name: award_label(&a.level).unwrap_or_default().to_owned(),
        level: a.level,
        note: a.note,
        awarded_at: utc(a.awarded_at),
    }))
}

const SECTIONS: [(&str, &str); 4] = [
    ("current_situation", "Hiện trạng"),
    ("solution", "Nội dung giải pháp"),
    ("scope", "Phạm vi áp dụng"),
    ("benefits", "Hiệu quả, lợi ích"),
];

fn word_diff(old: &str, new: &str) -> Vec<DiffChunk> {
    let diff = similar::TextDiff::from_words(old, new);
    let mut out: Vec<DiffChunk> = Vec::new();
    for change in diff.iter_all_changes() {
        let op = match change.tag() {
            similar::ChangeTag::Equal => "equal",
            similar::ChangeTag::Insert => "insert",
            similar::ChangeTag::Delete => "delete",
        };
        match out.last_mut() {
            Some(last) if last.op == op => last.text.push_str(change.value()),
            _ => out.push(DiffChunk {
                op,
                text: change.value().to_owned(),
            }),
        }
    }
    out
}

/// Compares two submitted versions word by word (by default the last two), for whoever may
/// see the initiative.
pub async fn diff(
    db: &Db,
    actor: &Actor,
    initiative_id: i64,
    from: Option<i32>,
    to: Option<i32>,
) -> Result<VersionDiff, AppError> {
    let actor = actor.clone();
    db.read(move |conn| {
        let (row, path, authors) = load(conn, initiative_id)?;
        crate::service::initiatives::authorize(
            &actor,
            Action::ViewInitiative,
            &row,
            &path,
            &authors,
        )?;
        let versions = q::versions(conn, initiative_id)?;
        let last = i32::try_from(versions.len()).unwrap_or(0);
        if last == 0 {
            return Err(AppError::new(ErrorCode::InvalidState)
                .with_message("Sáng kiến chưa được nộp lần nào."));
        }
        let to = to.unwrap_or(last);
        let from = from.unwrap_or((to - 1).max(1));
        let find = |r: i32| versions.iter().find(|v| v.round == r);
        let (Some(a), Some(b)) = (find(from), find(to)) else {
            return Err(AppError::new(ErrorCode::InvalidQuery)
                .with_message(format!("Chỉ có các lần nộp từ 1 đến {last}.")));
        };
        let ca: serde_json::Value = serde_json::from_str(&a.content).unwrap_or_default();
        let cb: serde_json::Value = serde_json::from_str(&b.content).unwrap_or_default();
        let mut sections = vec![SectionDiff {
            key: "title",
            label: "Tên sáng kiến",
            changed: a.title != b.title,
            chunks: word_diff(&a.title, &b.title),
        }];
        for (key, label) in SECTIONS {
            let old = ca[key].as_str().unwrap_or_default();
            let new = cb[key].as_str().unwrap_or_default();
            sections.push(SectionDiff {
                key,
                label,
                changed: old != new,
                chunks: word_diff(old, new),
            });
        }
        Ok(VersionDiff {
            from_round: from,
            to_round: to,
            from_submitted_at: utc(a.submitted_at),
            to_submitted_at: utc(b.submitted_at),
            sections,
        })
    })
    .await
}

/// A stretch of an initiative's text, copied (found in the other one) or not.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Segment {
    pub text: String,
    pub copied: bool,
}

/// One side of a comparison.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Side {
    pub id: i64,
    pub title: String,
    pub receipt_no: Option<String>,
    pub union_name: String,
    pub status_name: &'static str,
    pub submitted_at: Option<DateTime<Utc>>,
    /// The four sections joined by blank lines, cut where the copied passages start and end;
    /// empty when the content is confidential to the caller.
    pub segments: Vec<Segment>,
    pub confidential: bool,
}

/// An initiative beside another one, with the copied passages marked in both.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Comparison {
    pub this: Side,
    pub other: Side,
    /// Similarity in [0, 1], when the detector finds the other among the closest.
    pub score: Option<f32>,
    pub verdict: Option<String>,
    /// Share of this initiative's text inside copied passages.
    pub copied_share: f32,
}

fn segments(text: &str, ranges: &[std::ops::Range<usize>]) -> Vec<Segment> {
    let chars: Vec<char> = text.chars().collect();
    let mut sorted: Vec<std::ops::Range<usize>> = ranges
        .iter()
        .map(|r| r.start.min(chars.len())..r.end.min(chars.len()))
        .filter(|r| r.start < r.end)
        .collect();
    sorted.sort_by_key(|r| r.start);
    let mut merged: Vec<std::ops::Range<usize>> = Vec::new();
    for r in sorted {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    let mut out = Vec::new();
    let mut at = 0;
    for r in merged {
        if r.start > at {
            out.push(Segment {
                text: chars[at..r.start].iter().collect(),
                copied: false,
            });
        }
        out.push(Segment {
            text: chars[r.clone()].iter().collect(),
            copied: true,
        });
        at = r.end;
    }
    if at < chars.len() {
        out.push(Segment {
            text: chars[at..].iter().collect(),
            copied: false,
        });
    }
    out
}

/// The initiative under review beside another (its duplicate candidate), with the copied
/// passages marked: for those who may review or oversee the first.
pub async fn compare(
    db: &Db,
    search: &Arc<SearchService>,
    actor: &Actor,
    id: i64,
    other_id: i64,
) -> Result<Comparison, AppError> {
    let actor = actor.clone();
    let search = search.clone();
    db.read(move |conn| {
        // Only those who may open the review page of `id` compare it.
        review_in(conn, &actor, id)?;
        let this = initiatives::find(conn, id)?.ok_or_else(AppError::not_found)?;
        let other = initiatives::find(conn, other_id)?
            .filter(|o| o.status != InitiativeStatus::Draft.as_str() && o.id != id)
            .ok_or_else(AppError::not_found)?;
        let text = search_index::join_sections(&crate::search::sections(&this));
        let other_text = search_index::join_sections(&crate::search::sections(&other));
        let result = search
            .index()
            .check_similar(&search_index::SimilarityQuery {
                title: this.title.clone(),
                text: text.clone(),
                exclude_id: Some(id.unsigned_abs()),
                limit: 30,
                ..search_index::SimilarityQuery::default()
            })
            .map_err(|e| AppError::internal(format!("comparison: {e}")))?;
        let found = result
            .matches
            .iter()
            .find(|m| m.id == other_id.unsigned_abs());
        let (mine, theirs): (Vec<_>, Vec<_>) = found
            .map(|m| {
                m.passages
                    .iter()
                    .map(|p| (p.query_range.clone(), p.candidate_range.clone()))
                    .unzip()
            })
            .unwrap_or_default();
        let other_path = UnionPath::from_stored(other.union_path.clone());
        let other_authors: Vec<i64> = initiatives::authors(conn, other.id)?
            .into_iter()
            .map(|a| a.user_id)
            .collect();
        let other_visible = !other.confidential
            || can(
                &actor,
                Action::ViewInitiative,
                Resource::Initiative {
                    program_id: other.program_id,
                    union_path: &other_path,
                    authors: &other_authors,
                    status: status_of(&other),
                    confidential: true,
                },
            );
        let names: HashMap<i64, String> =
            unions::find_many(conn, &[this.union_id, other.union_id])?
                .into_iter()
                .map(|u| (u.id, u.name))
                .collect();
        let side =
            |row: &initiatives::InitiativeRow, segs: Vec<Segment>, confidential: bool| Side {
                id: row.id,
                title: row.title.clone(),
                receipt_no: row.receipt_no.clone(),
                union_name: names.get(&row.union_id).cloned().unwrap_or_default(),
                status_name: status_of(row).label(),
                submitted_at: row.submitted_at.map(utc),
                segments: segs,
                confidential,
            };
        let total = text.chars().count().max(1);
        let copied: usize = segments(&text, &mine)
            .iter()
            .filter(|s| s.copied)
            .map(|s| s.text.chars().count())
            .sum();
        Ok(Comparison {
            this: side(&this, segments(&text, &mine), false),
            other: side(
                &other,
                if other_visible {
                    segments(&other_text, &theirs)
                } else {
                    Vec::new()
                },
                !other_visible,
            ),
            score: found.map(|m| m.score),
            verdict: found.map(|m| format!("{:?}", m.verdict)),
            copied_share: copied as f32 / total as f32,
        })
    })
    .await
}

/// One decision in the minutes (biên bản) of a committee.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MinutesRow {
    pub initiative_id: i64,
    pub receipt_no: Option<String>,
    pub title: String,
    pub union_name: String,
    pub authors: Vec<String>,
    /// The committee's combined score, if scored.
    pub score: Option<f64>,
    pub decision_name: &'static str,
    pub reason: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
}

/// The minutes of a committee's published decisions over a period.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MinutesView {
    pub committee: CommitteeView,
    pub program_name: String,
    pub aggregation: Aggregation,
    pub rows: Vec<MinutesRow>,
    /// Decision name → how many.
    pub tally: Vec<(&'static str, usize)>,
}

/// The minutes of a committee's decisions published in `[from, to)` (at most 2,000).
pub async fn minutes(
    db: &Db,
    actor: &Actor,
    committee_id: i64,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Result<MinutesView, AppError> {
    let actor = actor.clone();
    db.read(move |conn| {
        let (c, membership, manages) = committee_for(conn, &actor, committee_id)?;
        if membership.is_none() && !manages {
            return Err(AppError::forbidden());
        }
        let program = programs::find(conn, c.program_id)?.ok_or_else(AppError::not_found)?;
        let aggregation =
            Aggregation::parse(&q::aggregation(conn, program.id)?).unwrap_or(Aggregation::Mean);
        let mut rows = Vec::new();
        let mut tally: Vec<(&'static str, usize)> =
            Decision::ALL.iter().map(|d| (d.label(), 0)).collect();
        for (case, title, receipt_no, union_name) in
            q::published_between(conn, committee_id, from, to, 2000)?
        {
            let decision = case.decision.as_deref().and_then(Decision::parse);
            if let Some(d) = decision
                && let Some(t) = tally.iter_mut().find(|(l, _)| *l == d.label())
            {
                t.1 += 1;
            }
            let totals: Vec<f64> = q::assignments(conn, case.id)?
                .iter()
                .filter(|a| AssignmentState::parse(&a.state) == AssignmentState::Scored)
                .filter_map(|a| a.total)
                .collect();
            let authors = initiatives::authors(conn, case.initiative_id)?
                .into_iter()
                .map(|a| a.full_name)
                .collect();
            let reason = match (
                case.reason_code.as_deref().and_then(reason_label),
                &case.decision_note,
            ) {
                (Some(r), Some(n)) => Some(format!("{r}. {n}")),
                (Some(r), None) => Some(r.to_owned()),
                (None, n) => n.clone(),
            };
            rows.push(MinutesRow {
                initiative_id: case.initiative_id,
                receipt_no,
                title,
                union_name,
                authors,
                score: aggregation.combine(&totals),
                decision_name: decision.map_or("", Decision::label),
                reason,
                published_at: case.published_at.map(utc),
            });
        }
        Ok(MinutesView {
            committee: committee_view(conn, c)?,
            program_name: program.name,
            aggregation,
            rows,
            tally,
        })
    })
    .await
}

/// A committee for the demo data: its stage (by position), union and members `(user, chair)`.
pub struct DemoCommittee<'a> {
    pub stage_position: i32,
    pub union_id: i64,
    pub members: &'a [(i64, bool)],
}

/// Demo set-up: a first stage at the province level before the owner's stage, committees
/// with members, and every submitted initiative routed (for the demo seeder only).
pub(crate) fn demo_setup_in(
    conn: &mut DbConn,
    program_id: i64,
    first_stage: &str,
    first_level: i32,
    committees: &[DemoCommittee<'_>],
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let existing = q::stages(conn, program_id)?;
    let id = q::insert_stage(
        conn,
        program_id,
        100,
        &StageSettings {
            name: first_stage,
            union_level: first_level,
            reviews_required: 1,
            blind_scoring: false,
            chair_publishes: false,
            auto_assign: true,
            due_days: None,
        },
        now,
    )?;
    let mut order = vec![id];
    order.extend(existing.iter().map(|s| s.id));
    q::reorder_stages(conn, program_id, &order)?;
    let stages = q::stages(conn, program_id)?;
    for c in committees {
        let Some(stage) = stages.iter().find(|s| s.position == c.stage_position) else {
            continue;
        };
        let union = unions::find(conn, c.union_id)?.ok_or_else(AppError::not_found)?;
        let name = format!("Hội đồng {} – {}", stage.name, union.name);
        let committee = q::insert_committee(conn, program_id, stage.id, union.id, &name, now)?;
        for (user, chair) in c.members {
            q::put_member(conn, committee, *user, *chair, now)?;
            users::grant(
                conn,
                *user,
                Role::Reviewer.as_str(),
                union.id,
                Some(program_id),
                None,
                now,
            )?;
        }
    }
    if let Some(first) = stages.first() {
        route_waiting_in(conn, program_id, first, now)?;
    }
    Ok(())
}

/// May the actor revoke or award this initiative (the program's owning union)?
pub async fn may_conclude(db: &Db, actor: &Actor, initiative_id: i64) -> Result<bool, AppError> {
    let actor = actor.clone();
    db.read(move |conn| match concluding(conn, &actor, initiative_id) {
        Ok(_) => Ok(true),
        Err(e) if matches!(e.code, ErrorCode::Forbidden | ErrorCode::NotFound) => Ok(false),
        Err(e) => Err(e),
    })
    .await
}

/// An initiative's award as the pages show it (for whoever may see the initiative).
pub async fn award_of(db: &Db, initiative_id: i64) -> Result<Option<AwardView>, AppError> {
    db.read(move |conn| award_in(conn, initiative_id)).await
}

/// Refuses unless the actor administers the program (the set-up pages).
pub async fn require_program_admin(
    db: &Db,
    actor: &Actor,
    program_id: i64,
) -> Result<(), AppError> {
    let actor = actor.clone();
    db.read(move |conn| {
        crate::service::programs::load_managed(conn, &actor, program_id).map(|_| ())
    })
    .await
}
