//! The program administrator's pages: the programs they run, a new program with its phases
//! and fields, and one program's page (details, eligibility window, phases with exact
//! cut-offs in Vietnam time, fields, the checklist before opening, open / close / archive).
//! Every form calls the same checks and services as the API; the review set-up has its own
//! page (`/quan-tri/chuong-trinh/{id}/xet-duyet`).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::admin::{Confirmation, confirm, form_problems, refusal_text};
use super::form::{Done, Gate, SignedInForm, notice};
use super::{Chrome, FieldProblems, PageError, Visitor, render, see_other};
use crate::auth::Identity;
use crate::domain::ProgramStatus;
use crate::domain::permissions::{Area, may_enter, program_admin_home};
use crate::error::{AppError, ErrorCode};
use crate::format;
use crate::routes::api::Checker;
use crate::routes::api::programs::{CreateProgram, FieldBody, PhaseBody, parse_create};
use crate::service;
use crate::service::programs::{ChecklistItem, ProgramChangesInput, ProgramView};
use crate::state::AppState;

/// May the actor administer programs at all?
fn require_program_admin(me: &Identity) -> Result<(), PageError> {
    ProgramAdmins::check(me)
}

/// The gate of the program administration: program administrators and system administrators.
#[derive(Debug)]
pub struct ProgramAdmins;

impl Gate for ProgramAdmins {
    fn check(me: &Identity) -> Result<(), PageError> {
        if may_enter(&me.actor, Area::ProgramAdministration) {
            Ok(())
        } else {
            Err(AppError::forbidden()
                .with_message("Chỉ quản trị chương trình mới dùng được trang này.")
                .into())
        }
    }
}

/// One program in the list.
#[derive(Debug, Clone)]
pub struct ProgramLine {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub status: &'static str,
    pub status_code: &'static str,
    pub phases: String,
}

/// The list of programs.
#[derive(Template)]
#[template(path = "program_list.html")]
pub struct ListPage {
    pub chrome: Chrome,
    pub programs: Vec<ProgramLine>,
}

fn window_text(opens: DateTime<Utc>, closes: DateTime<Utc>) -> String {
    format!("{} – {}", format::datetime(opens), format::datetime(closes))
}

/// `GET /quan-tri/chuong-trinh`: the programs the user administers.
#[get("/quan-tri/chuong-trinh")]
pub async fn list(state: web::Data<AppState>, visitor: Visitor) -> Result<HttpResponse, PageError> {
    let me = visitor.require()?;
    require_program_admin(me)?;
    let programs = service::programs::managed(&state.db, &me.actor).await?;
    let programs = programs
        .into_iter()
        .map(|p| ProgramLine {
            phases: p
                .phases
                .iter()
                .map(|ph| format!("{}: {}", ph.name, window_text(ph.opens_at, ph.closes_at)))
                .collect::<Vec<_>>()
                .join("; "),
            id: p.id,
            code: p.code,
            name: p.name,
            status: p.status.label(),
            status_code: p.status.as_str(),
        })
        .collect();
    render(
        StatusCode::OK,
        &ListPage {
            chrome: Chrome::of(&visitor, "admin"),
            programs,
        },
    )
}

/// A phase as typed on a form.
#[derive(Debug, Clone, Default)]
pub struct PhaseValues {
    pub name: String,
    pub opens: String,
    pub closes: String,
}

/// The new-program form as typed.
#[derive(Debug, Clone, Default)]
pub struct NewValues {
    pub code: String,
    pub name: String,
    pub description: String,
    pub owner_code: String,
    pub applied_from: String,
    pub applied_to: String,
    pub target_count: String,
    pub phases: Vec<PhaseValues>,
    pub fields: String,
}

/// The new-program page.
#[derive(Template)]
#[template(path = "program_new.html")]
pub struct NewPage {
    pub chrome: Chrome,
    pub notice: Option<(&'static str, String)>,
    pub v: NewValues,
    pub problems: FieldProblems,
}

impl NewPage {
    /// The problem of a field.
    pub fn problem<S: AsRef<str>>(&self, name: S) -> Option<&str> {
        self.problems.get(name.as_ref())
    }
}

/// The code of the union the actor administers programs for (the first grant's), as a
/// default owner.
async fn default_owner(state: &AppState, me: &Identity) -> String {
    let Some(id) = program_admin_home(&me.actor).and_then(|p| p.ids().last().copied()) else {
        return String::new();
    };
    service::unions::get(&state.db, &me.actor, id)
        .await
        .map(|u| u.code)
        .unwrap_or_default()
}

/// `GET /quan-tri/chuong-trinh/moi`: the new-program form.
#[get("/quan-tri/chuong-trinh/moi")]
pub async fn new_form(
    state: web::Data<AppState>,
    visitor: Visitor,
) -> Result<HttpResponse, PageError> {
    let me = visitor.require()?;
    require_program_admin(me)?;
    let v = NewValues {
        owner_code: default_owner(&state, me).await,
        phases: vec![PhaseValues::default(), PhaseValues::default()],
        ..NewValues::default()
    };
    render(
        StatusCode::OK,
        &NewPage {
            chrome: Chrome::of(&visitor, "admin"),
            notice: None,
            v,
            problems: FieldProblems::default(),
        },
    )
}

/// A moment typed on a form, or the problem with it.
fn moment(problems: &mut FieldProblems, name: &str, v: &str) -> Option<DateTime<Utc>> {
    if v.trim().is_empty() {
        problems.add(name, "Nhập ngày và giờ (giờ Việt Nam).");
        return None;
    }
    match format::parse_vietnam_datetime(v) {
        Some(t) => Some(t.and_utc()),
        None => {
            problems.add(name, "Ngày giờ không hợp lệ (dd/mm/yyyy hh:mm).");
            None
        }
    }
}

/// An optional date typed on a form.
fn opt_date(problems: &mut FieldProblems, name: &str, v: &str) -> Option<chrono::NaiveDate> {
    if v.trim().is_empty() {
        return None;
    }
    let d = format::parse_date(v);
    if d.is_none() {
        problems.add(name, "Ngày không hợp lệ (dd/mm/yyyy).");
    }
    d
}

/// An optional whole number typed on a form (dots between thousands allowed).
fn opt_number(problems: &mut FieldProblems, name: &str, v: &str) -> Option<i64> {
    let digits: String = v
        .chars()
        .filter(|c| !matches!(c, '.' | ' ' | ','))
        .collect();
    if digits.is_empty() {
        return None;
    }
    match digits.parse::<i64>() {
        Ok(n) => Some(n),
        Err(_) => {
            problems.add(name, "Nhập một số nguyên.");
            None
        }
    }
}

/// Fields typed one per line, "mã: tên" or just the name (the code is made from it).
fn field_lines(text: &str) -> Vec<FieldBody> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| match l.split_once(':') {
            Some((code, name)) if !code.trim().contains(' ') && !code.trim().is_empty() => {
                FieldBody {
                    code: code.trim().to_owned(),
                    name: name.trim().to_owned(),
                }
            }
            _ => FieldBody {
                code: slug(l),
                name: l.to_owned(),
            },
        })
        .collect()
}

/// A code from a Vietnamese name: "An toàn lao động" → "an-toan-lao-dong".
fn slug(name: &str) -> String {
    let mut out: String = search_index::normalize::folded_words(name).join("-");
    out.truncate(50);
    out
}

/// Where a problem reported by the API's checks goes on the page.
fn new_form_field(api_field: &str) -> String {
    if let Some(rest) = api_field.strip_prefix("phases[") {
        let (i, part) = rest.split_once("].").unwrap_or((rest, "name"));
        let part = match part {
            "closes_at" => "closes",
            "opens_at" => "opens",
            _ => "name",
        };
        return format!("phase{}_{part}", i.trim_end_matches(']'));
    }
    if api_field.starts_with("fields") {
        return "fields".to_owned();
    }
    match api_field {
        "owner_union_id" => "owner_code".to_owned(),
        other => other.to_owned(),
    }
}

/// The new-program form: the program, its first two phases, its fields (one a line).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewProgramForm {
    pub code: String,
    pub name: String,
    pub description: String,
    pub owner_code: String,
    pub applied_from: String,
    pub applied_to: String,
    pub target_count: String,
    pub phase0_name: String,
    pub phase0_opens: String,
    pub phase0_closes: String,
    pub phase1_name: String,
    pub phase1_opens: String,
    pub phase1_closes: String,
    pub fields: String,
}

/// The program's details form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DetailsForm {
    pub name: String,
    pub description: String,
    pub owner_code: String,
    pub applied_from: String,
    pub applied_to: String,
    pub target_count: String,
}

/// A phase's form (add or change).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PhaseForm {
    pub name: String,
    pub opens_at: String,
    pub closes_at: String,
}

/// The new-field form (a blank code is made from the name).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FieldForm {
    pub field_name: String,
    pub field_code: String,
}

/// A field's new name.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RenameForm {
    pub name: String,
}

fn new_values(p: NewProgramForm) -> NewValues {
    NewValues {
        code: p.code,
        name: p.name,
        description: p.description,
        owner_code: p.owner_code,
        applied_from: p.applied_from,
        applied_to: p.applied_to,
        target_count: p.target_count,
        phases: vec![
            PhaseValues {
                name: p.phase0_name,
                opens: p.phase0_opens,
                closes: p.phase0_closes,
            },
            PhaseValues {
                name: p.phase1_name,
                opens: p.phase1_opens,
                closes: p.phase1_closes,
            },
        ],
        fields: p.fields,
    }
}

/// `POST /quan-tri/chuong-trinh`: creates the program (in draft) and goes to its page.
#[post("/quan-tri/chuong-trinh")]
pub async fn create(
    state: web::Data<AppState>,
    f: SignedInForm<NewProgramForm, ProgramAdmins>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, p) = f.into_parts();
    let v = new_values(p);
    let mut problems = FieldProblems::default();
    let owner = match v.owner_code.trim() {
        "" => {
            problems.add("owner_code", "Nhập mã đơn vị phát động.");
            None
        }
        code => {
            let id = service::unions::id_by_code(&state.db, code.to_owned()).await?;
            if id.is_none() {
                problems.add("owner_code", "Không có đơn vị nào mang mã này.");
            }
            id
        }
    };
    let applied_from = opt_date(&mut problems, "applied_from", &v.applied_from);
    let applied_to = opt_date(&mut problems, "applied_to", &v.applied_to);
    let target_count = opt_number(&mut problems, "target_count", &v.target_count);
    let mut phases = Vec::new();
    for (i, ph) in v.phases.iter().enumerate() {
        if ph.name.trim().is_empty() && ph.opens.trim().is_empty() && ph.closes.trim().is_empty() {
            continue;
        }
        let opens = moment(&mut problems, &format!("phase{i}_opens"), &ph.opens);
        let closes = moment(&mut problems, &format!("phase{i}_closes"), &ph.closes);
        if let (Some(opens_at), Some(closes_at)) = (opens, closes) {
            phases.push((
                i,
                PhaseBody {
                    name: ph.name.clone(),
                    opens_at,
                    closes_at,
                },
            ));
        }
    }
    let body = CreateProgram {
        code: v.code.clone(),
        name: v.name.clone(),
        description: v.description.clone(),
        owner_union_id: owner.unwrap_or(0),
        applied_from,
        applied_to,
        target_count,
        phases: phases.iter().map(|(_, b)| clone_phase(b)).collect(),
        fields: field_lines(&v.fields),
    };
    // The API's checks, with the phase rows' own numbers for the messages.
    let result = match parse_create(&body) {
        Ok(input) if problems.is_empty() => {
            service::programs::create(&state.db, Some(&me.actor), input).await
        }
        Ok(_) => Err(AppError::validation(std::collections::BTreeMap::new())),
        Err(e) => Err(e),
    };
    match result {
        Ok(view) => Ok(see_other(&format!(
            "/quan-tri/chuong-trinh/{}?da=tao",
            view.id
        ))),
        Err(e) if e.code.status().is_client_error() && e.code != ErrorCode::Forbidden => {
            for (k, msg) in FieldProblems::from_error(&e).0 {
                let k = match k.strip_prefix("phases[") {
                    Some(rest) => {
                        let (n, tail) = rest.split_once(']').unwrap_or((rest, ""));
                        let row = n
                            .parse::<usize>()
                            .ok()
                            .and_then(|n| phases.get(n))
                            .map_or(0, |(i, _)| *i);
                        new_form_field(&format!("phases[{row}]{tail}"))
                    }
                    None => new_form_field(&k),
                };
                problems.add(&k, msg);
            }
            if problems.is_empty() {
                problems.add("code", e.message.clone());
            }
            let page = NewPage {
                chrome: Chrome::of(&visitor, "admin"),
                notice: Some((
                    "error",
                    "Chưa tạo được chương trình: hãy sửa các ô được đánh dấu.".to_owned(),
                )),
                v,
                problems,
            };
            render(StatusCode::BAD_REQUEST, &page)
        }
        Err(e) => Err(e.into()),
    }
}

fn clone_phase(b: &PhaseBody) -> PhaseBody {
    PhaseBody {
        name: b.name.clone(),
        opens_at: b.opens_at,
        closes_at: b.closes_at,
    }
}

/// A phase on the program's page.
#[derive(Debug, Clone)]
pub struct PhaseLine {
    pub id: i64,
    pub position: i32,
    pub v: PhaseValues,
    pub window: String,
    pub open_now: bool,
}

/// The program's details as typed.
#[derive(Debug, Clone, Default)]
pub struct DetailValues {
    pub name: String,
    pub description: String,
    pub owner_code: String,
    pub applied_from: String,
    pub applied_to: String,
    pub target_count: String,
}

/// A program's page.
#[derive(Template)]
#[template(path = "program_admin.html")]
pub struct ShowPage {
    pub chrome: Chrome,
    pub notice: Option<(&'static str, String)>,
    pub program: ProgramView,
    pub owner: String,
    pub checklist: Vec<ChecklistItem>,
    pub ready: bool,
    pub has_run: bool,
    pub can_open: bool,
    pub can_close: bool,
    pub can_archive: bool,
    pub v: DetailValues,
    pub phases: Vec<PhaseLine>,
    pub new_phase: PhaseValues,
    pub new_field: (String, String),
    pub problems: FieldProblems,
}

impl ShowPage {
    /// The problem of a field.
    pub fn problem<S: AsRef<str>>(&self, name: S) -> Option<&str> {
        self.problems.get(name.as_ref())
    }
}

/// What was typed, to show again after a refusal.
#[derive(Debug, Default)]
struct Typed {
    details: Option<DetailValues>,
    phase: Option<(i64, PhaseValues)>,
    new_phase: Option<PhaseValues>,
    new_field: Option<(String, String)>,
}

async fn show_page(
    state: &AppState,
    visitor: &Visitor,
    me: &Identity,
    id: i64,
    notice: Option<(&'static str, String)>,
    problems: FieldProblems,
    typed: Typed,
) -> Result<ShowPage, PageError> {
    service::review::require_program_admin(&state.db, &me.actor, id).await?;
    let program = service::programs::get(&state.db, &me.actor, id).await?;
    let checklist = service::programs::checklist(&state.db, &me.actor, id).await?;
    let owner = service::unions::get(&state.db, &me.actor, program.owner_union_id).await?;
    let v = typed.details.unwrap_or_else(|| DetailValues {
        name: program.name.clone(),
        description: program.description.clone(),
        owner_code: owner.code.clone(),
        applied_from: program
            .applied_from
            .map(|d| d.to_string())
            .unwrap_or_default(),
        applied_to: program
            .applied_to
            .map(|d| d.to_string())
            .unwrap_or_default(),
        target_count: program
            .target_count
            .map(|n| n.to_string())
            .unwrap_or_default(),
    });
    let phases = program
        .phases
        .iter()
        .map(|ph| PhaseLine {
            id: ph.id,
            position: ph.position,
            v: match &typed.phase {
                Some((pid, values)) if *pid == ph.id => values.clone(),
                _ => PhaseValues {
                    name: ph.name.clone(),
                    opens: format::vietnam_input(ph.opens_at),
                    closes: format::vietnam_input(ph.closes_at),
                },
            },
            window: window_text(ph.opens_at, ph.closes_at),
            open_now: ph.open_now,
        })
        .collect();
    let status = program.status;
    Ok(ShowPage {
        chrome: Chrome::of(visitor, "admin"),
        notice,
        owner: format!("{} ({})", owner.name, owner.code),
        ready: checklist.iter().all(|c| c.done || !c.required),
        checklist,
        has_run: status.has_run(),
        can_open: status.can_open(),
        can_close: status.can_close(),
        can_archive: status.can_archive(),
        v,
        phases,
        new_phase: typed.new_phase.unwrap_or_default(),
        new_field: typed.new_field.unwrap_or_default(),
        problems,
        program,
    })
}

/// The program page's query.
#[derive(Debug, Deserialize)]
pub struct ShowQuery {
    pub da: Option<String>,
}

/// `GET /quan-tri/chuong-trinh/{id}`: one program's page.
#[get("/quan-tri/chuong-trinh/{id}")]
pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<i64>,
    query: web::Query<ShowQuery>,
) -> Result<HttpResponse, PageError> {
    let me = visitor.require()?;
    let notice = notice(Done::Program, query.da.as_deref());
    let page = show_page(
        &state,
        &visitor,
        me,
        path.into_inner(),
        notice,
        FieldProblems::default(),
        Typed::default(),
    )
    .await?;
    render(StatusCode::OK, &page)
}

#[expect(
    clippy::too_many_arguments,
    reason = "the page's parts, what was typed and the refusal"
)]
/// Shows the program's page again with the refusal: field problems beside their fields
/// (renamed by `place`), the reason on top.
async fn refused(
    state: &AppState,
    visitor: &Visitor,
    me: &Identity,
    id: i64,
    e: AppError,
    problems: FieldProblems,
    place: impl Fn(&str) -> String,
    typed: Typed,
) -> Result<HttpResponse, PageError> {
    let Some(problems) = form_problems(&e, problems, place) else {
        return Err(e.into());
    };
    let page = show_page(
        state,
        visitor,
        me,
        id,
        Some(("error", refusal_text(&e))),
        problems,
        typed,
    )
    .await?;
    render(e.code.status(), &page)
}

fn back(id: i64, done: &str, anchor: &str) -> HttpResponse {
    super::form::back(&format!("/quan-tri/chuong-trinh/{id}"), done, anchor)
}

/// `POST /quan-tri/chuong-trinh/{id}`: saves name, description, owner, eligibility window and
/// target.
#[post("/quan-tri/chuong-trinh/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<DetailsForm>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, p) = f.into_parts();
    let id = path.into_inner();
    let v = DetailValues {
        name: p.name,
        description: p.description,
        owner_code: p.owner_code,
        applied_from: p.applied_from,
        applied_to: p.applied_to,
        target_count: p.target_count,
    };
    let mut problems = FieldProblems::default();
    let applied_from = opt_date(&mut problems, "applied_from", &v.applied_from);
    let applied_to = opt_date(&mut problems, "applied_to", &v.applied_to);
    let target_count = opt_number(&mut problems, "target_count", &v.target_count);
    let owner_union_id = match v.owner_code.trim() {
        "" => None,
        code => {
            let found = service::unions::id_by_code(&state.db, code.to_owned()).await?;
            if found.is_none() {
                problems.add("owner_code", "Không có đơn vị nào mang mã này.");
            }
            found
        }
    };
    let mut c = Checker::default();
    let changes = ProgramChangesInput {
        name: Some(c.line("name", &v.name, crate::domain::text::NAME)),
        owner_union_id,
        description: Some(c.text(
            "description",
            &v.description,
            crate::domain::text::DESCRIPTION,
        )),
        applied_from: Some(applied_from),
        applied_to: Some(applied_to),
        target_count: Some(target_count),
    };
    crate::routes::api::programs::check_target(&mut c, target_count);
    let result = match c.finish() {
        Ok(()) if problems.is_empty() => {
            service::programs::update(&state.db, &me.actor, id, changes)
                .await
                .map(|_| ())
        }
        Ok(()) => Err(AppError::validation(std::collections::BTreeMap::new())
            .with_message("Một số ô chưa hợp lệ.")),
        Err(e) => Err(e),
    };
    let typed = Typed {
        details: Some(v),
        ..Typed::default()
    };
    match result {
        Ok(()) => Ok(back(id, "1", "details")),
        Err(e) => {
            let place = |k: &str| match k {
                "owner_union_id" => "owner_code".to_owned(),
                other => other.to_owned(),
            };
            refused(&state, &visitor, &me, id, e, problems, place, typed).await
        }
    }
}

fn phase_values(p: PhaseForm) -> PhaseValues {
    PhaseValues {
        name: p.name,
        opens: p.opens_at,
        closes: p.closes_at,
    }
}

/// The phase as the API's check sees it, with problems under `prefix`.
fn phase_input(
    problems: &mut FieldProblems,
    prefix: &str,
    v: &PhaseValues,
) -> Result<service::programs::PhaseInput, AppError> {
    let opens = moment(problems, &format!("{prefix}opens"), &v.opens);
    let closes = moment(problems, &format!("{prefix}closes"), &v.closes);
    let mut c = Checker::default();
    let input = match (opens, closes) {
        (Some(opens_at), Some(closes_at)) => crate::routes::api::programs::phase(
            &mut c,
            "phase",
            &PhaseBody {
                name: v.name.clone(),
                opens_at,
                closes_at,
            },
        ),
        _ => None,
    };
    c.finish()?;
    match input {
        Some(i) if problems.is_empty() => Ok(i),
        _ => Err(AppError::validation(std::collections::BTreeMap::new())
            .with_message("Một số ô chưa hợp lệ.")),
    }
}

fn phase_place(prefix: &str) -> impl Fn(&str) -> String + '_ {
    move |k: &str| match k {
        "phase.name" => format!("{prefix}name"),
        "phase.closes_at" => format!("{prefix}closes"),
        "phase.opens_at" => format!("{prefix}opens"),
        _ => format!("{prefix}window"),
    }
}

/// `POST /quan-tri/chuong-trinh/{id}/dot`: adds a phase.
#[post("/quan-tri/chuong-trinh/{id}/dot")]
pub async fn add_phase(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<PhaseForm>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, p) = f.into_parts();
    let id = path.into_inner();
    let v = phase_values(p);
    let mut problems = FieldProblems::default();
    let result = match phase_input(&mut problems, "new_phase_", &v) {
        Ok(input) => service::programs::add_phase(&state.db, &me.actor, id, input)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(back(id, "1", "phases")),
        Err(e) => {
            let typed = Typed {
                new_phase: Some(v),
                ..Typed::default()
            };
            refused(
                &state,
                &visitor,
                &me,
                id,
                e,
                problems,
                phase_place("new_phase_"),
                typed,
            )
            .await
        }
    }
}

/// `POST /quan-tri/chuong-trinh/{id}/dot/{phase}`: changes a phase's name and window.
#[post("/quan-tri/chuong-trinh/{id}/dot/{phase}")]
pub async fn update_phase(
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    f: SignedInForm<PhaseForm>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, p) = f.into_parts();
    let (id, phase_id) = path.into_inner();
    let v = phase_values(p);
    let prefix = format!("phase{phase_id}_");
    let mut problems = FieldProblems::default();
    let result = match phase_input(&mut problems, &prefix, &v) {
        Ok(input) => service::programs::update_phase(&state.db, &me.actor, id, phase_id, input)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(back(id, "1", "phases")),
        Err(e) => {
            let typed = Typed {
                phase: Some((phase_id, v)),
                ..Typed::default()
            };
            refused(
                &state,
                &visitor,
                &me,
                id,
                e,
                problems,
                phase_place(&prefix),
                typed,
            )
            .await
        }
    }
}

/// `POST /quan-tri/chuong-trinh/{id}/linh-vuc`: adds a field.
#[post("/quan-tri/chuong-trinh/{id}/linh-vuc")]
pub async fn add_field(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<FieldForm>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, p) = f.into_parts();
    let id = path.into_inner();
    let name = p.field_name;
    let code = match p.field_code.trim() {
        "" => slug(&name),
        c => c.to_owned(),
    };
    let mut c = Checker::default();
    let input = crate::routes::api::programs::field(
        &mut c,
        "field",
        &FieldBody {
            code: code.clone(),
            name: name.clone(),
        },
    );
    let result = match c.finish() {
        Ok(()) => service::programs::add_field(&state.db, &me.actor, id, input)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(back(id, "1", "fields")),
        Err(e) => {
            let mut problems = FieldProblems::default();
            if e.code == ErrorCode::AlreadyExists {
                problems.add("field_code", e.message.clone());
            }
            let typed = Typed {
                new_field: Some((p.field_code, name)),
                ..Typed::default()
            };
            let place = |k: &str| match k {
                "field.code" => "field_code".to_owned(),
                _ => "field_name".to_owned(),
            };
            refused(&state, &visitor, &me, id, e, problems, place, typed).await
        }
    }
}

async fn status_change(
    state: &AppState,
    f: SignedInForm<Confirmation>,
    id: i64,
    to: ProgramStatus,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, p) = f.into_parts();
    let visitor = &visitor;
    let (verb, done) = match to {
        ProgramStatus::Open => ("mo", "mo"),
        ProgramStatus::Closed => ("dong", "dong"),
        _ => ("luu-tru", "luu-tru"),
    };
    if to != ProgramStatus::Open && !p.given() {
        // The program must be the actor's before anything is shown about it.
        service::review::require_program_admin(&state.db, &me.actor, id).await?;
        let program = service::programs::get(&state.db, &me.actor, id).await?;
        let (heading, explanation, button) = if to == ProgramStatus::Closed {
            (
                format!("Kết thúc nhận sáng kiến của “{}”?", program.name),
                "Đoàn viên sẽ không nộp được sáng kiến mới vào chương trình này, kể cả khi đợt hiện tại chưa hết hạn. Các sáng kiến đã nộp vẫn được xét duyệt và tính vào chỉ tiêu. Có thể mở lại sau. Việc này được ghi vào nhật ký.",
                "Kết thúc nhận",
            )
        } else {
            (
                format!("Lưu trữ “{}”?", program.name),
                "Chương trình được giữ lại để tra cứu nhưng không thể mở lại. Việc này được ghi vào nhật ký.",
                "Lưu trữ",
            )
        };
        return confirm(
            visitor,
            heading,
            explanation,
            format!("/quan-tri/chuong-trinh/{id}/{verb}"),
            &p,
            button,
            format!("/quan-tri/chuong-trinh/{id}"),
        );
    }
    let result = match to {
        ProgramStatus::Open => service::programs::open(&state.db, &me.actor, id).await,
        ProgramStatus::Closed => service::programs::close(&state.db, &me.actor, id).await,
        _ => service::programs::archive(&state.db, &me.actor, id).await,
    };
    match result {
        Ok(_) => Ok(back(id, done, "status")),
        Err(e) => {
            refused(
                state,
                visitor,
                &me,
                id,
                e,
                FieldProblems::default(),
                str::to_owned,
                Typed::default(),
            )
            .await
        }
    }
}

/// `POST /quan-tri/chuong-trinh/{id}/mo`: opens the program (the checklist's required items
/// must be done).
#[post("/quan-tri/chuong-trinh/{id}/mo")]
pub async fn open(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<Confirmation>,
) -> Result<HttpResponse, PageError> {
    status_change(&state, f, path.into_inner(), ProgramStatus::Open).await
}

/// `POST /quan-tri/chuong-trinh/{id}/dong`: after confirmation, stops taking initiatives.
#[post("/quan-tri/chuong-trinh/{id}/dong")]
pub async fn close(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<Confirmation>,
) -> Result<HttpResponse, PageError> {
    status_change(&state, f, path.into_inner(), ProgramStatus::Closed).await
}

/// `POST /quan-tri/chuong-trinh/{id}/luu-tru`: after confirmation, archives a closed program.
#[post("/quan-tri/chuong-trinh/{id}/luu-tru")]
pub async fn archive(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<Confirmation>,
) -> Result<HttpResponse, PageError> {
    status_change(&state, f, path.into_inner(), ProgramStatus::Archived).await
}

/// `POST /quan-tri/chuong-trinh/{id}/linh-vuc/{field}`: renames a field (its code stays).
#[post("/quan-tri/chuong-trinh/{id}/linh-vuc/{field}")]
pub async fn rename_field(
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    f: SignedInForm<RenameForm>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, p) = f.into_parts();
    let (id, field_id) = path.into_inner();
    match service::programs::rename_field(&state.db, &me.actor, id, field_id, p.name).await {
        Ok(_) => Ok(back(id, "1", "fields")),
        Err(e) => {
            let place = move |_: &str| format!("field{field_id}_name");
            let problems = FieldProblems::default();
            refused(
                &state,
                &visitor,
                &me,
                id,
                e,
                problems,
                place,
                Typed::default(),
            )
            .await
        }
    }
}

/// `POST /quan-tri/chuong-trinh/{id}/linh-vuc/{field}/xoa`: after confirmation, removes a
/// field no initiative names.
#[post("/quan-tri/chuong-trinh/{id}/linh-vuc/{field}/xoa")]
pub async fn remove_field(
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    f: SignedInForm<Confirmation>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, p) = f.into_parts();
    let (id, field_id) = path.into_inner();
    if !p.given() {
        let program = service::programs::get(&state.db, &me.actor, id).await?;
        service::review::require_program_admin(&state.db, &me.actor, id).await?;
        let field = program
            .fields
            .iter()
            .find(|f| f.id == field_id)
            .ok_or_else(AppError::not_found)?;
        return confirm(
            &visitor,
            format!("Xoá lĩnh vực “{}”?", field.name),
            "Chỉ xoá được lĩnh vực chưa có sáng kiến nào (kể cả bản nháp). Việc này được ghi vào nhật ký.",
            format!("/quan-tri/chuong-trinh/{id}/linh-vuc/{field_id}/xoa"),
            &p,
            "Xoá lĩnh vực",
            format!("/quan-tri/chuong-trinh/{id}#fields"),
        );
    }
    match service::programs::remove_field(&state.db, &me.actor, id, field_id).await {
        Ok(_) => Ok(back(id, "1", "fields")),
        Err(e) => {
            let place = move |_: &str| format!("field{field_id}_name");
            let problems = FieldProblems::default();
            refused(
                &state,
                &visitor,
                &me,
                id,
                e,
                problems,
                place,
                Typed::default(),
            )
            .await
        }
    }
}

/// `POST /quan-tri/chuong-trinh/{id}/dot/{phase}/xoa`: after confirmation, removes a phase
/// that nothing names and that has not begun on a program that has run.
#[post("/quan-tri/chuong-trinh/{id}/dot/{phase}/xoa")]
pub async fn remove_phase(
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    f: SignedInForm<Confirmation>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, p) = f.into_parts();
    let (id, phase_id) = path.into_inner();
    if !p.given() {
        let program = service::programs::get(&state.db, &me.actor, id).await?;
        service::review::require_program_admin(&state.db, &me.actor, id).await?;
        let phase = program
            .phases
            .iter()
            .find(|ph| ph.id == phase_id)
            .ok_or_else(AppError::not_found)?;
        return confirm(
            &visitor,
            format!("Xoá “{}” của “{}”?", phase.name, program.name),
            "Chỉ xoá được đợt chưa có sáng kiến hay chỉ tiêu nào, và chưa bắt đầu nếu chương trình đã diễn ra. Các đợt sau được đánh số lại. Việc này được ghi vào nhật ký.",
            format!("/quan-tri/chuong-trinh/{id}/dot/{phase_id}/xoa"),
            &p,
            "Xoá đợt",
            format!("/quan-tri/chuong-trinh/{id}#phases"),
        );
    }
    match service::programs::remove_phase(&state.db, &me.actor, id, phase_id).await {
        Ok(_) => Ok(back(id, "1", "phases")),
        Err(e) => {
            let place = move |_: &str| format!("phase{phase_id}_window");
            let problems = FieldProblems::default();
            refused(
                &state,
                &visitor,
                &me,
                id,
                e,
                problems,
                place,
                Typed::default(),
            )
            .await
        }
    }
}
