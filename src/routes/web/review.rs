//! The reviewers' pages: the queue, the review page (content, duplicate candidates, the
//! rubric form, others' scores when allowed, the decision), the side-by-side comparison, the
//! changes between submissions, the printable score sheet; and the chair's board with bulk
//! assignment and publication, and the printable minutes (biên bản).

use std::collections::{BTreeMap, HashMap};

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use chrono::{Datelike, Duration, NaiveDate, Utc};
use serde::Deserialize;

use super::form::{Done, NoFields, SignedInForm, notice};
use super::member::Pager;
use super::{Chrome, FieldProblems, PageError, Visitor, format, render, see_other};
use crate::auth::Identity;
use crate::domain::permissions::{Area, may_enter};
use crate::domain::review::{Decision, REJECT_REASONS};
use crate::error::{AppError, ErrorCode};
use crate::service::review::{
    BoardRequest, BoardView, Comparison, DecisionInput, MinutesView, QueueQuery, ReviewView,
    ScoreInput, Segment, VersionDiff,
};
use crate::service::{self, PageRequest};
use crate::state::AppState;

/// The score sheet: `score_{code}` per criterion, the recommendation and a comment.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ScoreForm {
    pub recommendation: String,
    pub comment: String,
    #[serde(flatten)]
    pub scores: HashMap<String, String>,
}

/// The stage's decision.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecideForm {
    pub decision: String,
    pub reason_code: String,
    pub note: String,
    pub duplicate_of: String,
    pub hold: String,
}

/// A declared conflict of interest.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConflictForm {
    pub conflict_note: String,
}

/// The chair's choice of initiatives (checkboxes), to assign to a reviewer or to publish.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ChoiceForm {
    pub initiative: Vec<String>,
    pub reviewer_id: String,
    pub all: String,
}

impl ChoiceForm {
    /// The chosen initiatives' ids (values that are not ids are left out).
    fn ids(&self) -> Vec<i64> {
        self.initiative
            .iter()
            .filter_map(|v| v.trim().parse().ok())
            .collect()
    }
}

/// The award form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AwardForm {
    pub level: String,
    pub note: String,
}

/// The revocation form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RevokeForm {
    pub reason: String,
}

fn vn() -> chrono_tz::Tz {
    chrono_tz::Asia::Ho_Chi_Minh
}

fn score_text(x: f64) -> String {
    if (x - x.round()).abs() < 0.05 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}").replace('.', ",")
    }
}

/// A flash message after a form, by the `da` query value.
fn flash(code: Option<&str>, n: Option<i64>) -> Option<(&'static str, String)> {
    notice(Done::Review(n.unwrap_or(0)), code)
}

// ---------------------------------------------------------------------------------------
// Queue

/// Query of the queue page.
#[derive(Debug, Deserialize)]
pub struct QueueParams {
    pub program_id: Option<String>,
    pub stage_id: Option<String>,
    pub field_id: Option<String>,
    pub union_code: Option<String>,
    pub has_duplicates: Option<String>,
    pub not_scored: Option<String>,
    pub page: Option<i64>,
    pub da: Option<String>,
    pub n: Option<i64>,
}

fn id_param(v: &Option<String>) -> Option<i64> {
    v.as_deref().and_then(|s| s.trim().parse().ok())
}

fn flag(v: &Option<String>) -> bool {
    matches!(v.as_deref(), Some("1" | "on" | "true"))
}

/// A choice in a filter.
#[derive(Debug, Clone)]
pub struct Choice {
    pub id: i64,
    pub name: String,
    pub selected: bool,
}

/// One line of the queue.
#[derive(Debug, Clone)]
pub struct QueueLine {
    pub id: i64,
    pub title: String,
    pub receipt_no: String,
    pub union_name: String,
    pub field_name: String,
    pub stage_name: String,
    pub due_text: String,
    pub overdue: bool,
    pub pending: bool,
    pub scored: bool,
    pub total_text: String,
    pub duplicates: i64,
}

/// A committee the user sits on.
#[derive(Debug, Clone)]
pub struct CommitteeLink {
    pub id: i64,
    pub name: String,
    pub is_chair: bool,
}

/// The reviewer's queue.
#[derive(Template)]
#[template(path = "review_queue.html")]
pub struct QueuePage {
    pub chrome: Chrome,
    pub notice: Option<(&'static str, String)>,
    pub lines: Vec<QueueLine>,
    pub scored: i64,
    pub total: i64,
    pub percent: i64,
    pub programs: Vec<Choice>,
    pub stages: Vec<Choice>,
    pub fields: Vec<Choice>,
    pub union_code: String,
    pub has_duplicates: bool,
    pub not_scored: bool,
    pub filtered: bool,
    pub committees: Vec<CommitteeLink>,
    pub admin_programs: Vec<Choice>,
    /// Any board or set-up page to link to?
    pub has_links: bool,
    pub pager: Pager,
}

/// `GET /xet-duyet`: the reviewer's queue, due first, with progress and filters.
#[get("/xet-duyet")]
pub async fn queue(
    state: web::Data<AppState>,
    visitor: Visitor,
    params: web::Query<QueueParams>,
) -> Result<HttpResponse, PageError> {
    let me = visitor.require()?;
    let p = params.into_inner();
    let mut notice = flash(p.da.as_deref(), p.n);
    let committees = service::review::my_committees(&state.db, &me.actor).await?;
    let union_code = p.union_code.clone().unwrap_or_default().trim().to_owned();
    let union_id = if union_code.is_empty() {
        None
    } else {
        let found = service::unions::id_by_code(&state.db, union_code.clone()).await?;
        if found.is_none() {
            notice = Some((
                "error",
                format!("Không có công đoàn mã \"{union_code}\"; bộ lọc đơn vị bị bỏ qua."),
            ));
        }
        found
    };
    let query = QueueQuery {
        program_id: id_param(&p.program_id),
        stage_id: id_param(&p.stage_id),
        field_id: id_param(&p.field_id),
        union_id,
        has_duplicates: flag(&p.has_duplicates),
        not_scored: flag(&p.not_scored),
    };
    let page = PageRequest {
        page: p.page,
        per_page: Some(50),
    };
    let view = service::review::queue(&state.db, &me.actor, query.clone(), page).await?;
    // Filter choices: the programs, stages and fields of the user's committees.
    let mut programs: BTreeMap<i64, String> = BTreeMap::new();
    let mut fields = Vec::new();
    let mut program_ids: Vec<i64> = committees.iter().map(|c| c.program_id).collect();
    program_ids.dedup();
    for pid in program_ids {
        if let Ok(program) = service::programs::get(&state.db, &me.actor, pid).await {
            for f in &program.fields {
                fields.push(Choice {
                    id: f.id,
                    name: f.name.clone(),
                    selected: query.field_id == Some(f.id),
                });
            }
            programs.insert(pid, program.name);
        }
    }
    let mut stages: Vec<Choice> = Vec::new();
    for c in &committees {
        if !stages.iter().any(|s| s.id == c.stage_id) {
            stages.push(Choice {
                id: c.stage_id,
                name: format!(
                    "{} — {}",
                    c.stage_name,
                    programs.get(&c.program_id).cloned().unwrap_or_default()
                ),
                selected: query.stage_id == Some(c.stage_id),
            });
        }
    }
    let admin_programs = if may_enter(&me.actor, Area::ProgramAdministration) {
        service::programs::list(&state.db, &me.actor)
            .await?
            .into_iter()
            .map(|p| Choice {
                id: p.id,
                name: p.name,
                selected: false,
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut base = String::new();
    for (k, v) in [
        ("program_id", p.program_id.clone().unwrap_or_default()),
        ("stage_id", p.stage_id.clone().unwrap_or_default()),
        ("field_id", p.field_id.clone().unwrap_or_default()),
        ("union_code", union_code.clone()),
        (
            "has_duplicates",
            if query.has_duplicates { "1" } else { "" }.to_owned(),
        ),
        (
            "not_scored",
            if query.not_scored { "1" } else { "" }.to_owned(),
        ),
    ] {
        if !v.is_empty() {
            base.push_str(&format!(
                "{k}={}&",
                percent_encoding::utf8_percent_encode(&v, percent_encoding::NON_ALPHANUMERIC)
            ));
        }
    }
    let links: Vec<CommitteeLink> = committees
        .iter()
        .map(|c| CommitteeLink {
            id: c.id,
            name: c.name.clone(),
            is_chair: c
                .members
                .iter()
                .any(|m| m.user_id == me.user.id && m.is_chair),
        })
        .collect();
    let page = QueuePage {
        has_links: links.iter().any(|c| c.is_chair) || !admin_programs.is_empty(),
        chrome: Chrome::of(&visitor, "review"),
        notice,
        lines: view
            .items
            .into_iter()
            .map(|i| QueueLine {
                id: i.initiative_id,
                title: i.title,
                receipt_no: i.receipt_no.unwrap_or_default(),
                union_name: i.union_name,
                field_name: i.field_name.unwrap_or_default(),
                stage_name: i.stage_name,
                due_text: format::datetime(i.due_at),
                overdue: i.overdue,
                pending: i.state == crate::domain::review::CaseState::Pending,
                scored: i.scored,
                total_text: i.my_total.map(score_text).unwrap_or_default(),
                duplicates: i.duplicate_count,
            })
            .collect(),
        scored: view.scored,
        total: view.total,
        percent: (view.scored * 100).checked_div(view.total).unwrap_or(0),
        programs: programs
            .into_iter()
            .map(|(id, name)| Choice {
                id,
                name,
                selected: query.program_id == Some(id),
            })
            .collect(),
        stages,
        fields,
        union_code,
        has_duplicates: query.has_duplicates,
        not_scored: query.not_scored,
        filtered: !base.is_empty(),
        committees: links,
        admin_programs,
        pager: Pager::new(view.page, view.per_page, view.shown, base),
    };
    render(StatusCode::OK, &page)
}

// ---------------------------------------------------------------------------------------
// The review page

/// A criterion on the scoring form.
#[derive(Debug, Clone)]
pub struct CriterionLine {
    pub code: String,
    /// The name its problems are filed under (`scores.CODE`).
    pub error_key: String,
    pub name: String,
    pub description: String,
    pub max_score: i32,
    pub weight_text: String,
    pub bands: Vec<String>,
    pub value: String,
}

/// A reviewer's scores as shown.
#[derive(Debug, Clone)]
pub struct ScoreLine {
    pub name: String,
    pub per: Vec<String>,
    pub total_text: String,
    pub recommendation: String,
    pub comment: String,
    pub when: String,
}

/// An earlier case.
#[derive(Debug, Clone)]
pub struct CaseLine {
    pub what: String,
    pub decision: String,
    pub note: String,
    pub when: String,
}

/// A duplicate candidate.
#[derive(Debug, Clone)]
pub struct DuplicateLine {
    pub id: i64,
    pub title: String,
    pub status_name: &'static str,
    pub score_text: String,
    pub verdict: &'static str,
    pub submitted_text: String,
}

/// The review page.
#[derive(Template)]
#[template(path = "review.html")]
pub struct ReviewPage {
    pub chrome: Chrome,
    pub notice: Option<(&'static str, String)>,
    pub problems: FieldProblems,
    pub v: ReviewView,
    pub tone: &'static str,
    pub stage_text: String,
    pub due_text: String,
    pub overdue: bool,
    pub benefit_text: String,
    pub authors: String,
    pub criteria: Vec<CriterionLine>,
    pub max_total_text: String,
    pub recommendation: String,
    pub comment: String,
    pub scores: Vec<ScoreLine>,
    pub committee_score_text: String,
    pub assigned: Vec<(String, &'static str)>,
    pub conflicts: Vec<(String, &'static str)>,
    pub earlier: Vec<CaseLine>,
    pub duplicates: Vec<DuplicateLine>,
    pub reasons: &'static [(&'static str, &'static str)],
    pub decision: String,
    pub reason_code: String,
    pub note: String,
    pub duplicate_of: String,
    pub pending_text: String,
}

impl ReviewPage {
    /// The problem of a form field.
    pub fn problem(&self, name: &str) -> Option<&str> {
        self.problems.get(name)
    }
}

/// What was typed into the review forms, to show again after a refusal.
#[derive(Debug, Clone, Default)]
struct Typed {
    scores: BTreeMap<String, String>,
    recommendation: Option<String>,
    comment: Option<String>,
    decision: String,
    reason_code: String,
    note: String,
    duplicate_of: String,
}

fn review_page(
    visitor: &Visitor,
    v: ReviewView,
    notice: Option<(&'static str, String)>,
    problems: FieldProblems,
    typed: Typed,
) -> ReviewPage {
    let mine = v.mine.clone();
    let criteria = v
        .rubric
        .criteria
        .iter()
        .map(|c| CriterionLine {
            code: c.code.clone(),
            error_key: format!("scores.{}", c.code),
            name: c.name.clone(),
            description: c.description.clone(),
            max_score: c.max_score,
            weight_text: score_text(c.weight),
            bands: c
                .bands
                .iter()
                .map(|b| format!("{}–{}: {}", b.min, b.max, b.description))
                .collect(),
            value: typed.scores.get(&c.code).cloned().unwrap_or_else(|| {
                mine.as_ref()
                    .and_then(|m| m.scores.get(&c.code))
                    .map(ToString::to_string)
                    .unwrap_or_default()
            }),
        })
        .collect();
    let scores = v
        .scores
        .iter()
        .map(|s| ScoreLine {
            name: s.reviewer_name.clone(),
            per: v
                .rubric
                .criteria
                .iter()
                .map(|c| {
                    s.scores
                        .get(&c.code)
                        .map(ToString::to_string)
                        .unwrap_or_default()
                })
                .collect(),
            total_text: s.total.map(score_text).unwrap_or_default(),
            recommendation: s
                .recommendation
                .map(Decision::label)
                .unwrap_or("")
                .to_owned(),
            comment: s.comment.clone().unwrap_or_default(),
            when: s.scored_at.map(format::datetime).unwrap_or_default(),
        })
        .collect();
    let state_label = |s: crate::domain::review::AssignmentState| match s {
        crate::domain::review::AssignmentState::Assigned => "Chưa chấm",
        crate::domain::review::AssignmentState::Scored => "Đã chấm",
        crate::domain::review::AssignmentState::Recused => "Đã từ chối (xung đột lợi ích)",
    };
    let pending_text = match (&v.case.state, v.case.decision_name) {
        (crate::domain::review::CaseState::Pending, Some(d)) => {
            format!("Đã quyết định \"{d}\", chờ chủ tịch hội đồng công bố.")
        }
        _ => String::new(),
    };
    ReviewPage {
        chrome: Chrome::of(visitor, "review"),
        notice,
        problems,
        tone: v.initiative.status.tone(),
        stage_text: format!(
            "Vòng {}/{}: {}{}",
            v.case.stage_position,
            v.stage_count,
            v.case.stage_name,
            if v.case.round > 1 {
                format!(" · lần nộp thứ {}", v.case.round)
            } else {
                String::new()
            }
        ),
        due_text: format::datetime(v.case.due_at),
        overdue: v.case.overdue,
        benefit_text: v
            .initiative
            .estimated_benefit_vnd
            .map(format::vnd)
            .unwrap_or_else(|| "Chưa ước tính".to_owned()),
        authors: v
            .initiative
            .authors
            .iter()
            .map(|a| format!("{} ({}%)", a.full_name, a.share_percent))
            .collect::<Vec<_>>()
            .join(", "),
        criteria,
        max_total_text: score_text(v.rubric.max_total),
        recommendation: typed.recommendation.unwrap_or_else(|| {
            mine.as_ref()
                .and_then(|m| m.recommendation)
                .map(|d| d.as_str().to_owned())
                .unwrap_or_default()
        }),
        comment: typed.comment.unwrap_or_else(|| {
            mine.as_ref()
                .and_then(|m| m.comment.clone())
                .unwrap_or_default()
        }),
        scores,
        committee_score_text: v.committee_score.map(score_text).unwrap_or_default(),
        assigned: v
            .assignments
            .iter()
            .map(|a| (a.reviewer_name.clone(), state_label(a.state)))
            .collect(),
        conflicts: v
            .conflicts
            .iter()
            .map(|c| (c.full_name.clone(), c.reason_name))
            .collect(),
        earlier: v
            .earlier
            .iter()
            .map(|c| CaseLine {
                what: format!(
                    "Vòng {}: {} (lần {})",
                    c.stage_position, c.stage_name, c.round
                ),
                decision: c.decision_name.unwrap_or(c.state_name).to_owned(),
                note: [c.reason_name.map(str::to_owned), c.note.clone()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(". "),
                when: c
                    .published_at
                    .or(c.decided_at)
                    .map(format::datetime)
                    .unwrap_or_default(),
            })
            .collect(),
        duplicates: v
            .duplicates
            .iter()
            .map(|d| DuplicateLine {
                id: d.initiative_id,
                title: d.title.clone(),
                status_name: d.status_name,
                score_text: format::percent(d.score * 100.0),
                verdict: if d.verdict == "duplicate" {
                    "Trùng lặp"
                } else {
                    "Gần trùng"
                },
                submitted_text: d.submitted_at.map(format::datetime).unwrap_or_default(),
            })
            .collect(),
        reasons: &REJECT_REASONS,
        decision: typed.decision,
        reason_code: typed.reason_code,
        note: typed.note,
        duplicate_of: typed.duplicate_of.clone(),
        pending_text,
        v,
    }
}

/// Query of the review page.
#[derive(Debug, Deserialize)]
pub struct FlashParams {
    pub da: Option<String>,
    pub n: Option<i64>,
}

/// `GET /xet-duyet/{id}`: the review page.
#[get("/xet-duyet/{id}")]
pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<i64>,
    params: web::Query<FlashParams>,
) -> Result<HttpResponse, PageError> {
    let me = visitor.require()?;
    let v = service::review::review(&state.db, &me.actor, path.into_inner()).await?;
    let notice = flash(params.da.as_deref(), params.n);
    render(
        StatusCode::OK,
        &review_page(
            &visitor,
            v,
            notice,
            FieldProblems::default(),
            Typed::default(),
        ),
    )
}

/// Shows the review page again with a refusal explained (or passes other errors on).
async fn refused(
    state: &AppState,
    visitor: &Visitor,
    me: &Identity,
    id: i64,
    e: AppError,
    typed: Typed,
) -> Result<HttpResponse, PageError> {
    if !e.code.status().is_client_error() || e.code == ErrorCode::NotFound {
        return Err(e.into());
    }
    let v = service::review::review(&state.db, &me.actor, id).await?;
    let problems = FieldProblems::from_error(&e);
    let status = e.code.status();
    let page = review_page(
        visitor,
        v,
        Some(("error", e.message.clone())),
        problems,
        typed,
    );
    render(status, &page)
}

/// `POST /xet-duyet/{id}/cham`: records the reviewer's scores.
#[post("/xet-duyet/{id}/cham")]
pub async fn score(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<ScoreForm>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, p) = f.into_parts();
    let id = path.into_inner();
    let mut typed = Typed::default();
    let mut scores = BTreeMap::new();
    let mut problems = BTreeMap::new();
    for (k, raw) in &p.scores {
        if let Some(code) = k.strip_prefix("score_") {
            let raw = raw.clone();
            typed.scores.insert(code.to_owned(), raw.clone());
            match raw.trim().parse::<i32>() {
                Ok(n) => {
                    scores.insert(code.to_owned(), n);
                }
                Err(_) => {
                    problems.insert(
                        format!("scores.{code}"),
                        "Nhập điểm là số nguyên.".to_owned(),
                    );
                }
            }
        }
    }
    let recommendation = Decision::parse(p.recommendation.trim());
    typed.recommendation = Some(p.recommendation.clone());
    let comment = crate::domain::text::clean_line(&p.comment);
    typed.comment = Some(comment.clone());
    let result = if problems.is_empty() {
        if comment.chars().count() > 5000 {
            Err(AppError::field("comment", "Tối đa 5000 ký tự."))
        } else {
            service::review::score(
                &state.db,
                &me.actor,
                id,
                ScoreInput {
                    scores,
                    recommendation,
                    comment: (!comment.is_empty()).then_some(comment),
                },
            )
            .await
            .map(|_| ())
        }
    } else {
        Err(AppError::validation(problems))
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/xet-duyet/{id}?da=cham#cham"))),
        Err(e) => refused(&state, &visitor, &me, id, e, typed).await,
    }
}

/// `POST /xet-duyet/{id}/quyet-dinh`: records the stage's decision.
#[post("/xet-duyet/{id}/quyet-dinh")]
pub async fn decide(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<DecideForm>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, p) = f.into_parts();
    let id = path.into_inner();
    let typed = Typed {
        decision: p.decision.clone(),
        reason_code: p.reason_code.clone(),
        note: p.note.clone(),
        duplicate_of: p.duplicate_of.clone(),
        ..Typed::default()
    };
    let note = crate::domain::text::clean(&typed.note);
    let result = match Decision::parse(typed.decision.trim()) {
        None => Err(AppError::field("decision", "Chọn một quyết định.")),
        Some(_) if note.chars().count() > 5000 => {
            Err(AppError::field("note", "Tối đa 5000 ký tự."))
        }
        Some(decision) => {
            let duplicate_of = typed.duplicate_of.trim();
            let duplicate_of = if duplicate_of.is_empty() {
                Ok(None)
            } else {
                duplicate_of
                    .parse()
                    .map(Some)
                    .map_err(|_| AppError::field("duplicate_of", "Nhập mã số sáng kiến (một số)."))
            };
            match duplicate_of {
                Err(e) => Err(e),
                Ok(duplicate_of) => service::review::decide(
                    &state.db,
                    &state.search,
                    &me.actor,
                    id,
                    DecisionInput {
                        decision,
                        reason_code: Some(typed.reason_code.trim().to_owned())
                            .filter(|s| !s.is_empty()),
                        note: (!note.is_empty()).then_some(note),
                        duplicate_of,
                        hold: matches!(p.hold.as_str(), "1" | "on"),
                    },
                )
                .await
                .map(|v| v.case.state == crate::domain::review::CaseState::Pending),
            }
        }
    };
    match result {
        Ok(true) => Ok(see_other("/xet-duyet?da=cho-cong-bo")),
        Ok(false) => Ok(see_other("/xet-duyet?da=quyet-dinh")),
        Err(e) => refused(&state, &visitor, &me, id, e, typed).await,
    }
}

/// `POST /xet-duyet/{id}/xung-dot`: declares a conflict of interest.
#[post("/xet-duyet/{id}/xung-dot")]
pub async fn conflict(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<ConflictForm>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, p) = f.into_parts();
    let id = path.into_inner();
    let note = crate::domain::text::clean_line(&p.conflict_note);
    let result = if note.is_empty() {
        Err(AppError::field(
            "conflict_note",
            "Ghi rõ lý do xung đột lợi ích.",
        ))
    } else if note.chars().count() > 5000 {
        Err(AppError::field("conflict_note", "Tối đa 5000 ký tự."))
    } else {
        service::review::declare_conflict(&state.db, &me.actor, id, note).await
    };
    match result {
        Ok(()) => Ok(see_other("/xet-duyet?da=xung-dot")),
        Err(e) => refused(&state, &visitor, &me, id, e, Typed::default()).await,
    }
}

/// `POST /xet-duyet/{id}/rut`: the chair withdraws a pending decision.
#[post("/xet-duyet/{id}/rut")]
pub async fn withdraw(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<NoFields>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, _) = f.into_parts();
    let id = path.into_inner();
    match service::review::withdraw(&state.db, &me.actor, id).await {
        Ok(_) => Ok(see_other(&format!("/xet-duyet/{id}?da=rut"))),
        Err(e) => refused(&state, &visitor, &me, id, e, Typed::default()).await,
    }
}

// ---------------------------------------------------------------------------------------
// Comparison, changes, score sheet

/// The side-by-side comparison.
#[derive(Template)]
#[template(path = "review_compare.html")]
pub struct ComparePage {
    pub chrome: Chrome,
    pub c: Comparison,
    pub score_text: String,
    pub copied_text: String,
    pub this_submitted: String,
    pub other_submitted: String,
}

impl ComparePage {
    /// The segments of one side, for the template.
    pub fn parts<'a>(&self, side: &'a [Segment]) -> &'a [Segment] {
        side
    }
}

/// `GET /xet-duyet/{id}/so-sanh/{other}`: the initiative beside a duplicate candidate, with
/// the copied passages marked in both.
#[get("/xet-duyet/{id}/so-sanh/{other}")]
pub async fn compare(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, PageError> {
    let me = visitor.require()?;
    let (id, other) = path.into_inner();
    let c = service::review::compare(&state.db, &state.search, &me.actor, id, other).await?;
    let page = ComparePage {
        chrome: Chrome::of(&visitor, "review"),
        score_text: c
            .score
            .map(|s| format::percent(f64::from(s) * 100.0))
            .unwrap_or_else(|| "—".to_owned()),
        copied_text: format::percent(f64::from(c.copied_share) * 100.0),
        this_submitted: c
            .this
            .submitted_at
            .map(format::datetime)
            .unwrap_or_default(),
        other_submitted: c
            .other
            .submitted_at
            .map(format::datetime)
            .unwrap_or_default(),
        c,
    };
    render(StatusCode::OK, &page)
}

/// The changes between two submissions.
#[derive(Template)]
#[template(path = "review_changes.html")]
pub struct ChangesPage {
    pub chrome: Chrome,
    pub id: i64,
    pub d: VersionDiff,
    pub from_text: String,
    pub to_text: String,
}

/// Query of the changes page.
#[derive(Debug, Deserialize)]
pub struct ChangesParams {
    pub from: Option<i32>,
    pub to: Option<i32>,
}

/// `GET /xet-duyet/{id}/thay-doi`: what the author changed between two submissions.
#[get("/xet-duyet/{id}/thay-doi")]
pub async fn changes(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<i64>,
    params: web::Query<ChangesParams>,
) -> Result<HttpResponse, PageError> {
    let me = visitor.require()?;
    let id = path.into_inner();
    let d = service::review::diff(&state.db, &me.actor, id, params.from, params.to).await?;
    render(
        StatusCode::OK,
        &ChangesPage {
            chrome: Chrome::of(&visitor, "review"),
            id,
            from_text: format::datetime(d.from_submitted_at),
            to_text: format::datetime(d.to_submitted_at),
            d,
        },
    )
}

/// The printable score sheet (phiếu chấm điểm).
#[derive(Template)]
#[template(path = "score_sheet.html")]
pub struct ScoreSheetPage {
    pub chrome: Chrome,
    pub p: ReviewPage,
    pub reviewer: String,
    pub program_name: String,
    pub union_name: String,
    pub today: String,
}

/// `GET /xet-duyet/{id}/phieu-cham`: the reviewer's score sheet, filled when scored, for the
/// paper file.
#[get("/xet-duyet/{id}/phieu-cham")]
pub async fn score_sheet(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    let me = visitor.require()?;
    let v = service::review::review(&state.db, &me.actor, path.into_inner()).await?;
    let (program, union) = futures_util::future::try_join(
        service::programs::get(&state.db, &me.actor, v.initiative.program_id),
        service::unions::name_of(&state.db, v.initiative.union_id),
    )
    .await?;
    let now = Utc::now().with_timezone(&vn());
    let p = review_page(
        &visitor,
        v,
        None,
        FieldProblems::default(),
        Typed::default(),
    );
    render(
        StatusCode::OK,
        &ScoreSheetPage {
            chrome: Chrome::of(&visitor, "review"),
            p,
            reviewer: me.user.full_name.clone(),
            program_name: program.name,
            union_name: union,
            today: format!(
                "ngày {:02} tháng {:02} năm {}",
                now.day(),
                now.month(),
                now.year()
            ),
        },
    )
}

// ---------------------------------------------------------------------------------------
// The chair's board and the minutes

/// The chair's board.
#[derive(Template)]
#[template(path = "review_board.html")]
pub struct BoardPage {
    pub chrome: Chrome,
    pub notice: Option<(&'static str, String)>,
    pub b: BoardView,
    pub unassigned: Vec<BoardLine>,
    pub pending: Vec<BoardLine>,
    pub pager: Pager,
    /// Pages of the pending decisions (`pending_page=N`).
    pub pending_pager: Pager,
}

/// A case on the board.
#[derive(Debug, Clone)]
pub struct BoardLine {
    pub id: i64,
    pub title: String,
    pub receipt_no: String,
    pub union_name: String,
    pub due_text: String,
    pub overdue: bool,
    pub decision: String,
}

fn board_lines(items: &[crate::service::review::BoardItem]) -> Vec<BoardLine> {
    items
        .iter()
        .map(|i| BoardLine {
            id: i.initiative_id,
            title: i.title.clone(),
            receipt_no: i.receipt_no.clone().unwrap_or_default(),
            union_name: i.union_name.clone(),
            due_text: format::datetime(i.due_at),
            overdue: i.overdue,
            decision: i.decision_name.unwrap_or("").to_owned(),
        })
        .collect()
}

/// Query of the board.
#[derive(Debug, Deserialize)]
pub struct BoardParams {
    pub page: Option<i64>,
    pub pending_page: Option<i64>,
    pub da: Option<String>,
    pub n: Option<i64>,
}

async fn board_page(
    state: &AppState,
    visitor: &Visitor,
    me: &Identity,
    id: i64,
    pages: (Option<i64>, Option<i64>),
    notice: Option<(&'static str, String)>,
) -> Result<BoardPage, PageError> {
    let b = service::review::board(
        &state.db,
        &me.actor,
        id,
        BoardRequest {
            page: pages.0,
            per_page: Some(100),
            pending_page: pages.1,
        },
    )
    .await?;
    let (page, pending_page) = (b.unassigned.page, b.pending_decisions.page);
    Ok(BoardPage {
        chrome: Chrome::of(visitor, "review"),
        notice,
        unassigned: board_lines(&b.unassigned.items),
        pending: board_lines(&b.pending_decisions.items),
        pager: Pager::new(
            page,
            b.unassigned.per_page,
            b.unassigned.total,
            format!("pending_page={pending_page}&"),
        ),
        pending_pager: Pager::new(
            pending_page,
            b.pending_decisions.per_page,
            b.pending_decisions.total,
            format!("page={page}&"),
        ),
        b,
    })
}

/// `GET /hoi-dong/{id}`: the chair's board.
#[get("/hoi-dong/{id}")]
pub async fn board(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<i64>,
    params: web::Query<BoardParams>,
) -> Result<HttpResponse, PageError> {
    let me = visitor.require()?;
    let notice = flash(params.da.as_deref(), params.n);
    let pages = (params.page, params.pending_page);
    let page = board_page(&state, &visitor, me, path.into_inner(), pages, notice).await?;
    render(StatusCode::OK, &page)
}

async fn board_refused(
    state: &AppState,
    visitor: &Visitor,
    me: &Identity,
    id: i64,
    e: AppError,
) -> Result<HttpResponse, PageError> {
    if !e.code.status().is_client_error() || e.code == ErrorCode::NotFound {
        return Err(e.into());
    }
    let status = e.code.status();
    let message = FieldProblems::from_error(&e)
        .0
        .into_values()
        .next()
        .unwrap_or_else(|| e.message.clone());
    let page = board_page(
        state,
        visitor,
        me,
        id,
        (None, None),
        Some(("error", message)),
    )
    .await?;
    render(status, &page)
}

/// `POST /hoi-dong/{id}/phan-cong`: assigns the ticked initiatives to a member.
#[post("/hoi-dong/{id}/phan-cong")]
pub async fn assign(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<ChoiceForm>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, p) = f.into_parts();
    let id = path.into_inner();
    let ids = p.ids();
    let reviewer: Option<i64> = p.reviewer_id.trim().parse().ok();
    let result = match (ids.is_empty(), reviewer) {
        (true, _) => Err(AppError::field("initiative", "Chọn ít nhất một sáng kiến.")),
        (_, None) => Err(AppError::field(
            "reviewer_id",
            "Chọn thành viên được phân công.",
        )),
        (false, Some(r)) if ids.len() <= 500 => {
            service::review::assign(&state.db, &me.actor, id, ids, r).await
        }
        _ => Err(AppError::field(
            "initiative",
            "Tối đa 500 sáng kiến mỗi lần.",
        )),
    };
    match result {
        Ok(outcomes) => {
            let n = outcomes.iter().filter(|o| o.result == "assigned").count();
            let refused: Vec<String> = outcomes
                .iter()
                .filter(|o| o.result == "conflict")
                .map(|o| format!("#{}: {}", o.initiative_id, o.message))
                .collect();
            if refused.is_empty() {
                Ok(see_other(&format!("/hoi-dong/{id}?da=phan-cong&n={n}")))
            } else {
                let message = format!(
                    "Đã phân công {n} sáng kiến. Không phân công được do xung đột lợi ích: {}.",
                    refused.join("; ")
                );
                let page = board_page(
                    &state,
                    &visitor,
                    &me,
                    id,
                    (None, None),
                    Some(("warn", message)),
                )
                .await?;
                render(StatusCode::OK, &page)
            }
        }
        Err(e) => board_refused(&state, &visitor, &me, id, e).await,
    }
}

/// `POST /hoi-dong/{id}/cong-bo`: publishes the ticked pending decisions (or all of them).
#[post("/hoi-dong/{id}/cong-bo")]
pub async fn publish(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<ChoiceForm>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, p) = f.into_parts();
    let id = path.into_inner();
    let ids = p.ids();
    let all = p.all == "1";
    if ids.is_empty() && !all {
        let e = AppError::field("initiative", "Chọn quyết định cần công bố.");
        return board_refused(&state, &visitor, &me, id, e).await;
    }
    let scope = if all {
        service::review::PublishScope::All
    } else {
        service::review::PublishScope::Only(ids)
    };
    match service::review::publish(&state.db, &state.search, &me.actor, id, scope).await {
        Ok(n) => Ok(see_other(&format!("/hoi-dong/{id}?da=cong-bo&n={n}"))),
        Err(e) => board_refused(&state, &visitor, &me, id, e).await,
    }
}

/// The minutes (biên bản) of a committee.
#[derive(Template)]
#[template(path = "minutes.html")]
pub struct MinutesPage {
    pub chrome: Chrome,
    pub m: MinutesView,
    pub rows: Vec<MinutesLine>,
    pub from: String,
    pub to: String,
    pub from_text: String,
    pub to_text: String,
    pub today: String,
    pub chair: String,
}

/// One decision in the minutes.
#[derive(Debug, Clone)]
pub struct MinutesLine {
    pub receipt_no: String,
    pub title: String,
    pub union_name: String,
    pub authors: String,
    pub score: String,
    pub decision: &'static str,
    pub reason: String,
}

/// Query of the minutes.
#[derive(Debug, Deserialize)]
pub struct MinutesParams {
    /// From this Vietnam date (inclusive), `YYYY-MM-DD`.
    pub tu: Option<String>,
    /// Up to this Vietnam date (inclusive).
    pub den: Option<String>,
}

/// `GET /hoi-dong/{id}/bien-ban`: the minutes of the decisions published over a period
/// (this month by default), printable.
#[get("/hoi-dong/{id}/bien-ban")]
pub async fn minutes(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<i64>,
    params: web::Query<MinutesParams>,
) -> Result<HttpResponse, PageError> {
    let me = visitor.require()?;
    let today = Utc::now().with_timezone(&vn()).date_naive();
    let parse = |v: &Option<String>, field: &str| -> Result<Option<NaiveDate>, AppError> {
        match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| {
                    AppError::new(ErrorCode::InvalidQuery).with_message(format!(
                        "Ngày \"{field}\" không hợp lệ (dạng năm-tháng-ngày)."
                    ))
                }),
        }
    };
    let from = parse(&params.tu, "từ")?.unwrap_or_else(|| today.with_day(1).unwrap_or(today));
    let to = parse(&params.den, "đến")?.unwrap_or(today);
    let start = |d: NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .unwrap_or_default()
            .checked_sub_signed(Duration::hours(7))
            .unwrap_or_default()
    };
    let m = service::review::minutes(
        &state.db,
        &me.actor,
        path.into_inner(),
        start(from),
        start(to + Duration::days(1)),
    )
    .await?;
    let chair = m
        .committee
        .members
        .iter()
        .find(|x| x.is_chair)
        .map(|x| x.full_name.clone())
        .unwrap_or_default();
    let rows = m
        .rows
        .iter()
        .map(|r| MinutesLine {
            receipt_no: r.receipt_no.clone().unwrap_or_default(),
            title: r.title.clone(),
            union_name: r.union_name.clone(),
            authors: r.authors.join(", "),
            score: r.score.map(score_text).unwrap_or_else(|| "—".to_owned()),
            decision: r.decision_name,
            reason: r.reason.clone().unwrap_or_default(),
        })
        .collect();
    let now = Utc::now().with_timezone(&vn());
    render(
        StatusCode::OK,
        &MinutesPage {
            chrome: Chrome::of(&visitor, "review"),
            rows,
            from: from.format("%Y-%m-%d").to_string(),
            to: to.format("%Y-%m-%d").to_string(),
            from_text: format::date(from),
            to_text: format::date(to),
            today: format!(
                "ngày {:02} tháng {:02} năm {}",
                now.day(),
                now.month(),
                now.year()
            ),
            chair,
            m,
        },
    )
}

/// `POST /sang-kien/{id}/khen-thuong`: the owning union marks (or clears) the award.
#[post("/sang-kien/{id}/khen-thuong")]
pub async fn award(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<AwardForm>,
) -> Result<HttpResponse, PageError> {
    let (_, me, p) = f.into_parts();
    let id = path.into_inner();
    let level = Some(p.level.trim().to_owned()).filter(|l| !l.is_empty());
    let note = crate::domain::text::clean_line(&p.note);
    if note.chars().count() > 5000 {
        return Err(AppError::field("note", "Tối đa 5000 ký tự.").into());
    }
    service::review::award(
        &state.db,
        &me.actor,
        id,
        level,
        (!note.is_empty()).then_some(note),
    )
    .await?;
    Ok(see_other(&format!("/sang-kien/{id}#conclude")))
}

/// `POST /sang-kien/{id}/thu-hoi`: the owning union revokes an approval, with a reason.
#[post("/sang-kien/{id}/thu-hoi")]
pub async fn revoke(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<RevokeForm>,
) -> Result<HttpResponse, PageError> {
    let (_, me, p) = f.into_parts();
    let id = path.into_inner();
    let reason = crate::domain::text::clean_line(&p.reason);
    if reason.is_empty() || reason.chars().count() > 5000 {
        return Err(AppError::field("reason", "Ghi lý do thu hồi (tối đa 5000 ký tự).").into());
    }
    service::review::revoke(&state.db, &state.search, &me.actor, id, reason).await?;
    Ok(see_other(&format!("/sang-kien/{id}")))
}
