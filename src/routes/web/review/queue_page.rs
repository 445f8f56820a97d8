//! The reviewer's queue (`/xet-duyet`): what is due, with filters and progress.

use super::*;

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
    let mut notice = notice(Done::Review(p.n.unwrap_or(0)), p.da.as_deref());
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
