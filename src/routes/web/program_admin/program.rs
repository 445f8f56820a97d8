//! A program's page: its details, checklist and status (open, close, archive).

use super::*;

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
pub(super) struct Typed {
    pub(super) details: Option<DetailValues>,
    pub(super) phase: Option<(i64, PhaseValues)>,
    pub(super) new_phase: Option<PhaseValues>,
    pub(super) new_field: Option<(String, String)>,
}

pub(super) async fn show_page(
    state: &AppState,
    visitor: &Visitor,
    me: &Identity,
    id: i64,
    notice: Option<(&'static str, String)>,
    problems: FieldProblems,
    typed: Typed,
) -> Result<ShowPage, PageError> {
    service::programs::require_managed(&state.db, &me.actor, id).await?;
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
pub(super) async fn refused(
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

/// A program's administration page.
pub(super) fn program_path(id: i64) -> String {
    format!("/quan-tri/chuong-trinh/{id}")
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
    crate::service::input::programs::check_target(&mut c, target_count);
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
    answer(result, (&program_path(id), "1", "details"), |e| {
        let place = |k: &str| match k {
            "owner_union_id" => "owner_code".to_owned(),
            other => other.to_owned(),
        };
        refused(&state, &visitor, &me, id, e, problems, place, typed)
    })
    .await
}

pub(super) async fn status_change(
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
        service::programs::require_managed(&state.db, &me.actor, id).await?;
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
    answer(result, (&program_path(id), done, "status"), |e| {
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
    })
    .await
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
