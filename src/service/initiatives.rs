//! Use cases on initiatives: draft, update (optimistic locking), submit, read, list, history.
//!
//! Calls other use cases one way: `review::enter_in` (a submission enters review in its
//! transaction), `coauthors` (the co-author list of a draft), `similar::recorded_verdict` (the
//! duplicate check's verdict as recorded), `idempotency` (keyed requests).

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;

use crate::db::initiatives::{self, InitiativeContent, InitiativeRow, ListFilter, Visibility};
use crate::domain::Stored;
use std::sync::Arc;

use search_index::{SimilarityQuery, Verdict, join_sections};

use crate::db::{self, Db, DbConn, audit, duplicates, programs, unions, users};
use crate::domain::initiative::{SubmissionDraft, check_submission};
use crate::domain::permissions::InitiativeScope;
use crate::domain::{
    Action, Actor, InitiativeStatus, ProgramStatus, Resource, Shares, UnionPath, can,
};
use crate::error::{AppError, ErrorCode};
use crate::search::{SearchService, sections};
use crate::service::coauthors::{self, CoauthorInput};
use crate::service::idempotency::{self, Answer, IdempotentRequest};
pub use crate::service::shared::initiative::{AuthorView, InitiativeView};
use crate::service::shared::initiative::{authorize, load, record, stale, status_of, view_for};
use crate::service::similar::recorded_verdict;
use crate::service::{Page, PageRequest};

/// An initiative in a list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InitiativeSummary {
    pub id: i64,
    pub program_id: i64,
    pub phase_id: Option<i64>,
    pub field_id: Option<i64>,
    pub union_id: i64,
    pub author_id: i64,
    pub title: String,
    pub confidential: bool,
    pub status: InitiativeStatus,
    pub status_name: &'static str,
    pub version: i32,
    pub receipt_no: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// One entry of an initiative's history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HistoryEntry {
    pub action: String,
    pub actor_id: Option<i64>,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub comment: Option<String>,
    pub at: DateTime<Utc>,
}

impl TryFrom<InitiativeRow> for InitiativeSummary {
    type Error = AppError;

    fn try_from(r: InitiativeRow) -> Result<Self, AppError> {
        let status = status_of(&r)?;
        Ok(Self {
            id: r.id,
            program_id: r.program_id,
            phase_id: r.phase_id,
            field_id: r.field_id,
            union_id: r.union_id,
            author_id: r.author_id,
            title: r.title,
            confidential: r.confidential,
            status,
            status_name: status.label(),
            version: r.version,
            receipt_no: r.receipt_no,
            submitted_at: r.submitted_at.map(|t| t.and_utc()),
            updated_at: r.updated_at.and_utc(),
        })
    }
}

/// Validated content of a draft. `None` fields of an update leave the stored value.
#[derive(Debug, Clone, Default)]
pub struct DraftInput {
    pub phase_id: Option<Option<i64>>,
    pub field_id: Option<Option<i64>>,
    pub title: Option<String>,
    pub current_situation: Option<String>,
    pub solution: Option<String>,
    pub scope: Option<String>,
    pub benefits: Option<String>,
    pub first_applied_on: Option<Option<NaiveDate>>,
    pub estimated_benefit_vnd: Option<Option<i64>>,
    pub confidential: Option<bool>,
    /// Co-authors other than the submitting author, with their shares: the whole list (those
    /// left out are removed, their invitations withdrawn).
    pub coauthors: Option<Vec<CoauthorInput>>,
    /// The submitting author's share (default: what the co-authors leave, or 100).
    pub author_share_percent: Option<i32>,
}

fn check_program_refs(
    conn: &mut DbConn,
    program_id: i64,
    phase_id: Option<i64>,
    field_id: Option<i64>,
) -> Result<(), AppError> {
    if let Some(p) = phase_id
        && programs::find_phase(conn, p)?.is_none_or(|ph| ph.program_id != program_id)
    {
        return Err(AppError::field(
            "phase_id",
            "Đợt không thuộc chương trình này.",
        ));
    }
    if let Some(f) = field_id
        && programs::find_field(conn, f)?.is_none_or(|fi| fi.program_id != program_id)
    {
        return Err(AppError::field(
            "field_id",
            "Lĩnh vực không thuộc chương trình này.",
        ));
    }
    Ok(())
}

/// Starts a draft in a program, for the actor's own union.
#[tracing::instrument(skip_all, fields(actor = actor.user_id))]
pub async fn create(
    db: &Db,
    actor: &Actor,
    program_id: i64,
    input: DraftInput,
) -> Result<InitiativeView, AppError> {
    create_keyed(db, actor, program_id, input, None)
        .await?
        .into_fresh()
}

/// [`create`] under an `Idempotency-Key`: a retry answers with the draft made the first time.
#[tracing::instrument(skip_all, fields(actor = actor.user_id))]
pub async fn create_keyed(
    db: &Db,
    actor: &Actor,
    program_id: i64,
    input: DraftInput,
    key: Option<IdempotentRequest>,
) -> Result<Answer<InitiativeView>, AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        idempotency::run_in(conn, actor.user_id, key.as_ref(), 201, |conn| {
            create_in(conn, &actor, program_id, input)
        })
    })
    .await
}

/// Starts a draft inside an open transaction.
pub fn create_in(
    conn: &mut DbConn,
    actor: &Actor,
    program_id: i64,
    input: DraftInput,
) -> Result<InitiativeView, AppError> {
    let program = programs::find(conn, program_id)?
        .ok_or_else(|| AppError::field("program_id", "Không tìm thấy chương trình."))?;
    let owner = unions::find(conn, program.owner_union_id)?.ok_or_else(AppError::not_found)?;
    let owner_path = UnionPath::from_stored(owner.path);
    let status = ProgramStatus::from_stored(&program.status)?;
    if status != ProgramStatus::Open {
        return Err(AppError::new(ErrorCode::ProgramNotOpen));
    }
    if !can(
        actor,
        Action::CreateInitiative,
        Resource::Program {
            owner_path: &owner_path,
            status,
        },
    ) {
        return Err(AppError::forbidden().with_message(
            "Bạn không thuộc đơn vị tham gia chương trình này hoặc chưa có vai trò đoàn viên.",
        ));
    }
    let user = users::find(conn, actor.user_id)?.ok_or_else(AppError::not_found)?;
    let union = unions::find(conn, user.union_id)?.ok_or_else(AppError::not_found)?;
    let phase_id = match input.phase_id.flatten() {
        Some(p) => Some(p),
        None => current_phase(conn, program_id)?.map(|p| p.id),
    };
    let field_id = input.field_id.flatten();
    check_program_refs(conn, program_id, phase_id, field_id)?;
    let title = input.title.clone().unwrap_or_default();
    if title.chars().count() < 5 {
        return Err(AppError::field(
            "title",
            "Cần nhập tên sáng kiến (ít nhất 5 ký tự).",
        ));
    }
    let coauthor_plan = coauthors::plan(
        conn,
        actor,
        actor.user_id,
        None,
        Some(input.coauthors.as_deref().unwrap_or_default()),
        input.author_share_percent,
    )?;
    let content = InitiativeContent {
        phase_id,
        field_id,
        title,
        current_situation: input.current_situation.unwrap_or_default(),
        solution: input.solution.unwrap_or_default(),
        scope: input.scope.unwrap_or_default(),
        benefits: input.benefits.unwrap_or_default(),
        first_applied_on: input.first_applied_on.flatten(),
        estimated_benefit_vnd: input.estimated_benefit_vnd.flatten(),
        confidential: input.confidential.unwrap_or(false),
    };
    let now = db::now();
    let row = initiatives::insert(conn, program_id, union.id, actor.user_id, &content, now)?;
    record(
        conn,
        actor.user_id,
        row.id,
        "created",
        None,
        Some("draft"),
        None,
    )?;
    coauthors::apply(conn, actor, row.id, &coauthor_plan, now)?;
    view_for(conn, actor, row)
}

fn current_phase(
    conn: &mut DbConn,
    program_id: i64,
) -> Result<Option<programs::PhaseRow>, AppError> {
    let now = db::now();
    Ok(programs::phases(conn, program_id)?
        .into_iter()
        .find(|p| p.opens_at <= now && now < p.closes_at))
}

/// Saves changes to a draft (or a returned initiative) if `version` is current.
#[tracing::instrument(skip_all, fields(actor = actor.user_id, initiative = id))]
pub async fn update(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i32,
    input: DraftInput,
) -> Result<InitiativeView, AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        let (row, path, authors) = load(conn, id)?;
        authorize(&actor, Action::EditInitiative, &row, &path, &authors)?;
        let status = status_of(&row)?;
        if !status.is_editable() {
            return Err(AppError::new(ErrorCode::InvalidState)
                .with_message(format!(
                    "Sáng kiến ở trạng thái \"{}\" không thể chỉnh sửa.",
                    status.label()
                ))
                .with_details(serde_json::json!({"status": status, "version": row.version})));
        }
        if row.version != version {
            return Err(stale(row.version));
        }
        let content = InitiativeContent {
            phase_id: input.phase_id.unwrap_or(row.phase_id),
            field_id: input.field_id.unwrap_or(row.field_id),
            title: input.title.unwrap_or(row.title.clone()),
            current_situation: input
                .current_situation
                .unwrap_or(row.current_situation.clone()),
            solution: input.solution.unwrap_or(row.solution.clone()),
            scope: input.scope.unwrap_or(row.scope.clone()),
            benefits: input.benefits.unwrap_or(row.benefits.clone()),
            first_applied_on: input.first_applied_on.unwrap_or(row.first_applied_on),
            estimated_benefit_vnd: input
                .estimated_benefit_vnd
                .unwrap_or(row.estimated_benefit_vnd),
            confidential: input.confidential.unwrap_or(row.confidential),
        };
        if content.title.chars().count() < 5 {
            return Err(AppError::field(
                "title",
                "Cần nhập tên sáng kiến (ít nhất 5 ký tự).",
            ));
        }
        check_program_refs(conn, row.program_id, content.phase_id, content.field_id)?;
        if input.coauthors.is_some() || input.author_share_percent.is_some() {
            let plan = coauthors::plan(
                conn,
                &actor,
                row.author_id,
                Some(id),
                input.coauthors.as_deref(),
                input.author_share_percent,
            )?;
            coauthors::apply(conn, &actor, id, &plan, db::now())?;
        }
        if !initiatives::update_content(conn, id, version, &content, db::now())? {
            let current = initiatives::find(conn, id)?.map_or(version, |r| r.version);
            return Err(stale(current));
        }
        record(
            conn,
            actor.user_id,
            id,
            "updated",
            Some(&row.status),
            Some(&row.status),
            None,
        )?;
        let row = initiatives::find(conn, id)?.ok_or_else(AppError::not_found)?;
        view_for(conn, &actor, row)
    })
    .await
}

/// Submits a complete draft (or resubmits a returned initiative) within an open phase.
#[tracing::instrument(skip_all, fields(actor = actor.user_id, initiative = id))]
pub async fn submit(
    db: &Db,
    search: &Arc<SearchService>,
    actor: &Actor,
    id: i64,
    version: Option<i32>,
) -> Result<InitiativeView, AppError> {
    submit_keyed(db, search, actor, id, version, None)
        .await?
        .into_fresh()
}

/// [`submit`] under an `Idempotency-Key`: a retry answers as the first submission did.
///
/// The duplicate check reads the index before the write transaction, so that neither
/// SQLite's writer nor a PostgreSQL transaction waits on it; the transaction uses its result
/// when the initiative's version is still the one checked, and checks again otherwise.
#[tracing::instrument(skip_all, fields(actor = actor.user_id, initiative = id))]
pub async fn submit_keyed(
    db: &Db,
    search: &Arc<SearchService>,
    actor: &Actor,
    id: i64,
    version: Option<i32>,
    key: Option<IdempotentRequest>,
) -> Result<Answer<InitiativeView>, AppError> {
    if let Some(k) = key.clone() {
        let user = actor.user_id;
        if let Some(answer) = db
            .read(move |conn| idempotency::recall(conn, user, &k))
            .await?
        {
            return Ok(answer);
        }
    }
    let checked = {
        let actor = actor.clone();
        let s = search.clone();
        db.read(move |conn| precheck(conn, &s, &actor, id)).await?
    };
    let actor = actor.clone();
    let s = search.clone();
    let answer = db
        .write(move |conn| {
            idempotency::run_in(conn, actor.user_id, key.as_ref(), 200, |conn| {
                submit_in(conn, Some(&s), &actor, id, version, checked)
            })
        })
        .await?;
    search.wake();
    Ok(answer)
}

/// Duplicates found for an initiative at a version, before its submission's transaction.
#[derive(Debug)]
pub struct Checked {
    version: i32,
    candidates: Vec<(i64, f32, &'static str)>,
}

/// Runs the duplicate check for a submission the actor may make; `None` when the submission
/// will be refused anyway (the transaction then says why).
fn precheck(
    conn: &mut DbConn,
    search: &SearchService,
    actor: &Actor,
    id: i64,
) -> Result<Option<Checked>, AppError> {
    let Ok((row, path, authors)) = load(conn, id) else {
        return Ok(None);
    };
    if authorize(actor, Action::EditInitiative, &row, &path, &authors).is_err()
        || !status_of(&row)?.can_submit()
    {
        return Ok(None);
    }
    let candidates = check_duplicates(conn, search, actor, &row)?;
    Ok(Some(Checked {
        version: row.version,
        candidates,
    }))
}

/// Submits inside an open transaction; `checked` is the duplicate check made before it, used
/// when the initiative has not changed since.
pub fn submit_in(
    conn: &mut DbConn,
    search: Option<&SearchService>,
    actor: &Actor,
    id: i64,
    version: Option<i32>,
    checked: Option<Checked>,
) -> Result<InitiativeView, AppError> {
    let (row, path, authors) = load(conn, id)?;
    authorize(actor, Action::EditInitiative, &row, &path, &authors)?;
    let status = status_of(&row)?;
    if !status.can_submit() {
        return Err(AppError::new(ErrorCode::InvalidState)
            .with_message(format!("Sáng kiến đã ở trạng thái \"{}\".", status.label()))
            .with_details(serde_json::json!({"status": status, "version": row.version})));
    }
    if let Some(v) = version
        && v != row.version
    {
        return Err(stale(row.version));
    }
    let program = programs::find(conn, row.program_id)?.ok_or_else(AppError::not_found)?;
    if ProgramStatus::parse(&program.status) != Some(ProgramStatus::Open) {
        return Err(AppError::new(ErrorCode::ProgramNotOpen));
    }
    let Some(phase) = current_phase(conn, row.program_id)? else {
        let phases = programs::phases(conn, row.program_id)?;
        let now = db::now();
        let next = phases.iter().find(|p| p.opens_at > now);
        return Err(
            AppError::new(ErrorCode::PhaseClosed).with_details(serde_json::json!({
                "next_phase_opens_at": next.map(|p| p.opens_at.and_utc()),
            })),
        );
    };
    // An invitation not yet answered holds the submission: the author waits for it or
    // removes it.
    let pending = coauthors::pending_count(conn, id)?;
    if pending > 0 {
        return Err(
            AppError::new(ErrorCode::CoauthorsPending).with_details(serde_json::json!({
                "pending": pending,
            })),
        );
    }
    let author_rows = initiatives::authors(conn, id)?;
    let draft = SubmissionDraft {
        title: &row.title,
        has_field: row.field_id.is_some(),
        current_situation: &row.current_situation,
        solution: &row.solution,
        scope: &row.scope,
        benefits: &row.benefits,
        first_applied_on: row.first_applied_on,
        applied_window: (program.applied_from, program.applied_to),
        shares_total: author_rows.iter().map(|a| a.share_percent).sum(),
    };
    if let Err(fields) = check_submission(&draft) {
        return Err(AppError::new(ErrorCode::IncompleteInitiative)
            .with_details(serde_json::json!({ "fields": fields })));
    }
    // Only the author and the co-authors who accepted are authors; their shares are checked
    // as a whole.
    Shares::parse(
        author_rows
            .iter()
            .map(|a| (a.user_id, a.share_percent))
            .collect(),
    )
    .map_err(|e| {
        AppError::new(ErrorCode::IncompleteInitiative)
            .with_details(serde_json::json!({ "fields": { "coauthors": e } }))
    })?;

    let candidates = match (checked, search) {
        (Some(c), _) if c.version == row.version => c.candidates,
        (_, Some(search)) => check_duplicates(conn, search, actor, &row)?,
        (_, None) => Vec::new(),
    };
    let now = db::now();
    for (candidate, score, verdict) in &candidates {
        duplicates::record(conn, id, *candidate, f64::from(*score), verdict, now)?;
    }
    if row.phase_id != Some(phase.id) {
        let mut content = content_of(&row);
        content.phase_id = Some(phase.id);
        if !initiatives::update_content(conn, id, row.version, &content, now)? {
            return Err(stale(row.version));
        }
    }
    let version_now = initiatives::find(conn, id)?.map_or(row.version, |r| r.version);
    let receipt = row
        .receipt_no
        .clone()
        .unwrap_or_else(|| format!("SK{}-{:07}", now.year(), id));
    let first_time = row.submitted_at.is_none();
    let moved = initiatives::transition(
        conn,
        id,
        version_now,
        status.as_str(),
        InitiativeStatus::Submitted.as_str(),
        first_time.then_some(now),
        first_time.then_some(receipt.as_str()),
        now,
    )?;
    if !moved {
        return Err(stale(version_now));
    }
    let action = if status == InitiativeStatus::Returned {
        "resubmitted"
    } else {
        "submitted"
    };
    record(
        conn,
        actor.user_id,
        id,
        action,
        Some(status.as_str()),
        Some("submitted"),
        Some(&receipt),
    )?;
    crate::service::review::enter_in(conn, id, now)?;
    crate::service::shared::letters::received(conn, id, action == "resubmitted", now)?;
    let row = initiatives::find(conn, id)?.ok_or_else(AppError::not_found)?;
    view_for(conn, actor, row)
}

/// Checks a submission against every earlier initiative: an exact copy of the author's own
/// (not rejected) is refused; duplicates and near-duplicates are returned to be recorded.
fn check_duplicates(
    conn: &mut DbConn,
    search: &SearchService,
    actor: &Actor,
    row: &InitiativeRow,
) -> Result<Vec<(i64, f32, &'static str)>, AppError> {
    let query = SimilarityQuery {
        title: row.title.clone(),
        text: join_sections(&sections(row)),
        exclude_id: Some(row.id.unsigned_abs()),
        limit: 10,
        ..SimilarityQuery::default()
    };
    let result = search
        .index()
        .check_similar(&query)
        .map_err(|e| AppError::failed("duplicate check", e))?;
    let mut out = Vec::new();
    for m in &result.matches {
        let Some(verdict) = recorded_verdict(m.verdict) else {
            continue;
        };
        let Ok(candidate) = i64::try_from(m.id) else {
            continue;
        };
        if m.verdict == Verdict::Duplicate {
            let authors: Vec<i64> = initiatives::authors(conn, candidate)?
                .into_iter()
                .map(|a| a.user_id)
                .collect();
            if authors.contains(&actor.user_id) && m.status != InitiativeStatus::Rejected.as_str() {
                return Err(AppError::new(ErrorCode::DuplicateSubmission).with_details(
                    serde_json::json!({
                        "initiative_id": candidate,
                        "title": m.title,
                        "status": m.status,
                        "score": m.score,
                    }),
                ));
            }
        }
        out.push((candidate, m.score, verdict));
    }
    Ok(out)
}

fn content_of(row: &InitiativeRow) -> InitiativeContent {
    InitiativeContent {
        phase_id: row.phase_id,
        field_id: row.field_id,
        title: row.title.clone(),
        current_situation: row.current_situation.clone(),
        solution: row.solution.clone(),
        scope: row.scope.clone(),
        benefits: row.benefits.clone(),
        first_applied_on: row.first_applied_on,
        estimated_benefit_vnd: row.estimated_benefit_vnd,
        confidential: row.confidential,
    }
}

/// Moves an initiative to another status without the review workflow's checks — for the
/// demo seeder and data migration only, recorded in the audit log like any change.
pub fn force_status_in(
    conn: &mut DbConn,
    actor_id: i64,
    id: i64,
    to: InitiativeStatus,
    comment: Option<&str>,
) -> Result<(), AppError> {
    let row = initiatives::find(conn, id)?.ok_or_else(AppError::not_found)?;
    let from = status_of(&row)?;
    if !from.can_become(to) {
        return Err(AppError::new(ErrorCode::InvalidState));
    }
    if !initiatives::transition(
        conn,
        id,
        row.version,
        from.as_str(),
        to.as_str(),
        None,
        None,
        db::now(),
    )? {
        return Err(stale(row.version));
    }
    record(
        conn,
        actor_id,
        id,
        to.as_str(),
        Some(from.as_str()),
        Some(to.as_str()),
        comment,
    )
}

/// One initiative.
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<InitiativeView, AppError> {
    let actor = actor.clone();
    db.read(move |conn| {
        let (row, path, authors) = load(conn, id)?;
        authorize(&actor, Action::ViewInitiative, &row, &path, &authors)?;
        view_for(conn, &actor, row)
    })
    .await
}

/// The history of an initiative, oldest first.
pub async fn history(db: &Db, actor: &Actor, id: i64) -> Result<Vec<HistoryEntry>, AppError> {
    let actor = actor.clone();
    db.read(move |conn| {
        let (row, path, authors) = load(conn, id)?;
        authorize(&actor, Action::ViewInitiative, &row, &path, &authors)?;
        Ok(audit::for_entity(conn, "initiative", id)?
            .into_iter()
            .map(|a| HistoryEntry {
                action: a.action,
                actor_id: a.actor_id,
                from_state: a.from_state,
                to_state: a.to_state,
                comment: a.comment,
                at: a.created_at.and_utc(),
            })
            .collect())
    })
    .await
}

/// Filters for [`list`], as parsed at the edge.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub program_id: Option<i64>,
    pub phase_id: Option<i64>,
    pub field_id: Option<i64>,
    pub union_id: Option<i64>,
    pub status: Option<InitiativeStatus>,
    pub author_id: Option<i64>,
}

/// Initiatives the actor may see, filtered and paged, newest first.
pub async fn list(
    db: &Db,
    actor: &Actor,
    query: ListQuery,
    page: PageRequest,
) -> Result<Page<InitiativeSummary>, AppError> {
    let (limit, offset, page_no, per_page) = page.resolve()?;
    let scope = InitiativeScope::of(actor);
    let visibility = Visibility {
        all: scope.all,
        user_id: scope.user_id,
        oversight: scope
            .oversight
            .iter()
            .map(|p| p.as_str().to_owned())
            .collect(),
        reviewing: scope
            .reviewing
            .iter()
            .map(|(program, p)| (*program, p.as_str().to_owned()))
            .collect(),
        published: scope.published,
    };
    let (rows, total) = db
        .read(move |conn| {
            let subtree = match query.union_id {
                Some(id) => Some(
                    unions::find(conn, id)?
                        .ok_or_else(AppError::not_found)?
                        .path,
                ),
                None => None,
            };
            let filter = ListFilter {
                program_id: query.program_id,
                phase_id: query.phase_id,
                field_id: query.field_id,
                subtree,
                status: query.status.map(|s| s.as_str().to_owned()),
                author_id: query.author_id,
            };
            Ok(initiatives::list(
                conn,
                &filter,
                &visibility,
                limit,
                offset,
            )?)
        })
        .await?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(InitiativeSummary::try_from)
            .collect::<Result<_, _>>()?,
        total,
        page: page_no,
        per_page,
    })
}

/// An initiative as its author edits it: the full view (with the open invitations), and each
/// accepted author's sign-in name (member code, or email) in author order, the submitting
/// author first.
pub async fn for_editing(
    db: &Db,
    actor: &Actor,
    id: i64,
) -> Result<(InitiativeView, Vec<String>), AppError> {
    let actor = actor.clone();
    db.read(move |conn| {
        let (row, path, authors) = load(conn, id)?;
        authorize(&actor, Action::EditInitiative, &row, &path, &authors)?;
        let logins = initiatives::authors(conn, id)?
            .into_iter()
            .map(|a| a.member_code.unwrap_or(a.email))
            .collect();
        Ok((view_for(conn, &actor, row)?, logins))
    })
    .await
}

/// The user ids behind sign-in names (member code or email), `None` where nobody has it; used
/// by officers to name committee members (co-authors are named through
/// `service::coauthors`, under its rule).
pub async fn resolve_logins(db: &Db, logins: Vec<String>) -> Result<Vec<Option<i64>>, AppError> {
    db.read(move |conn| {
        let mut out = Vec::with_capacity(logins.len());
        for login in &logins {
            out.push(users::find_by_login(conn, login.trim())?.map(|u| u.id));
        }
        Ok(out)
    })
    .await
}

/// What the live similar panel already shows of someone else's submitted initiative: its
/// title, union and status, never its content.
#[derive(Debug, Clone)]
pub struct Glimpse {
    pub id: i64,
    pub title: String,
    pub union_name: String,
    pub status: InitiativeStatus,
    pub submitted_at: Option<DateTime<Utc>>,
}

/// The glimpse of a submitted (not draft) initiative, for signed-in users who followed a
/// link from the similar panel to an initiative they may not read: what the panel shows,
/// so a confidential one's title stays withheld until it is published.
pub async fn glimpse(db: &Db, id: i64) -> Result<Glimpse, AppError> {
    db.read(move |conn| {
        let row = initiatives::find(conn, id)?.ok_or_else(AppError::not_found)?;
        let status = status_of(&row)?;
        if status == InitiativeStatus::Draft {
            return Err(AppError::not_found());
        }
        let union_name = unions::find(conn, row.union_id)?
            .map(|u| u.name)
            .unwrap_or_default();
        let title = if row.confidential && status != InitiativeStatus::Approved {
            crate::domain::initiative::HIDDEN_TITLE.to_owned()
        } else {
            row.title
        };
        Ok(Glimpse {
            id: row.id,
            title,
            union_name,
            status,
            submitted_at: row.submitted_at.map(|t| t.and_utc()),
        })
    })
    .await
}
