//! The officers' reorganisation pages (`/quan-tri/sap-xep`, sắp xếp tổ chức): the list of
//! reorganisations; a plan uploaded as a file (XLSX/CSV) or built operation by operation; its
//! dry run's report (every union moved, ended, created or renamed with its members, members
//! left without a union, each affected ancestor's figures before → after) with a confirm
//! button; and each reorganisation's page with its report, and a button that tries its
//! inverse plan (hủy bỏ) the same way. Between the dry run and the
//! confirmation the checked plan waits server-side, tied to the officer, for an hour: the
//! confirmation carries only its token, so what is applied is what was reported
//! (`docs/reorganisation-pages.md`).

use std::collections::HashMap;

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

use super::form::{NoFields, SignedInForm};
use super::union_admin::Officers;
use super::{Chrome, FieldProblems, PageError, Visitor, format, render, see_other};
use crate::domain::reorganisation::{OpKind, RowError};
use crate::error::{AppError, ErrorCode};
use crate::routes::identity::Identity;
use crate::service;
use crate::service::imports::sheet::{MAX_BYTES, Row};
use crate::service::reorganisations::{Plan, ReorganisationView, Report, plan_file};
use crate::state::AppState;

/// Where the pages live.
pub const PAGE: &str = "/quan-tri/sap-xep";
/// Rows the operation form shows at least, and adds at a time.
const BLANK_ROWS: usize = 3;
/// Rows the operation form takes at most (bigger plans come as files).
const MAX_FORM_ROWS: usize = 200;

/// A reorganisation in the list.
#[derive(Debug, Clone)]
pub struct Item {
    pub id: i64,
    pub decision_no: String,
    pub effective_on: String,
    pub issuer_name: String,
    pub reverts: bool,
    pub reverted: bool,
}

/// One operation as typed on the form.
#[derive(Debug, Clone, Default)]
pub struct OpValues {
    pub action: String,
    pub code: String,
    pub new_parent_code: String,
    pub successor_code: String,
    pub new_name: String,
}

/// The operation form as typed.
#[derive(Debug, Clone, Default)]
pub struct BuildValues {
    pub decision_no: String,
    pub decided_on: String,
    pub effective_on: String,
    pub note: String,
    pub ops: Vec<OpValues>,
}

/// The list, the upload and the operation form, with a refused plan's rows.
#[derive(Template)]
#[template(path = "reorganisations.html")]
pub struct ListPage {
    pub chrome: Chrome,
    pub notice: Option<(&'static str, String)>,
    pub items: Vec<Item>,
    /// A refused plan's rows.
    pub errors: Vec<RowError>,
    pub problems: FieldProblems,
    pub b: BuildValues,
    /// The operations, `(value, label)`, for the form's choices.
    pub actions: Vec<(&'static str, String)>,
    pub max_mb: usize,
}

impl ListPage {
    /// The problem of a field.
    pub fn problem<S: AsRef<str>>(&self, name: S) -> Option<&str> {
        self.problems.get(name.as_ref())
    }
}

/// A union's change, ready to show.
#[derive(Debug, Clone)]
pub struct ChangeView {
    pub code: String,
    pub name: String,
    pub action: &'static str,
    pub text: String,
    pub members: String,
}

/// An ancestor's figures, ready to show.
#[derive(Debug, Clone)]
pub struct FigureView {
    pub code: String,
    pub name: String,
    pub program_id: i64,
    /// The program's name (its number when the reader cannot see it).
    pub program: String,
    pub submitted: (String, String),
    pub approved: (String, String),
}

/// A report, ready to show.
#[derive(Debug, Clone)]
pub struct ReportView {
    pub summary: String,
    pub decision_no: String,
    pub effective_on: String,
    pub decided_on: Option<String>,
    pub note: String,
    pub issuer: String,
    pub changes: Vec<ChangeView>,
    pub members_moved: String,
    pub members_left: Vec<(String, String, String)>,
    pub figures: Vec<FigureView>,
}

fn action_label(action: &str) -> &'static str {
    match action {
        "transfer" => "Chuyển",
        "dissolve" => "Giải thể",
        "end" => "Kết thúc hoạt động",
        "merge" => "Hợp nhất",
        "split" => "Chia tách",
        "rename" => "Đổi tên",
        "create" => "Thành lập",
        "restore" => "Khôi phục",
        "follow" => "Chuyển theo đơn vị cấp trên",
        _ => "Thay đổi",
    }
}

impl From<&Report> for ReportView {
    fn from(r: &Report) -> Self {
        let n = format::number;
        Self {
            summary: r.summary.clone(),
            decision_no: r.decision_no.clone(),
            effective_on: format::date(r.effective_on),
            decided_on: r.decided_on.map(format::date),
            note: r.note.clone(),
            issuer: format!("{} ({})", r.issuer.name, r.issuer.code),
            changes: r
                .changes
                .iter()
                .map(|c| ChangeView {
                    code: c.code.clone(),
                    name: c.name.clone(),
                    action: action_label(&c.action),
                    text: c.text.clone(),
                    members: n(c.members),
                })
                .collect(),
            members_moved: n(i64::try_from(r.members_moved).unwrap_or(i64::MAX)),
            members_left: r
                .members_left
                .iter()
                .map(|m| (m.code.clone(), m.name.clone(), n(m.accounts)))
                .collect(),
            figures: r
                .figures
                .iter()
                .map(|f| FigureView {
                    code: f.code.clone(),
                    name: f.name.clone(),
                    program_id: f.program_id,
                    program: format!("#{}", f.program_id),
                    submitted: (n(f.submitted_before), n(f.submitted_after)),
                    approved: (n(f.approved_before), n(f.approved_after)),
                })
                .collect(),
        }
    }
}

/// The report of `r` with its programs named as the reader sees them.
async fn report_view(state: &AppState, me: &Identity, r: &Report) -> Result<ReportView, PageError> {
    let mut view = ReportView::from(r);
    if !view.figures.is_empty() {
        let programs = service::programs::list(&state.db, &me.actor).await?;
        for f in &mut view.figures {
            if let Some(p) = programs.iter().find(|p| p.id == f.program_id) {
                f.program.clone_from(&p.name);
            }
        }
    }
    Ok(view)
}

/// A dry run's report with the confirm button, or an applied reorganisation's page.
#[derive(Template)]
#[template(path = "reorganisation.html")]
pub struct ReportPage {
    pub chrome: Chrome,
    pub notice: Option<(&'static str, String)>,
    pub heading: String,
    pub r: ReportView,
    /// The kept plan, when this is a dry run that may be applied.
    pub token: Option<String>,
    /// The file the plan came from (empty for a plan built on the page).
    pub source: String,
    /// Rows of the plan.
    pub rows: usize,
    /// The reorganisation this one undoes: (id, decision number).
    pub reverts: Option<(i64, String)>,
    /// The one that undid this one.
    pub reverted_by: Option<(i64, String)>,
    /// This reorganisation's id, when it may be offered for undoing (applied, not a revert,
    /// not undone).
    pub revertible: Option<i64>,
}

fn officer(visitor: &Visitor) -> Result<&Identity, PageError> {
    let me = visitor.require()?;
    <Officers as super::form::Gate>::check(me)?;
    Ok(me)
}

fn actions() -> Vec<(&'static str, String)> {
    OpKind::ALL
        .iter()
        .map(|k| {
            let l = k.label();
            let mut c = l.chars();
            let label = c
                .next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default();
            (k.as_str(), label)
        })
        .collect()
}

async fn list_page(
    state: &AppState,
    visitor: &Visitor,
    me: &Identity,
    b: BuildValues,
) -> Result<ListPage, PageError> {
    let items = service::reorganisations::list(&state.db, &me.actor, 1, 200)
        .await?
        .into_iter()
        .map(|v: ReorganisationView| Item {
            id: v.id,
            decision_no: v.decision_no,
            effective_on: format::date(v.effective_on),
            issuer_name: v.issuer_name,
            reverts: v.reverts_id.is_some(),
            reverted: v.reverted_by.is_some(),
        })
        .collect();
    let mut b = b;
    let blank = b.ops.iter().filter(|o| is_blank(o)).count();
    for _ in blank..BLANK_ROWS {
        b.ops.push(OpValues::default());
    }
    Ok(ListPage {
        chrome: Chrome::of(visitor, "admin"),
        notice: None,
        items,
        errors: Vec::new(),
        problems: FieldProblems::default(),
        b,
        actions: actions(),
        max_mb: MAX_BYTES / (1024 * 1024),
    })
}

fn is_blank(o: &OpValues) -> bool {
    o.action.trim().is_empty()
        && o.code.trim().is_empty()
        && o.new_parent_code.trim().is_empty()
        && o.successor_code.trim().is_empty()
        && o.new_name.trim().is_empty()
}

/// `GET /quan-tri/sap-xep`: the reorganisations, the upload and the operation form.
#[get("/quan-tri/sap-xep")]
pub async fn list(state: web::Data<AppState>, visitor: Visitor) -> Result<HttpResponse, PageError> {
    let me = officer(&visitor)?;
    let page = list_page(&state, &visitor, me, BuildValues::default()).await?;
    render(StatusCode::OK, &page)
}

/// The list page again with why the plan was refused: each bad row with its line, or the
/// file's or a field's problem.
async fn refused(
    state: &AppState,
    visitor: &Visitor,
    me: &Identity,
    b: BuildValues,
    e: AppError,
) -> Result<HttpResponse, PageError> {
    let status = e.code.status();
    // Rows beyond the officer's scope are shown like any bad row (with a 403); a refusal
    // without rows is the error page.
    let scope_rows = e.code == ErrorCode::Forbidden
        && e.details.as_ref().is_some_and(|d| d.get("rows").is_some());
    if !status.is_client_error()
        || (matches!(e.code, ErrorCode::Forbidden | ErrorCode::CsrfRejected) && !scope_rows)
    {
        return Err(e.into());
    }
    let mut page = list_page(state, visitor, me, b).await?;
    let rows: Vec<RowError> = e
        .details
        .as_ref()
        .and_then(|d| d.get("rows"))
        .and_then(|r| serde_json::from_value(r.clone()).ok())
        .unwrap_or_default();
    page.problems = FieldProblems::from_error(&e);
    page.notice = Some((
        "error",
        if rows.is_empty() {
            super::admin::refusal_text(&e)
        } else {
            let lines = rows
                .iter()
                .map(|r| r.line)
                .collect::<std::collections::BTreeSet<_>>()
                .len();
            format!(
                "Phương án có {lines} dòng không hợp lệ nên chưa áp dụng thao tác nào. Hãy sửa theo danh sách dưới đây rồi kiểm tra lại."
            )
        },
    ));
    page.errors = rows;
    render(status, &page)
}

/// Runs the plan's dry run and keeps it: the report page with the confirm button.
async fn try_plan(
    state: &AppState,
    visitor: &Visitor,
    me: &Identity,
    plan: Plan,
    source: String,
    b: BuildValues,
) -> Result<HttpResponse, PageError> {
    let rows = plan.rows.len();
    let heading = match plan.reverts_id {
        Some(_) => format!("Kết quả chạy thử: {}", plan.decision_no),
        None => "Kết quả chạy thử phương án sắp xếp".to_owned(),
    };
    let reverts = match plan.reverts_id {
        Some(id) => Some(linked(state, me, id).await),
        None => None,
    };
    let report =
        match service::reorganisations::apply(&state.db, &me.actor, plan.clone(), true).await {
            Ok(r) => r,
            Err(e) => return refused(state, visitor, me, b, e).await,
        };
    let dir = state.settings.data.dir.join("reorganisations");
    let user = me.user.id;
    let kept_source = source.clone();
    let token =
        tokio::task::spawn_blocking(move || plan_file::keep(&dir, user, &kept_source, &plan))
            .await
            .map_err(AppError::internal)??;
    render(
        StatusCode::OK,
        &ReportPage {
            chrome: Chrome::of(visitor, "admin"),
            notice: None,
            heading,
            r: report_view(state, me, &report).await?,
            token: Some(token),
            source,
            rows,
            reverts,
            reverted_by: None,
            revertible: None,
        },
    )
}

/// Query of an upload (the CSRF token travels in the URL: the file is read first).
#[derive(Debug, Deserialize)]
pub struct UploadQuery {
    #[serde(default)]
    pub csrf: String,
}

/// `POST /quan-tri/sap-xep/tep?csrf=…`: a plan file, checked and tried.
#[post("/quan-tri/sap-xep/tep")]
pub async fn upload(
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<UploadQuery>,
    payload: Multipart,
) -> Result<HttpResponse, PageError> {
    let me = officer(&visitor)?.clone();
    visitor.check_csrf(&query.csrf)?;
    let b = BuildValues::default();
    let upload = match crate::routes::upload::organisation::receive(payload).await {
        Ok(u) => u,
        Err(e) => return refused(&state, &visitor, &me, b, e).await,
    };
    let plan = match plan_file::given(&upload.fields) {
        Ok(given) => plan_file::read(upload.bytes, given).await,
        Err(e) => Err(e),
    };
    match plan {
        Ok(plan) => try_plan(&state, &visitor, &me, plan, upload.file_name, b).await,
        Err(e) => refused(&state, &visitor, &me, b, e).await,
    }
}

/// The operation form: the decision and its operations as repeated fields (every value of a
/// name, in order); `more` asks for more blank rows.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BuildForm {
    pub decision_no: String,
    pub decided_on: String,
    pub effective_on: String,
    pub note: String,
    pub action: Vec<String>,
    pub code: Vec<String>,
    pub new_parent_code: Vec<String>,
    pub successor_code: Vec<String>,
    pub new_name: Vec<String>,
    pub more: String,
}

impl BuildForm {
    fn values(&self) -> BuildValues {
        let at = |v: &[String], i: usize| v.get(i).cloned().unwrap_or_default();
        let n = [
            self.action.len(),
            self.code.len(),
            self.new_parent_code.len(),
            self.successor_code.len(),
            self.new_name.len(),
        ]
        .into_iter()
        .max()
        .unwrap_or(0)
        .min(MAX_FORM_ROWS);
        BuildValues {
            decision_no: self.decision_no.clone(),
            decided_on: self.decided_on.clone(),
            effective_on: self.effective_on.clone(),
            note: self.note.clone(),
            ops: (0..n)
                .map(|i| OpValues {
                    action: at(&self.action, i),
                    code: at(&self.code, i),
                    new_parent_code: at(&self.new_parent_code, i),
                    successor_code: at(&self.successor_code, i),
                    new_name: at(&self.new_name, i),
                })
                .collect(),
        }
    }
}

/// The operations typed on the form as a plan file's rows (line `n`: the form's `n`th
/// operation), so that they are read as a file is; blank rows are left out.
fn form_rows(b: &BuildValues) -> Vec<Row> {
    let header = Row {
        line: 0,
        cells: [
            "action",
            "code",
            "new_parent_code",
            "successor_code",
            "new_name",
        ]
        .map(str::to_owned)
        .to_vec(),
    };
    std::iter::once(header)
        .chain(
            b.ops
                .iter()
                .enumerate()
                .filter(|(_, o)| !is_blank(o))
                .map(|(i, o)| Row {
                    line: i + 1,
                    cells: vec![
                        o.action.clone(),
                        o.code.clone(),
                        o.new_parent_code.clone(),
                        o.successor_code.clone(),
                        o.new_name.clone(),
                    ],
                }),
        )
        .collect()
}

/// `POST /quan-tri/sap-xep/lap`: the plan built on the page, checked and tried.
#[post("/quan-tri/sap-xep/lap")]
pub async fn build(
    state: web::Data<AppState>,
    f: SignedInForm<BuildForm, Officers>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, form) = f.into_parts();
    let mut b = form.values();
    if form.more == "1" {
        let len = b.ops.len() + BLANK_ROWS;
        b.ops.resize(len.min(MAX_FORM_ROWS), OpValues::default());
        let page = list_page(&state, &visitor, &me, b).await?;
        return render(StatusCode::OK, &page);
    }
    let fields: HashMap<String, String> = [
        ("decision_no", &b.decision_no),
        ("decided_on", &b.decided_on),
        ("effective_on", &b.effective_on),
        ("note", &b.note),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.clone()))
    .collect();
    let rows = form_rows(&b);
    let plan = plan_file::given(&fields).and_then(|given| {
        if rows.len() < 2 {
            return Err(AppError::field(
                "ops",
                "Cần ít nhất một thao tác: chọn thao tác và ghi mã đơn vị.",
            ));
        }
        plan_file::parse_rows(&rows, &given)
    });
    match plan {
        Ok(plan) => try_plan(&state, &visitor, &me, plan, String::new(), b).await,
        Err(e) => refused(&state, &visitor, &me, b, e).await,
    }
}

/// `POST /quan-tri/sap-xep/ap-dung/{token}`: applies the plan tried before, as it was kept
/// (checked again: the tree may have changed meanwhile).
#[post("/quan-tri/sap-xep/ap-dung/{token}")]
pub async fn confirm(
    state: web::Data<AppState>,
    path: web::Path<String>,
    f: SignedInForm<NoFields, Officers>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, NoFields {}) = f.into_parts();
    let token = path.into_inner();
    let dir = state.settings.data.dir.join("reorganisations");
    let user = me.user.id;
    let kept = {
        let dir = dir.clone();
        let token = token.clone();
        tokio::task::spawn_blocking(move || plan_file::load(&dir, &token, user))
            .await
            .map_err(AppError::internal)??
    };
    let report = match service::reorganisations::apply(&state.db, &me.actor, kept.plan(), false)
        .await
    {
        Ok(r) => r,
        Err(e) => {
            let mut e = e;
            if e.code == ErrorCode::PlanInvalid {
                e = e.with_message(
                        "Cây đơn vị đã thay đổi từ lúc chạy thử nên phương án không còn hợp lệ; chưa áp dụng thao tác nào.",
                    );
            }
            return refused(&state, &visitor, &me, BuildValues::default(), e).await;
        }
    };
    tokio::task::spawn_blocking(move || plan_file::forget(&dir, &token))
        .await
        .map_err(AppError::internal)?;
    Ok(see_other(&format!("{PAGE}/{}?da=ap-dung", report.id)))
}

/// Query of a reorganisation's page.
#[derive(Debug, Deserialize)]
pub struct ShowQuery {
    pub da: Option<String>,
}

/// A linked reorganisation's id and decision number (its number alone when the reader
/// cannot read it).
async fn linked(state: &AppState, me: &Identity, id: i64) -> (i64, String) {
    match service::reorganisations::get(&state.db, &me.actor, id).await {
        Ok(v) => (id, v.decision_no),
        Err(_) => (id, format!("#{id}")),
    }
}

/// A reorganisation's page, with a notice.
async fn show_page(
    state: &AppState,
    visitor: &Visitor,
    me: &Identity,
    id: i64,
    status: StatusCode,
    notice: Option<(&'static str, String)>,
) -> Result<HttpResponse, PageError> {
    let v = service::reorganisations::get(&state.db, &me.actor, id).await?;
    let report = v.report.as_ref().ok_or_else(AppError::not_found)?;
    let rows = report.changes.len();
    let reverts = match v.reverts_id {
        Some(r) => Some(linked(state, me, r).await),
        None => None,
    };
    let reverted_by = match v.reverted_by {
        Some(r) => Some(linked(state, me, r).await),
        None => None,
    };
    let heading = if v.reverts_id.is_some() {
        format!("Sắp xếp tổ chức: {}", v.decision_no)
    } else {
        format!("Sắp xếp tổ chức theo quyết định số {}", v.decision_no)
    };
    render(
        status,
        &ReportPage {
            chrome: Chrome::of(visitor, "admin"),
            notice,
            heading,
            r: report_view(state, me, report).await?,
            token: None,
            source: String::new(),
            rows,
            revertible: (v.reverts_id.is_none() && v.reverted_by.is_none()).then_some(v.id),
            reverts,
            reverted_by,
        },
    )
}

/// `GET /quan-tri/sap-xep/{id}`: a reorganisation and its report.
#[get("/quan-tri/sap-xep/{id}")]
pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<i64>,
    query: web::Query<ShowQuery>,
) -> Result<HttpResponse, PageError> {
    let me = officer(&visitor)?;
    let notice = (query.da.as_deref() == Some("ap-dung"))
        .then(|| ("ok", "Đã áp dụng phương án sắp xếp.".to_owned()));
    show_page(
        &state,
        &visitor,
        me,
        path.into_inner(),
        StatusCode::OK,
        notice,
    )
    .await
}

/// `POST /quan-tri/sap-xep/{id}/huy-bo`: the plan undoing a reorganisation, tried and kept
/// like any plan (its report with the confirm button), or the reorganisation's page again
/// with why it cannot be undone.
#[post("/quan-tri/sap-xep/{id}/huy-bo")]
pub async fn revert(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<NoFields, Officers>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, NoFields {}) = f.into_parts();
    let id = path.into_inner();
    match service::reorganisations::revert::plan(&state.db, &me.actor, id).await {
        Ok(plan) => {
            try_plan(
                &state,
                &visitor,
                &me,
                plan,
                String::new(),
                BuildValues::default(),
            )
            .await
        }
        Err(e) if e.code == ErrorCode::InvalidState => {
            let text = super::admin::refusal_text(&e);
            show_page(
                &state,
                &visitor,
                &me,
                id,
                e.code.status(),
                Some(("error", text)),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// A predecessor or successor on a union's page.
#[derive(Debug, Clone)]
pub struct SuccessionLine {
    pub union_id: i64,
    pub code: String,
    pub name: String,
    pub reorganisation_id: i64,
    pub decision_no: String,
    pub effective_on: String,
    pub carries: bool,
}

/// A period of a union's history on its page.
#[derive(Debug, Clone)]
pub struct VersionLine {
    pub period: String,
    pub code: String,
    pub name: String,
    pub parent_name: String,
    pub active: bool,
    pub reorganisation_id: Option<i64>,
    pub decision_no: String,
}

/// A union's history (Lịch sử tổ chức), as its administration page shows it.
#[derive(Debug, Clone, Default)]
pub struct HistoryView {
    pub ended_on: Option<String>,
    pub versions: Vec<VersionLine>,
    pub predecessors: Vec<SuccessionLine>,
    pub successors: Vec<SuccessionLine>,
}

impl HistoryView {
    /// Has any reorganisation touched the union?
    pub fn is_empty(&self) -> bool {
        self.versions.is_empty() && self.predecessors.is_empty() && self.successors.is_empty()
    }
}

/// A union's history for its administration page.
pub async fn history_of(
    state: &AppState,
    me: &Identity,
    id: i64,
) -> Result<HistoryView, PageError> {
    let h = service::reorganisations::history(&state.db, &me.actor, id).await?;
    let line = |s: service::reorganisations::SuccessionView| SuccessionLine {
        union_id: s.union_id,
        code: s.code,
        name: s.name,
        reorganisation_id: s.reorganisation_id,
        decision_no: s.decision_no,
        effective_on: format::date(s.effective_on),
        carries: s.carries,
    };
    Ok(HistoryView {
        ended_on: h.ended_on.map(format::date),
        versions: h
            .versions
            .into_iter()
            .map(|v| VersionLine {
                period: match (v.valid_from, v.valid_to) {
                    (Some(f), Some(t)) => {
                        let last = t.pred_opt().unwrap_or(t);
                        format!("{} – {}", format::date(f), format::date(last))
                    }
                    (Some(f), None) => format!("từ {}", format::date(f)),
                    (None, Some(t)) => format!("đến {}", format::date(t.pred_opt().unwrap_or(t))),
                    (None, None) => "từ trước".to_owned(),
                },
                code: v.code,
                name: v.name,
                parent_name: v.parent_name.unwrap_or_default(),
                active: v.active,
                reorganisation_id: v.reorganisation_id,
                decision_no: v.decision_no.unwrap_or_default(),
            })
            .collect(),
        predecessors: h.predecessors.into_iter().map(line).collect(),
        successors: h.successors.into_iter().map(line).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_s_operations_read_as_a_file_s_rows_numbered_as_on_the_form() {
        let form = BuildForm {
            decision_no: "1/QĐ".into(),
            effective_on: "01/07/2025".into(),
            action: vec!["dissolve".into(), String::new(), "transfer".into()],
            code: vec!["A".into(), String::new(), "B".into()],
            new_parent_code: vec![String::new(), String::new(), "C".into()],
            successor_code: vec![String::new(); 3],
            new_name: vec![String::new(); 3],
            ..BuildForm::default()
        };
        let rows = form_rows(&form.values());
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[2].line, 3);
        let given = plan_file::Given {
            decision_no: Some("1/QĐ".into()),
            effective_on: plan_file::parse_date("01/07/2025"),
            ..plan_file::Given::default()
        };
        let plan = plan_file::parse_rows(&rows, &given).unwrap();
        assert_eq!(plan.rows[1].action, OpKind::Transfer);
        assert_eq!(plan.rows[1].new_parent_code.as_deref(), Some("C"));
    }

    #[test]
    fn actions_are_offered_in_vietnamese() {
        let a = actions();
        assert_eq!(a[0], ("transfer", "Chuyển".to_owned()));
        assert_eq!(a[2].1, "Kết thúc hoạt động");
    }
}
