//! Administration pages shared by the program, union and member pages: the entry page
//! (`/quan-tri`), the confirmation step every destructive action goes through, the audit log
//! (`/quan-tri/nhat-ky`) and the system settings for system administrators
//! (`/quan-tri/he-thong`, with a rebuild of the search index).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use serde::{Deserialize, Serialize};

use super::form::SignedInForm;
use super::member::Pager;
use super::{Chrome, FieldProblems, PageError, Visitor, render, see_other};
use crate::domain::permissions::{Area, may_enter};
use crate::domain::{Action, Actor, Resource, can};
use crate::error::{AppError, ErrorCode};
use crate::format;
use crate::service::audit::AuditEntry;
use crate::service::input::audit::{AuditParams, audit_query};
use crate::service::system::SystemView;
use crate::service::{self, PageRequest};
use crate::state::AppState;

/// The confirmation step's own field: `confirmed=1` once the visitor confirmed.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Confirmation {
    pub confirmed: String,
}

impl Confirmation {
    /// Was the confirmation step passed?
    pub fn given(&self) -> bool {
        self.confirmed == "1"
    }
}

/// The confirmation step of a destructive action: what will happen, and a form that posts
/// the same request again with `confirmed=1`.
#[derive(Template)]
#[template(path = "confirm.html")]
pub struct ConfirmPage {
    pub chrome: Chrome,
    pub heading: String,
    pub explanation: String,
    pub action: String,
    pub hidden: Vec<(String, String)>,
    pub button: String,
    pub back: String,
}

/// Renders the confirmation step for `action`, carrying the posted form's fields along (its
/// CSRF token is the page's own).
pub fn confirm(
    visitor: &Visitor,
    heading: impl Into<String>,
    explanation: impl Into<String>,
    action: impl Into<String>,
    form: &impl Serialize,
    button: impl Into<String>,
    back: impl Into<String>,
) -> Result<HttpResponse, PageError> {
    let fields =
        serde_json::to_value(form).map_err(|e| AppError::failed("carrying a form along", e))?;
    let mut hidden: Vec<(String, String)> = fields
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.as_str() != "confirmed")
        .filter_map(|(k, v)| match v {
            serde_json::Value::Null => None,
            serde_json::Value::String(s) => Some((k.clone(), s.clone())),
            other => Some((k.clone(), other.to_string())),
        })
        .collect();
    hidden.sort();
    render(
        StatusCode::OK,
        &ConfirmPage {
            chrome: Chrome::of(visitor, "admin"),
            heading: heading.into(),
            explanation: explanation.into(),
            action: action.into(),
            hidden,
            button: button.into(),
            back: back.into(),
        },
    )
}

/// The message of a refused form: the error's, with each field's problem.
/// The problems of a refused admin form placed beside its fields (`place` maps an error's
/// field to the form's input), a rule refusal's reason included; `None` when the refusal is
/// not about what was typed (not found, forbidden, a stale form, a server fault), which the
/// error page answers instead.
pub fn form_problems(
    e: &AppError,
    mut problems: FieldProblems,
    place: impl Fn(&str) -> String,
) -> Option<FieldProblems> {
    if !e.code.status().is_client_error()
        || matches!(
            e.code,
            ErrorCode::NotFound | ErrorCode::Forbidden | ErrorCode::CsrfRejected
        )
    {
        return None;
    }
    for (k, msg) in FieldProblems::from_error(e).0 {
        problems.add(&place(&k), msg);
    }
    if e.code == ErrorCode::RuleChangeRefused
        && let Some(field) = e
            .details
            .as_ref()
            .and_then(|d| d.get("field"))
            .and_then(|f| f.as_str())
    {
        problems.add(&place(field), e.message.clone());
    }
    Some(problems)
}

pub fn refusal_text(e: &AppError) -> String {
    let details = super::FieldProblems::from_error(e);
    if details.is_empty() {
        e.message.clone()
    } else {
        let parts: Vec<&str> = details.0.values().map(String::as_str).collect();
        format!("{} {}", e.message, parts.join(" "))
    }
}

/// Which administration sections the actor may open.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sections {
    pub programs: bool,
    pub unions: bool,
    pub audit: bool,
    pub system: bool,
}

impl Sections {
    /// The sections for an actor (the same checks as the pages themselves).
    pub fn of(actor: &Actor) -> Self {
        Self {
            programs: may_enter(actor, Area::ProgramAdministration),
            unions: may_enter(actor, Area::UnionAdministration),
            audit: service::audit::scope_of(actor).is_ok(),
            system: can(actor, Action::Administer, Resource::System),
        }
    }

    /// Any at all?
    pub fn any(self) -> bool {
        self.programs || self.unions || self.audit || self.system
    }
}

/// The entry page.
#[derive(Template)]
#[template(path = "admin_home.html")]
pub struct HomePage {
    pub chrome: Chrome,
    pub sections: Sections,
}

/// `GET /quan-tri`: the administration sections open to the user.
#[get("/quan-tri")]
pub async fn home(visitor: Visitor) -> Result<HttpResponse, PageError> {
    let me = visitor.require()?;
    let sections = Sections::of(&me.actor);
    if !sections.any() {
        return Err(AppError::forbidden().into());
    }
    render(
        StatusCode::OK,
        &HomePage {
            chrome: Chrome::of(&visitor, "admin"),
            sections,
        },
    )
}

/// One line of the audit page.
#[derive(Debug, Clone)]
pub struct AuditLine {
    pub id: i64,
    pub when: String,
    pub actor: String,
    pub object: String,
    pub action: String,
    pub change: String,
    pub comment: String,
}

impl From<AuditEntry> for AuditLine {
    fn from(e: AuditEntry) -> Self {
        let change = match (&e.from_state, &e.to_state) {
            (Some(f), Some(t)) => format!("{f} → {t}"),
            (None, Some(t)) => format!("→ {t}"),
            (Some(f), None) => format!("{f} →"),
            (None, None) => String::new(),
        };
        Self {
            id: e.id,
            when: format::datetime(e.at),
            actor: e.actor_name.unwrap_or_else(|| "Hệ thống".to_owned()),
            object: match e.entity_name {
                Some(n) => format!("{} #{} · {n}", object_label(&e.entity_type), e.entity_id),
                None => format!("{} #{}", object_label(&e.entity_type), e.entity_id),
            },
            action: e.action,
            change,
            comment: e.comment.unwrap_or_default(),
        }
    }
}

/// The Vietnamese name of a kind of object.
fn object_label(t: &str) -> &str {
    match t {
        "union" => "Công đoàn",
        "user" => "Tài khoản",
        "program" => "Chương trình",
        "initiative" => "Sáng kiến",
        "system" => "Hệ thống",
        "import" => "Nhập dữ liệu",
        other => other,
    }
}

/// The kinds of object to filter by.
pub const OBJECT_TYPES: [(&str, &str); 6] = [
    ("union", "Công đoàn"),
    ("user", "Tài khoản"),
    ("program", "Chương trình"),
    ("initiative", "Sáng kiến"),
    ("system", "Hệ thống"),
    ("import", "Nhập dữ liệu"),
];

/// The audit page's filters as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AuditForm {
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub entity_type: String,
    #[serde(default)]
    pub entity_id: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    pub page: Option<i64>,
}

/// The audit page.
#[derive(Template)]
#[template(path = "audit.html")]
pub struct AuditPage {
    pub chrome: Chrome,
    pub f: AuditForm,
    pub problems: super::FieldProblems,
    pub lines: Vec<AuditLine>,
    pub pager: Pager,
    pub types: Vec<(&'static str, &'static str)>,
    pub everything: bool,
}

impl AuditPage {
    /// The problem of a filter.
    pub fn problem(&self, name: &str) -> Option<&str> {
        self.problems.get(name)
    }
}

fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// `GET /quan-tri/nhat-ky`: the audit log, filtered by who, what action, what object and
/// which days (Vietnam time).
#[get("/quan-tri/nhat-ky")]
pub async fn audit(
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<AuditForm>,
) -> Result<HttpResponse, PageError> {
    let me = visitor.require()?;
    let everything = service::audit::scope_of(&me.actor)?.is_none();
    let f = query.into_inner();
    let mut problems = super::FieldProblems::default();
    let date = |name: &str, v: &str, problems: &mut super::FieldProblems| {
        if v.trim().is_empty() {
            return None;
        }
        let d = format::parse_date(v);
        if d.is_none() {
            problems.add(name, "Ngày không hợp lệ (dd/mm/yyyy).");
        }
        d
    };
    let from = date("from", &f.from, &mut problems);
    let to = date("to", &f.to, &mut problems);
    let entity_id = match f.entity_id.trim() {
        "" => None,
        s => match s.trim_start_matches('#').parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                problems.add("entity_id", "Mã đối tượng phải là số.");
                None
            }
        },
    };
    let params = AuditParams {
        actor: Some(f.actor.clone()),
        action: Some(f.action.clone()),
        entity_type: Some(f.entity_type.clone()),
        entity_id,
        from,
        to,
        page: f.page,
        per_page: Some(50),
    };
    let mut lines = Vec::new();
    let mut pager = Pager::new(1, 50, 0, String::new());
    let mut status = StatusCode::OK;
    if problems.is_empty() {
        match audit_query(&params) {
            Ok(q) => {
                let page = service::audit::list(
                    &state.db,
                    &me.actor,
                    q,
                    PageRequest {
                        page: f.page,
                        per_page: Some(50),
                    },
                )
                .await?;
                let base = format!(
                    "actor={}&action={}&entity_type={}&entity_id={}&from={}&to={}&",
                    enc(&f.actor),
                    enc(&f.action),
                    enc(&f.entity_type),
                    enc(&f.entity_id),
                    enc(&f.from),
                    enc(&f.to)
                );
                pager = Pager::new(page.page, page.per_page, page.total, base);
                lines = page.items.into_iter().map(AuditLine::from).collect();
            }
            Err(e) => {
                let field = e
                    .details
                    .as_ref()
                    .and_then(|d| d.get("parameter"))
                    .and_then(|v| v.as_str())
                    .unwrap_or("actor")
                    .to_owned();
                problems.add(&field, e.message.clone());
                status = StatusCode::BAD_REQUEST;
            }
        }
    } else {
        status = StatusCode::BAD_REQUEST;
    }
    render(
        status,
        &AuditPage {
            chrome: Chrome::of(&visitor, "admin"),
            f,
            problems,
            lines,
            pager,
            types: OBJECT_TYPES.to_vec(),
            everything,
        },
    )
}

/// The system page.
#[derive(Template)]
#[template(path = "system.html")]
pub struct SystemPage {
    pub chrome: Chrome,
    pub notice: Option<(&'static str, String)>,
    pub s: SystemView,
    pub mail: Vec<(String, String)>,
    pub progress_percent: u64,
    pub started: String,
    pub finished: String,
}

/// The system page's query.
#[derive(Debug, Deserialize)]
pub struct SystemQuery {
    pub da: Option<String>,
}

fn mail_label(s: &str) -> &str {
    match s {
        "pending" => "Chờ gửi",
        "sent" => "Đã gửi",
        "failed" => "Thất bại",
        other => other,
    }
}

async fn system_page(
    state: &AppState,
    visitor: &Visitor,
    notice: Option<(&'static str, String)>,
) -> Result<SystemPage, PageError> {
    let me = visitor.require()?;
    let s = service::system::status(&state.db, &state.search, &state.settings, &me.actor).await?;
    let mail = s
        .mail
        .iter()
        .map(|(k, v)| (mail_label(k).to_owned(), format::number(*v)))
        .collect();
    let r = &s.reindex;
    let progress_percent = (r.done.saturating_mul(100))
        .checked_div(r.total)
        .map_or(if r.running { 0 } else { 100 }, |p| p.min(100));
    Ok(SystemPage {
        chrome: Chrome::of(visitor, "admin"),
        notice,
        started: r.started_at.map(format::datetime).unwrap_or_default(),
        finished: r.finished_at.map(format::datetime).unwrap_or_default(),
        progress_percent,
        mail,
        s,
    })
}

/// `GET /quan-tri/he-thong`: the effective configuration (secrets redacted), the outbox and
/// index positions and lag, the mail queue, and the index rebuild with its progress (the page
/// refreshes itself while one runs).
#[get("/quan-tri/he-thong")]
pub async fn system(
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<SystemQuery>,
) -> Result<HttpResponse, PageError> {
    let notice = query
        .da
        .as_deref()
        .map(|_| ("ok", "Đã bắt đầu dựng lại chỉ mục tìm kiếm.".to_owned()));
    let page = system_page(&state, &visitor, notice).await?;
    render(StatusCode::OK, &page)
}

/// `POST /quan-tri/he-thong/dung-lai-chi-muc`: after confirmation, starts rebuilding the
/// search index.
#[post("/quan-tri/he-thong/dung-lai-chi-muc")]
pub async fn reindex(
    state: web::Data<AppState>,
    f: SignedInForm<Confirmation>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, p) = f.into_parts();
    service::system::authorize(&me.actor)?;
    if !p.given() {
        return confirm(
            &visitor,
            "Dựng lại chỉ mục tìm kiếm?",
            "Chỉ mục sẽ được xoá và dựng lại từ cơ sở dữ liệu. Trong lúc dựng lại, kiểm tra trùng lặp và tìm kiếm trong thư viện có thể thiếu kết quả. Việc này được ghi vào nhật ký.",
            "/quan-tri/he-thong/dung-lai-chi-muc",
            &p,
            "Dựng lại chỉ mục",
            "/quan-tri/he-thong",
        );
    }
    match service::system::start_reindex(&state.db, &state.search, &me.actor).await {
        Ok(_) => Ok(see_other("/quan-tri/he-thong?da=1")),
        Err(e) if e.code.status().is_client_error() => {
            let page = system_page(&state, &visitor, Some(("error", e.message.clone()))).await?;
            render(e.code.status(), &page)
        }
        Err(e) => Err(e.into()),
    }
}
