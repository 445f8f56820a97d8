//! The organising-committee review over HTTP: stages, rubric, committees, queue, scores,
//! decisions, publication, revocation and awards.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, delete, get, post, put, web};
use serde::{Deserialize, Serialize};

use super::body::OptionalJson;
use crate::domain::review::{Aggregation, Criterion, Decision};
use crate::domain::{UnionKind, text};
use crate::error::{AppError, ErrorBody};
use crate::routes::identity::Identity;
use crate::service::initiatives::InitiativeView;
use crate::service::input::Checker;
use crate::service::review::{
    AssignOutcome, AwardView, BoardRequest, BoardView, CommitteeInput, CommitteeView,
    DecisionInput, DecisionOutcome, PublishScope, QueueQuery, QueueView, ReviewView, RubricView,
    ScoreInput, StageInput, StageView, VersionDiff,
};
use crate::service::{self, PageRequest};
use crate::state::AppState;

/// Longest note on a decision, a conflict, a score sheet or a revocation.
const NOTE_MAX: usize = 5_000;

/// A review stage.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct StageBody {
    pub name: String,
    /// The union level whose committee acts: 0 national, 1 province/sector, 2 direct upper,
    /// 3 grassroots (CĐCS), 4 group.
    pub union_level: i32,
    #[serde(default = "one")]
    pub reviews_required: i32,
    #[serde(default)]
    pub blind_scoring: bool,
    #[serde(default)]
    pub chair_publishes: bool,
    /// Assign reviewers automatically (default); `false`: the chair assigns.
    #[serde(default = "yes")]
    pub auto_assign: bool,
    /// Days from receipt to the decision; absent: three months.
    pub due_days: Option<i32>,
    /// Where to insert a new stage (1-based); at the end when absent.
    pub position: Option<i32>,
}

fn one() -> i32 {
    1
}

fn yes() -> bool {
    true
}

fn stage_input(b: StageBody) -> Result<StageInput, AppError> {
    let mut c = Checker::default();
    let name = c.line("name", &b.name, text::NAME);
    let level = UnionKind::from_i32(b.union_level);
    if level.is_none() {
        c.fail("union_level", "Cấp công đoàn phải từ 0 đến 4.");
    }
    if !(1..=20).contains(&b.reviews_required) {
        c.fail("reviews_required", "Số phiếu chấm cần có phải từ 1 đến 20.");
    }
    if b.due_days.is_some_and(|d| !(1..=3650).contains(&d)) {
        c.fail("due_days", "Thời hạn phải từ 1 đến 3650 ngày.");
    }
    if b.position.is_some_and(|p| !(1..=10).contains(&p)) {
        c.fail("position", "Vị trí phải từ 1 đến 10.");
    }
    c.finish()?;
    Ok(StageInput {
        name,
        union_level: level.unwrap_or(UnionKind::National),
        reviews_required: b.reviews_required,
        blind_scoring: b.blind_scoring,
        chair_publishes: b.chair_publishes,
        auto_assign: b.auto_assign,
        due_days: b.due_days,
        position: b.position,
    })
}

/// A program's review stages, in order.
#[utoipa::path(get, path = "/api/v1/programs/{id}/stages", tag = "review", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<StageView>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/programs/{id}/stages")]
pub async fn stages(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok()
        .json(service::review::stages(&state.db, &id.actor, path.into_inner()).await?))
}

/// Adds a stage (program administrators); answers with every stage.
#[utoipa::path(post, path = "/api/v1/programs/{id}/stages", tag = "review", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = StageBody,
    responses((status = 201, body = Vec<StageView>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/programs/{id}/stages")]
pub async fn add_stage(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
    body: web::Json<StageBody>,
) -> Result<HttpResponse, AppError> {
    let input = stage_input(body.into_inner())?;
    let view = service::review::add_stage(&state.db, &id.actor, path.into_inner(), input).await?;
    Ok(HttpResponse::Created().json(view))
}

/// Changes a stage (its level only while no initiative has entered it).
#[utoipa::path(put, path = "/api/v1/programs/{id}/stages/{stage_id}", tag = "review", security(("bearer" = [])),
    params(("id" = i64, Path), ("stage_id" = i64, Path)), request_body = StageBody,
    responses((status = 200, body = Vec<StageView>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[put("/programs/{id}/stages/{stage_id}")]
pub async fn update_stage(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<(i64, i64)>,
    body: web::Json<StageBody>,
) -> Result<HttpResponse, AppError> {
    let (program, stage) = path.into_inner();
    let input = stage_input(body.into_inner())?;
    Ok(HttpResponse::Ok()
        .json(service::review::update_stage(&state.db, &id.actor, program, stage, input).await?))
}

/// Removes a stage no initiative has entered and no committee serves.
#[utoipa::path(delete, path = "/api/v1/programs/{id}/stages/{stage_id}", tag = "review", security(("bearer" = [])),
    params(("id" = i64, Path), ("stage_id" = i64, Path)),
    responses((status = 200, body = Vec<StageView>), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[delete("/programs/{id}/stages/{stage_id}")]
pub async fn delete_stage(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (program, stage) = path.into_inner();
    Ok(HttpResponse::Ok()
        .json(service::review::delete_stage(&state.db, &id.actor, program, stage).await?))
}

/// A program's rubric.
#[utoipa::path(get, path = "/api/v1/programs/{id}/rubric", tag = "review", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = RubricView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/programs/{id}/rubric")]
pub async fn rubric(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok()
        .json(service::review::rubric(&state.db, &id.actor, path.into_inner()).await?))
}

/// A rubric: criteria and how reviewers' totals are combined.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RubricBody {
    #[serde(default = "mean")]
    pub aggregation: Aggregation,
    pub criteria: Vec<Criterion>,
}

fn mean() -> Aggregation {
    Aggregation::Mean
}

/// Replaces a program's rubric (until the first review is scored).
#[utoipa::path(put, path = "/api/v1/programs/{id}/rubric", tag = "review", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = RubricBody,
    responses((status = 200, body = RubricView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[put("/programs/{id}/rubric")]
pub async fn set_rubric(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
    body: web::Json<RubricBody>,
) -> Result<HttpResponse, AppError> {
    let b = body.into_inner();
    let mut c = Checker::default();
    let criteria: Vec<Criterion> = b
        .criteria
        .into_iter()
        .enumerate()
        .map(|(i, k)| Criterion {
            code: c.code(&format!("criteria[{i}].code"), &k.code),
            name: c.line(&format!("criteria[{i}].name"), &k.name, text::NAME),
            description: c.text(
                &format!("criteria[{i}].description"),
                &k.description,
                text::DESCRIPTION,
            ),
            max_score: k.max_score,
            weight: k.weight,
            bands: k
                .bands
                .into_iter()
                .enumerate()
                .map(|(j, mut band)| {
                    band.description = c.line(
                        &format!("criteria[{i}].bands[{j}].description"),
                        &band.description,
                        text::Limit { min: 0, max: 500 },
                    );
                    band
                })
                .collect(),
        })
        .collect();
    c.finish()?;
    Ok(HttpResponse::Ok().json(
        service::review::set_rubric(
            &state.db,
            &id.actor,
            path.into_inner(),
            criteria,
            b.aggregation,
        )
        .await?,
    ))
}

/// The committees of a program that the caller manages or sits on.
#[utoipa::path(get, path = "/api/v1/programs/{id}/committees", tag = "review", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<CommitteeView>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/programs/{id}/committees")]
pub async fn committees(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok()
        .json(service::review::committees(&state.db, &id.actor, path.into_inner()).await?))
}

/// A new committee.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CommitteeBody {
    pub stage_id: i64,
    /// The union whose committee this is (at or above the stage's level).
    pub union_id: i64,
    /// Default: "Hội đồng <stage> – <union>".
    pub name: Option<String>,
}

/// Sets up a committee; waiting initiatives are routed to it.
#[utoipa::path(post, path = "/api/v1/programs/{id}/committees", tag = "review", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = CommitteeBody,
    responses((status = 201, body = CommitteeView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/programs/{id}/committees")]
pub async fn create_committee(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
    body: web::Json<CommitteeBody>,
) -> Result<HttpResponse, AppError> {
    let b = body.into_inner();
    let mut c = Checker::default();
    let name = c.opt_line("name", b.name.as_deref(), 200);
    c.finish()?;
    let input = CommitteeInput {
        stage_id: b.stage_id,
        union_id: b.union_id,
        name,
    };
    let view =
        service::review::create_committee(&state.db, &id.actor, path.into_inner(), input).await?;
    Ok(HttpResponse::Created().json(view))
}

/// The committees the caller sits on.
#[utoipa::path(get, path = "/api/v1/reviews/committees", tag = "review", security(("bearer" = [])),
    responses((status = 200, body = Vec<CommitteeView>), (status = 401, body = ErrorBody)))]
#[get("/reviews/committees")]
pub async fn my_committees(
    state: web::Data<AppState>,
    id: Identity,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(service::review::my_committees(&state.db, &id.actor).await?))
}

/// One committee with its members.
#[utoipa::path(get, path = "/api/v1/committees/{id}", tag = "review", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = CommitteeView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/committees/{id}")]
pub async fn committee(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok()
        .json(service::review::committee(&state.db, &id.actor, path.into_inner()).await?))
}

/// A member's role in a committee.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberBody {
    /// Make them the chair (the previous chair becomes a member).
    #[serde(default)]
    pub chair: bool,
}

/// Adds a member (or makes them chair).
#[utoipa::path(put, path = "/api/v1/committees/{id}/members/{user_id}", tag = "review", security(("bearer" = [])),
    params(("id" = i64, Path), ("user_id" = i64, Path)), request_body = MemberBody,
    responses((status = 200, body = CommitteeView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[put("/committees/{id}/members/{user_id}")]
pub async fn put_member(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<(i64, i64)>,
    body: OptionalJson<MemberBody>,
) -> Result<HttpResponse, AppError> {
    let (committee_id, user) = path.into_inner();
    let chair = body.into_inner().is_some_and(|b| b.chair);
    Ok(HttpResponse::Ok()
        .json(service::review::put_member(&state.db, &id.actor, committee_id, user, chair).await?))
}

/// Removes a member; their unscored reviews go to others.
#[utoipa::path(delete, path = "/api/v1/committees/{id}/members/{user_id}", tag = "review", security(("bearer" = [])),
    params(("id" = i64, Path), ("user_id" = i64, Path)),
    responses((status = 200, body = CommitteeView), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/committees/{id}/members/{user_id}")]
pub async fn remove_member(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (committee_id, user) = path.into_inner();
    Ok(HttpResponse::Ok()
        .json(service::review::remove_member(&state.db, &id.actor, committee_id, user).await?))
}

/// The chair's board: progress per reviewer, cases lacking reviewers, pending decisions.
#[utoipa::path(get, path = "/api/v1/committees/{id}/board", tag = "review", security(("bearer" = [])),
    params(("id" = i64, Path), BoardRequest),
    responses((status = 200, body = BoardView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/committees/{id}/board")]
pub async fn board(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
    request: web::Query<BoardRequest>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(
        service::review::board(
            &state.db,
            &id.actor,
            path.into_inner(),
            request.into_inner(),
        )
        .await?,
    ))
}

/// A bulk assignment.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AssignBody {
    /// Up to 500 initiatives.
    pub initiative_ids: Vec<i64>,
    pub reviewer_id: i64,
}

/// Assigns a member to review each initiative (chair); answers per initiative.
#[utoipa::path(post, path = "/api/v1/committees/{id}/assignments", tag = "review", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = AssignBody,
    responses((status = 200, body = Vec<AssignOutcome>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[post("/committees/{id}/assignments")]
pub async fn assign(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
    body: web::Json<AssignBody>,
) -> Result<HttpResponse, AppError> {
    let b = body.into_inner();
    let mut c = Checker::default();
    if b.initiative_ids.is_empty() || b.initiative_ids.len() > 500 {
        c.fail("initiative_ids", "Chọn từ 1 đến 500 sáng kiến.");
    }
    c.finish()?;
    Ok(HttpResponse::Ok().json(
        service::review::assign(
            &state.db,
            &id.actor,
            path.into_inner(),
            b.initiative_ids,
            b.reviewer_id,
        )
        .await?,
    ))
}

/// Takes an unscored review away from a reviewer (chair).
#[utoipa::path(delete, path = "/api/v1/committees/{id}/assignments/{initiative_id}/{reviewer_id}", tag = "review", security(("bearer" = [])),
    params(("id" = i64, Path), ("initiative_id" = i64, Path), ("reviewer_id" = i64, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[delete("/committees/{id}/assignments/{initiative_id}/{reviewer_id}")]
pub async fn unassign(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<(i64, i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (committee_id, initiative, reviewer) = path.into_inner();
    service::review::unassign(&state.db, &id.actor, committee_id, initiative, reviewer).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Which pending decisions to publish: the listed ones, or with `all` every one of the
/// committee. Exactly one of the two; publishing everything is never a default.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishBody {
    /// These pending decisions (at least one unless `all`).
    #[serde(default)]
    pub initiative_ids: Vec<i64>,
    /// `true`: every pending decision of the committee (then no `initiative_ids`).
    #[serde(default)]
    pub all: bool,
}

impl PublishBody {
    fn scope(self) -> Result<PublishScope, AppError> {
        match (self.all, self.initiative_ids.is_empty()) {
            (true, true) => Ok(PublishScope::All),
            (false, false) => Ok(PublishScope::Only(self.initiative_ids)),
            (true, false) => Err(AppError::field(
                "all",
                "Chọn hoặc công bố tất cả, hoặc danh sách quyết định, không cả hai.",
            )),
            (false, true) => Err(AppError::field(
                "initiative_ids",
                "Chọn quyết định cần công bố, hoặc gửi \"all\": true để công bố tất cả.",
            )),
        }
    }
}

/// How many decisions were published.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Published {
    pub published: usize,
}

/// Publishes pending decisions (chair): this is when authors are told.
#[utoipa::path(post, path = "/api/v1/committees/{id}/publish", tag = "review", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = PublishBody,
    responses((status = 200, body = Published), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[post("/committees/{id}/publish")]
pub async fn publish(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
    body: web::Json<PublishBody>,
) -> Result<HttpResponse, AppError> {
    let scope = body.into_inner().scope()?;
    let published = service::review::publish(
        &state.db,
        &state.search,
        &id.actor,
        path.into_inner(),
        scope,
    )
    .await?;
    Ok(HttpResponse::Ok().json(Published { published }))
}

/// Filters of a reviewer's queue.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct QueueParams {
    pub program_id: Option<i64>,
    pub stage_id: Option<i64>,
    pub field_id: Option<i64>,
    /// Only initiatives of this union's subtree.
    pub union_id: Option<i64>,
    /// Only initiatives with recorded duplicate candidates.
    #[serde(default)]
    pub has_duplicates: bool,
    /// Only those the caller has not scored.
    #[serde(default)]
    pub not_scored: bool,
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<i64>,
}

/// The caller's review queue, due first, with progress.
#[utoipa::path(get, path = "/api/v1/reviews/queue", tag = "review", security(("bearer" = [])),
    params(QueueParams),
    responses((status = 200, body = QueueView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
#[get("/reviews/queue")]
pub async fn queue(
    state: web::Data<AppState>,
    id: Identity,
    params: web::Query<QueueParams>,
) -> Result<HttpResponse, AppError> {
    let p = params.into_inner();
    let query = QueueQuery {
        program_id: p.program_id,
        stage_id: p.stage_id,
        field_id: p.field_id,
        union_id: p.union_id,
        has_duplicates: p.has_duplicates,
        not_scored: p.not_scored,
    };
    let page = PageRequest {
        page: p.page,
        per_page: p.per_page,
    };
    Ok(HttpResponse::Ok().json(service::review::queue(&state.db, &id.actor, query, page).await?))
}

/// The review of an initiative: case, rubric, scores (as allowed), duplicates, conflicts.
#[utoipa::path(get, path = "/api/v1/initiatives/{id}/review", tag = "review", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = ReviewView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[get("/initiatives/{id}/review")]
pub async fn review(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok()
        .json(service::review::review(&state.db, &id.actor, path.into_inner()).await?))
}

/// A reviewer's score sheet.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ScoreBody {
    /// Criterion code → whole-number score within its scale.
    pub scores: BTreeMap<String, i32>,
    pub recommendation: Option<Decision>,
    pub comment: Option<String>,
}

/// Records (or replaces) the caller's scores.
#[utoipa::path(put, path = "/api/v1/initiatives/{id}/review/scores", tag = "review", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ScoreBody,
    responses((status = 200, body = ReviewView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[put("/initiatives/{id}/review/scores")]
pub async fn score(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
    body: web::Json<ScoreBody>,
) -> Result<HttpResponse, AppError> {
    let b = body.into_inner();
    let mut c = Checker::default();
    let comment = c.opt_line("comment", b.comment.as_deref(), NOTE_MAX);
    c.finish()?;
    let input = ScoreInput {
        scores: b.scores,
        recommendation: b.recommendation,
        comment,
    };
    Ok(HttpResponse::Ok()
        .json(service::review::score(&state.db, &id.actor, path.into_inner(), input).await?))
}

/// A declared conflict of interest.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ConflictBody {
    pub note: String,
}

/// Declares a conflict of interest: the caller steps aside and another member takes over.
#[utoipa::path(post, path = "/api/v1/initiatives/{id}/review/conflict", tag = "review", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ConflictBody,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/initiatives/{id}/review/conflict")]
pub async fn declare_conflict(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
    body: web::Json<ConflictBody>,
) -> Result<HttpResponse, AppError> {
    let mut c = Checker::default();
    let note = c.line(
        "note",
        &body.note,
        text::Limit {
            min: 1,
            max: NOTE_MAX,
        },
    );
    c.finish()?;
    service::review::declare_conflict(&state.db, &id.actor, path.into_inner(), note).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A stage decision.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct DecisionBody {
    pub decision: Decision,
    /// For `reject`: one of the standard reasons (`trung-lap`, `khong-co-tinh-moi`,
    /// `ngoai-thoi-gian-ap-dung`, `khong-kha-thi`, `chua-chung-minh-hieu-qua`, `khac`).
    pub reason_code: Option<String>,
    /// Free text; for `return`, what the author must fix (required).
    pub note: Option<String>,
    /// For `duplicate`: the earlier initiative.
    pub duplicate_of: Option<i64>,
    /// Keep it pending for the chair to publish.
    #[serde(default)]
    pub hold: bool,
}

/// Records the stage's decision (409 with the current state if someone decided first).
#[utoipa::path(post, path = "/api/v1/initiatives/{id}/review/decision", tag = "review", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = DecisionBody,
    responses((status = 200, body = DecisionOutcome), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
#[post("/initiatives/{id}/review/decision")]
pub async fn decide(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
    body: web::Json<DecisionBody>,
) -> Result<HttpResponse, AppError> {
    let b = body.into_inner();
    let mut c = Checker::default();
    let note = c.opt_line("note", b.note.as_deref(), NOTE_MAX);
    let reason_code = c.opt_line("reason_code", b.reason_code.as_deref(), 50);
    c.finish()?;
    let input = DecisionInput {
        decision: b.decision,
        reason_code,
        note,
        duplicate_of: b.duplicate_of,
        hold: b.hold,
    };
    Ok(HttpResponse::Ok().json(
        service::review::decide(
            &state.db,
            &state.search,
            &id.actor,
            path.into_inner(),
            input,
        )
        .await?,
    ))
}

/// Withdraws a pending decision (chair).
#[utoipa::path(post, path = "/api/v1/initiatives/{id}/review/withdraw", tag = "review", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = ReviewView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/initiatives/{id}/review/withdraw")]
pub async fn withdraw(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok()
        .json(service::review::withdraw(&state.db, &id.actor, path.into_inner()).await?))
}

/// Which submitted versions to compare.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct DiffParams {
    /// Default: the one before `to`.
    pub from: Option<i32>,
    /// Default: the latest.
    pub to: Option<i32>,
}

/// Compares two submitted versions word by word.
#[utoipa::path(get, path = "/api/v1/initiatives/{id}/versions/diff", tag = "review", security(("bearer" = [])),
    params(("id" = i64, Path), DiffParams),
    responses((status = 200, body = VersionDiff), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[get("/initiatives/{id}/versions/diff")]
pub async fn diff(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
    params: web::Query<DiffParams>,
) -> Result<HttpResponse, AppError> {
    let p = params.into_inner();
    Ok(HttpResponse::Ok()
        .json(service::review::diff(&state.db, &id.actor, path.into_inner(), p.from, p.to).await?))
}

/// Why an approval is revoked.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RevokeBody {
    pub reason: String,
}

/// Revokes an approval (the owning union), with a reason.
#[utoipa::path(post, path = "/api/v1/initiatives/{id}/revoke", tag = "review", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = RevokeBody,
    responses((status = 200, body = InitiativeView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/initiatives/{id}/revoke")]
pub async fn revoke(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
    body: web::Json<RevokeBody>,
) -> Result<HttpResponse, AppError> {
    let mut c = Checker::default();
    let reason = c.line(
        "reason",
        &body.reason,
        text::Limit {
            min: 1,
            max: NOTE_MAX,
        },
    );
    c.finish()?;
    Ok(HttpResponse::Ok().json(
        service::review::revoke(
            &state.db,
            &state.search,
            &id.actor,
            path.into_inner(),
            reason,
        )
        .await?,
    ))
}

/// An award: `level` one of `tieu-bieu`, `giai-nhat`, `giai-nhi`, `giai-ba`, `khuyen-khich`,
/// or `null` to clear it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AwardBody {
    pub level: Option<String>,
    pub note: Option<String>,
}

/// Marks an approved initiative outstanding with an award level (the owning union).
#[utoipa::path(put, path = "/api/v1/initiatives/{id}/award", tag = "review", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = AwardBody,
    responses((status = 200, body = Option<AwardView>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[put("/initiatives/{id}/award")]
pub async fn award(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
    body: web::Json<AwardBody>,
) -> Result<HttpResponse, AppError> {
    let b = body.into_inner();
    let mut c = Checker::default();
    let note = c.opt_line("note", b.note.as_deref(), NOTE_MAX);
    let level = c.opt_line("level", b.level.as_deref(), 50);
    c.finish()?;
    Ok(HttpResponse::Ok()
        .json(service::review::award(&state.db, &id.actor, path.into_inner(), level, note).await?))
}

/// The head (thủ trưởng) of a union.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct HeadBody {
    /// `null` clears it.
    pub user_id: Option<i64>,
}

/// Records the head of a union, who never reviews its initiatives (officers).
#[utoipa::path(put, path = "/api/v1/unions/{id}/head", tag = "unions", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = HeadBody,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[put("/unions/{id}/head")]
pub async fn set_head(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
    body: web::Json<HeadBody>,
) -> Result<HttpResponse, AppError> {
    service::review::set_head(&state.db, &id.actor, path.into_inner(), body.user_id).await?;
    Ok(HttpResponse::NoContent().finish())
}
