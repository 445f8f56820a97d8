//! The officers' pages on attainment: a union's dashboard (quota, counts, pace, rankings,
//! charts, the children's table with drill-down), its printable report, the quarterly
//! leaderboard by cluster, and the quota allocation editor.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

use super::form::{Rows, SignedInForm};
use super::{Chrome, FieldProblems, PageError, Visitor, charts, format, render, see_other};
use crate::domain::{QuotaKind, UnionKind};
use crate::error::AppError;
use crate::service;
use crate::service::attainment::{
    AttainmentLine, DashboardView, LeaderboardQuery, LeaderboardView, ProgramOver, SortKey,
};
use crate::service::quotas::{AllocationInput, AllocationQuery, AllocationView, ChildQuota};
use crate::state::AppState;

/// What the dashboard pages are asked for (all optional: the page picks a program).
#[derive(Debug, Deserialize)]
pub struct PageQuery {
    pub program_id: Option<i64>,
    pub phase_id: Option<i64>,
    pub sort: Option<String>,
    /// A past day to read the tree and figures as of (`2025-06-30` or `30/06/2025`); blank:
    /// the current structure.
    pub as_of: Option<String>,
}

/// The day a page asks to read as of (`as_of`), if any.
fn as_of_day(as_of: Option<&str>) -> Result<Option<chrono::NaiveDate>, PageError> {
    match as_of.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => format::parse_date(s).map(Some).ok_or_else(|| {
            PageError::App(
                AppError::new(crate::error::ErrorCode::InvalidQuery)
                    .with_message("Ngày xem số liệu không hợp lệ: hãy nhập dạng 30/06/2025."),
            )
        }),
    }
}

/// A program to choose.
#[derive(Debug, Clone)]
pub struct ProgramChoice {
    pub id: i64,
    pub name: String,
    pub selected: bool,
    pub phases: Vec<PhaseChoice>,
}

/// A phase to choose.
#[derive(Debug, Clone)]
pub struct PhaseChoice {
    pub id: i64,
    pub name: String,
    pub selected: bool,
}

/// Marks the program and phase shown.
fn choose(programs: &mut [ProgramChoice], program_id: i64, phase_id: Option<i64>) {
    for p in programs {
        p.selected = p.id == program_id;
        for ph in &mut p.phases {
            ph.selected = p.selected && Some(ph.id) == phase_id;
        }
    }
}

/// A line of a table, ready to show.
#[derive(Debug, Clone)]
pub struct Row {
    pub union_id: i64,
    pub code: String,
    pub name: String,
    pub level_name: &'static str,
    pub cluster: String,
    pub quota: String,
    pub submitted: String,
    pub under_review: String,
    pub approved: String,
    pub rejected: String,
    pub duplicates: String,
    pub revoked: String,
    pub attainment: String,
    /// `met`, `behind` or empty (no quota).
    pub tone: &'static str,
    pub rank: usize,
    /// Has children to drill into.
    pub leaf: bool,
}

impl Row {
    fn of(l: &AttainmentLine, rank: usize) -> Self {
        Self {
            union_id: l.union_id,
            code: l.code.clone(),
            name: l.name.clone(),
            level_name: UnionKind::from_i32(l.level).map_or("", UnionKind::label),
            cluster: l.cluster.clone().unwrap_or_default(),
            quota: l.quota.map_or_else(|| "—".to_owned(), format::number),
            submitted: format::number(l.counts.submitted),
            under_review: format::number(l.counts.under_review),
            approved: format::number(l.counts.approved),
            rejected: format::number(l.counts.rejected),
            duplicates: format::number(l.counts.duplicates),
            revoked: format::number(l.counts.revoked),
            attainment: l.attainment.map_or_else(|| "—".to_owned(), format::percent),
            tone: match l.attainment {
                Some(a) if a >= 100.0 => "met",
                Some(_) => "behind",
                None => "",
            },
            rank,
            leaf: l.level >= UnionKind::Group.as_i32(),
        }
    }
}

/// The dashboard page (and, with `print`, the printable report).
#[derive(Template)]
#[template(path = "attainment.html")]
pub struct DashboardPage {
    pub chrome: Chrome,
    pub d: DashboardView,
    pub programs: Vec<ProgramChoice>,
    /// The scope without the day read as of (the link back to the current structure).
    pub plain_scope: String,
    pub own: Row,
    pub rows: Vec<Row>,
    pub sort: &'static str,
    /// The query string shared by every link (program and phase).
    pub scope: String,
    pub elapsed: String,
    pub pace: String,
    pub chart_cumulative: String,
    pub chart_children: String,
    pub chart_fields: String,
    pub printed_at: String,
    /// The parent's name, heading the printed report.
    pub parent_name: String,
    pub print: bool,
    /// Reorganisations that changed the tree read, each with the day before it.
    pub changes: Vec<TreeChangeLine>,
}

/// A reorganisation on the dashboard: its decision, the day it took effect, and the day
/// before it (to read the tree as it stood).
#[derive(Debug, Clone)]
pub struct TreeChangeLine {
    pub decision_no: String,
    pub effective: String,
    pub day_before: String,
    pub day_before_vn: String,
}

/// The quarterly leaderboard page.
#[derive(Template)]
#[template(path = "leaderboard.html")]
pub struct LeaderboardPage {
    pub chrome: Chrome,
    pub b: LeaderboardView,
    pub programs: Vec<ProgramChoice>,
    pub boards: Vec<Board>,
}

/// One cluster's table, ready to show.
#[derive(Debug, Clone)]
pub struct Board {
    pub name: String,
    pub verdict: String,
    pub leader: bool,
    pub lines: Vec<BoardLine>,
}

/// A line of a cluster's table.
#[derive(Debug, Clone)]
pub struct BoardLine {
    pub rank: usize,
    pub union_id: i64,
    pub name: String,
    pub approved: String,
    pub target: String,
    pub attainment: String,
    pub leads: bool,
}

/// The allocation editor page.
#[derive(Template)]
#[template(path = "quota_editor.html")]
pub struct EditorPage {
    pub chrome: Chrome,
    pub a: AllocationView,
    pub programs: Vec<ProgramChoice>,
    pub scope: String,
    pub lines: Vec<EditorLine>,
    pub own_target: String,
    pub children_sum: String,
    pub difference: String,
    pub problems: FieldProblems,
    pub notice: Option<(&'static str, String)>,
}

/// A child's row in the editor.
#[derive(Debug, Clone)]
pub struct EditorLine {
    pub union_id: i64,
    pub code: String,
    pub name: String,
    pub members: String,
    /// `absolute`, `percent_of_members` or empty.
    pub kind: &'static str,
    /// As typed: "1.200" or "10" / "2,5" (percent).
    pub value: String,
    pub target: String,
    pub basis: String,
    pub inherited: bool,
}

async fn programs_over(
    state: &AppState,
    visitor: &Visitor,
    union_id: i64,
) -> Result<Vec<ProgramChoice>, PageError> {
    let me = visitor.require()?;
    let all = service::attainment::programs_over(&state.db, &me.actor, union_id).await?;
    Ok(all.into_iter().map(ProgramChoice::from).collect())
}

impl From<ProgramOver> for ProgramChoice {
    fn from(p: ProgramOver) -> Self {
        Self {
            id: p.id,
            name: p.name,
            selected: false,
            phases: p
                .phases
                .into_iter()
                .map(|(id, name)| PhaseChoice {
                    id,
                    name,
                    selected: false,
                })
                .collect(),
        }
    }
}

fn pick_program(q: &PageQuery, programs: &[ProgramChoice]) -> Result<i64, PageError> {
    match q.program_id {
        Some(id) => Ok(id),
        None => programs.first().map(|p| p.id).ok_or_else(|| {
            PageError::App(
                AppError::not_found()
                    .with_message("Chưa có chương trình nào áp dụng cho đơn vị này."),
            )
        }),
    }
}

fn scope_query(program_id: i64, phase_id: Option<i64>) -> String {
    match phase_id {
        Some(p) => format!("program_id={program_id}&phase_id={p}"),
        None => format!("program_id={program_id}"),
    }
}

/// The scope of a dashboard's links, with the day it is read as of.
fn reading_query(
    program_id: i64,
    phase_id: Option<i64>,
    as_of: Option<chrono::NaiveDate>,
) -> String {
    match as_of {
        Some(day) => format!("{}&as_of={day}", scope_query(program_id, phase_id)),
        None => scope_query(program_id, phase_id),
    }
}

fn sort_key(s: Option<&str>) -> Result<SortKey, PageError> {
    Ok(match s.unwrap_or("name") {
        "name" => SortKey::Name,
        "submitted" => SortKey::Submitted,
        "approved" => SortKey::Approved,
        "attainment" => SortKey::Attainment,
        _ => {
            return Err(PageError::App(
                AppError::new(crate::error::ErrorCode::InvalidQuery)
                    .with_message("Cách sắp xếp không hợp lệ."),
            ));
        }
    })
}

fn sort_name(k: SortKey) -> &'static str {
    match k {
        SortKey::Name => "name",
        SortKey::Submitted => "submitted",
        SortKey::Approved => "approved",
        SortKey::Attainment => "attainment",
    }
}

/// `/thi-dua`: the officer's own dashboard.
#[get("/thi-dua")]
pub async fn start(
    state: web::Data<AppState>,
    visitor: Visitor,
) -> Result<HttpResponse, PageError> {
    let me = visitor.require()?;
    match service::attainment::home(&state.db, &me.actor).await? {
        Some((union_id, program_id)) => Ok(see_other(&format!(
            "/don-vi/{union_id}/thanh-tich?program_id={program_id}"
        ))),
        None => Err(PageError::App(AppError::not_found().with_message(
            "Bạn chưa phụ trách đơn vị nào, hoặc chưa có chương trình áp dụng cho đơn vị của bạn.",
        ))),
    }
}

async fn dashboard_page(
    state: &AppState,
    visitor: &Visitor,
    id: i64,
    q: &PageQuery,
    print: bool,
) -> Result<DashboardPage, PageError> {
    let me = visitor.require()?;
    let sort = sort_key(q.sort.as_deref())?;
    let as_of = as_of_day(q.as_of.as_deref())?;
    // One read: the programs over the union, then the dashboard of the one asked for (else
    // the one taking submissions now).
    let (programs, d) = service::attainment::dashboard_with_programs(
        &state.db,
        &me.actor,
        id,
        q.program_id,
        q.phase_id,
        sort,
        as_of,
    )
    .await?;
    let mut programs: Vec<ProgramChoice> = programs.into_iter().map(ProgramChoice::from).collect();
    choose(&mut programs, d.program_id, q.phase_id);
    // Ranks among the children, whatever order the table is in.
    let mut ranked: Vec<&AttainmentLine> = d.children.iter().collect();
    ranked.sort_by(|a, b| service::attainment::rank_order(a, b));
    let rank_of = |id: i64| {
        ranked
            .iter()
            .position(|l| l.union_id == id)
            .map_or(0, |p| p + 1)
    };
    let rows = d
        .children
        .iter()
        .map(|l| Row::of(l, rank_of(l.union_id)))
        .collect();
    let own = Row::of(&d.union, 0);
    let chart_cumulative = charts::cumulative(&d.timeline, d.period, d.union.quota);
    let chart_children = charts::attainment_bars(&d.children, 60);
    let chart_fields = charts::by_field(&d.fields);
    let changes = match (d.period, print) {
        (Some(period), false) => {
            service::reorganisations::changes_over(&state.db, &me.actor, d.union.union_id, period)
                .await?
        }
        _ => Vec::new(),
    };
    let changes = changes
        .into_iter()
        .map(|c| {
            let before = c.effective_on.pred_opt().unwrap_or(c.effective_on);
            TreeChangeLine {
                decision_no: c.decision_no,
                effective: format::date(c.effective_on),
                day_before: before.to_string(),
                day_before_vn: format::date(before),
            }
        })
        .collect();
    Ok(DashboardPage {
        chrome: Chrome::of(visitor, "dashboard"),
        scope: reading_query(d.program_id, d.phase_id, d.as_of),
        plain_scope: scope_query(d.program_id, d.phase_id),
        elapsed: d.elapsed.map_or_else(|| "—".to_owned(), format::percent),
        pace: d.pace.map_or_else(|| "—".to_owned(), format::percent),
        printed_at: format::datetime(chrono::Utc::now()),
        parent_name: d.trail.last().map(|t| t.name.clone()).unwrap_or_default(),
        programs,
        own,
        rows,
        sort: sort_name(sort),
        chart_cumulative,
        chart_children,
        chart_fields,
        print,
        changes,
        d,
    })
}

/// A union's dashboard.
#[get("/don-vi/{id}/thanh-tich")]
pub async fn dashboard(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<i64>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, PageError> {
    let page = dashboard_page(&state, &visitor, path.into_inner(), &query, false).await?;
    render(StatusCode::OK, &page)
}

/// The printable report of a union's attainment.
#[get("/don-vi/{id}/bao-cao")]
pub async fn report(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<i64>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, PageError> {
    let page = dashboard_page(&state, &visitor, path.into_inner(), &query, true).await?;
    render(StatusCode::OK, &page)
}

/// What the leaderboard page is asked for.
#[derive(Debug, Deserialize)]
pub struct BoardQuery {
    pub program_id: Option<i64>,
    pub quarter: Option<String>,
    /// A past day whose tree is ranked (`2025-06-30` or `30/06/2025`).
    pub as_of: Option<String>,
}

impl BoardQuery {
    fn as_of(&self) -> Result<Option<chrono::NaiveDate>, PageError> {
        as_of_day(self.as_of.as_deref())
    }
}

/// The quarterly leaderboard of a union's children by cluster.
#[get("/don-vi/{id}/xep-hang")]
pub async fn leaderboard(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<i64>,
    query: web::Query<BoardQuery>,
) -> Result<HttpResponse, PageError> {
    let me = visitor.require()?;
    let id = path.into_inner();
    let mut programs = programs_over(&state, &visitor, id).await?;
    let program_id = pick_program(
        &PageQuery {
            program_id: query.program_id,
            phase_id: None,
            sort: None,
            as_of: None,
        },
        &programs,
    )?;
    choose(&mut programs, program_id, None);
    let b = service::attainment::leaderboard(
        &state.db,
        &me.actor,
        id,
        LeaderboardQuery {
            program_id,
            quarter: query.quarter.clone(),
            as_of: query.as_of()?,
        },
    )
    .await?;
    let boards = b
        .clusters
        .iter()
        .map(|c| Board {
            name: c.name.clone(),
            verdict: c.verdict.clone(),
            leader: c.lines.iter().any(|l| l.leads),
            lines: c
                .lines
                .iter()
                .map(|l| BoardLine {
                    rank: l.rank,
                    union_id: l.union_id,
                    name: l.name.clone(),
                    approved: format::number(l.approved),
                    target: l.target.map_or_else(|| "—".to_owned(), format::number),
                    attainment: l.attainment.map_or_else(|| "—".to_owned(), format::percent),
                    leads: l.leads,
                })
                .collect(),
        })
        .collect();
    render(
        StatusCode::OK,
        &LeaderboardPage {
            chrome: Chrome::of(&visitor, "dashboard"),
            b,
            programs,
            boards,
        },
    )
}

/// What the editor is asked for.
#[derive(Debug, Deserialize)]
pub struct EditorQuery {
    pub program_id: Option<i64>,
    pub phase_id: Option<i64>,
    pub saved: Option<u8>,
}

fn editor_lines(a: &AllocationView) -> Vec<EditorLine> {
    a.children
        .iter()
        .map(|c| {
            let (kind, value, basis) = match &c.quota {
                Some(q) if q.kind == QuotaKind::Absolute => {
                    ("absolute", format::number(q.value), String::new())
                }
                Some(q) => {
                    #[expect(clippy::cast_precision_loss, reason = "basis points are small")]
                    let pct = format::percent(q.value as f64 / 100.0);
                    let basis = match (q.member_basis, q.members_as_of) {
                        (Some(b), Some(d)) => {
                            format!("{} đoàn viên ngày {}", format::number(b), format::date(d))
                        }
                        (Some(b), None) => format!("{} đoàn viên", format::number(b)),
                        _ => String::new(),
                    };
                    (
                        "percent_of_members",
                        pct.trim_end_matches('%').to_owned(),
                        basis,
                    )
                }
                None => ("", String::new(), String::new()),
            };
            EditorLine {
                union_id: c.union_id,
                code: c.code.clone(),
                name: c.name.clone(),
                members: format::number(c.members),
                kind,
                value,
                target: c
                    .effective_target
                    .map_or_else(|| "—".to_owned(), format::number),
                basis,
                inherited: c.quota.is_none() && c.effective_target.is_some(),
            }
        })
        .collect()
}

#[expect(clippy::too_many_arguments, reason = "the page as shown and as typed")]
async fn editor_page(
    state: &AppState,
    visitor: &Visitor,
    id: i64,
    program_id: Option<i64>,
    phase_id: Option<i64>,
    problems: FieldProblems,
    typed: Option<Vec<(i64, &'static str, String)>>,
    notice: Option<(&'static str, String)>,
) -> Result<EditorPage, PageError> {
    let me = visitor.require()?;
    let mut programs = programs_over(state, visitor, id).await?;
    let program_id = pick_program(
        &PageQuery {
            program_id,
            phase_id,
            sort: None,
            as_of: None,
        },
        &programs,
    )?;
    choose(&mut programs, program_id, phase_id);
    let a = service::quotas::allocation(
        &state.db,
        &me.actor,
        id,
        AllocationQuery {
            program_id,
            phase_id,
        },
    )
    .await?;
    let mut lines = editor_lines(&a);
    if let Some(typed) = typed {
        for l in &mut lines {
            if let Some((_, kind, value)) = typed.iter().find(|t| t.0 == l.union_id) {
                l.kind = kind;
                l.value.clone_from(value);
            }
        }
    }
    Ok(EditorPage {
        chrome: Chrome::of(visitor, "dashboard"),
        scope: scope_query(a.program_id, a.phase_id),
        own_target: a
            .union
            .effective_target
            .map_or_else(|| "chưa giao".to_owned(), format::number),
        children_sum: format::number(a.children_sum),
        difference: match a.difference {
            Some(0) => "khớp".to_owned(),
            Some(d) if d > 0 => format!("+{}", format::number(d)),
            Some(d) => format::number(d),
            None => "—".to_owned(),
        },
        programs,
        lines,
        problems,
        notice,
        a,
    })
}

/// The allocation editor.
#[get("/don-vi/{id}/chi-tieu")]
pub async fn editor(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<i64>,
    query: web::Query<EditorQuery>,
) -> Result<HttpResponse, PageError> {
    let notice = query
        .saved
        .map(|_| ("ok", "Đã lưu phân bổ chỉ tiêu.".to_owned()));
    let page = editor_page(
        &state,
        &visitor,
        path.into_inner(),
        query.program_id,
        query.phase_id,
        FieldProblems::default(),
        None,
        notice,
    )
    .await?;
    render(StatusCode::OK, &page)
}

/// Reads a typed quota: a count ("1.200") or a percentage ("10", "2,5") into basis points.
fn parse_value(kind: QuotaKind, typed: &str) -> Result<i64, &'static str> {
    let t: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    let t = t.trim_end_matches('%');
    match kind {
        QuotaKind::Absolute => {
            let digits: String = t.chars().filter(|c| *c != '.').collect();
            if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
                return Err("Nhập một số nguyên, ví dụ 1.200.");
            }
            digits.parse().map_err(|_| "Số quá lớn.")
        }
        QuotaKind::PercentOfMembers => {
            let (whole, frac) = t.split_once([',', '.']).unwrap_or((t, ""));
            let ok = !whole.is_empty()
                && whole.chars().all(|c| c.is_ascii_digit())
                && frac.len() <= 2
                && frac.chars().all(|c| c.is_ascii_digit());
            if !ok || whole.len() > 6 {
                return Err("Nhập tỷ lệ phần trăm, ví dụ 10 hoặc 2,5.");
            }
            let w: i64 = whole.parse().map_err(|_| "Số quá lớn.")?;
            let f: i64 = format!("{frac:0<2}").parse().unwrap_or(0);
            Ok(w * 100 + f)
        }
    }
}

/// The allocation editor's form: the program and phase, and per child `kind_{id}` (a
/// [`QuotaKind`] or blank) with `value_{id}`.
#[derive(Debug, Default, Deserialize)]
pub struct AllocationForm {
    #[serde(default)]
    pub program_id: Option<String>,
    #[serde(default)]
    pub phase_id: Option<String>,
    #[serde(flatten)]
    pub rows: Rows,
}

/// Saves the allocation typed into the editor.
#[post("/don-vi/{id}/chi-tieu")]
pub async fn save(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<AllocationForm>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, form) = f.into_parts();
    let me = &me;
    let id = path.into_inner();
    let program_id: i64 = form
        .program_id
        .as_deref()
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| PageError::App(AppError::field("program_id", "Thiếu chương trình.")))?;
    let phase_id: Option<i64> = form
        .phase_id
        .as_deref()
        .filter(|v| !v.is_empty())
        .and_then(|v| v.parse().ok());
    let mut problems = FieldProblems::default();
    let mut typed = Vec::new();
    let mut allocations = Vec::new();
    for (k, v) in &form.rows.0 {
        let Some(union_id) = k.strip_prefix("kind_").and_then(|s| s.parse::<i64>().ok()) else {
            continue;
        };
        let value = form
            .rows
            .get(&format!("value_{union_id}"))
            .unwrap_or_default()
            .to_owned();
        let kind = match v.as_str() {
            "" => None,
            "absolute" => Some(QuotaKind::Absolute),
            "percent_of_members" => Some(QuotaKind::PercentOfMembers),
            _ => {
                problems.add(
                    &format!("value_{union_id}"),
                    "Cách giao chỉ tiêu không hợp lệ.",
                );
                continue;
            }
        };
        typed.push((union_id, kind.map_or("", QuotaKind::as_str), value.clone()));
        let value = match kind {
            None => 0,
            Some(kind) => match parse_value(kind, &value) {
                Ok(n) => n,
                Err(problem) => {
                    problems.add(&format!("value_{union_id}"), problem);
                    continue;
                }
            },
        };
        if let Some(problem) = service::quotas::check_value(kind, value) {
            problems.add(&format!("value_{union_id}"), problem);
            continue;
        }
        allocations.push(ChildQuota {
            union_id,
            kind,
            value,
        });
    }
    if problems.is_empty() {
        let result = service::quotas::allocate(
            &state.db,
            &me.actor,
            id,
            AllocationInput {
                program_id,
                phase_id,
                allocations,
            },
        )
        .await;
        match result {
            Ok(_) => {
                return Ok(see_other(&format!(
                    "/don-vi/{id}/chi-tieu?{}&saved=1",
                    scope_query(program_id, phase_id)
                )));
            }
            Err(e) if e.code == crate::error::ErrorCode::ValidationFailed => {
                let fields = FieldProblems::from_error(&e);
                for (k, v) in fields.0 {
                    problems.add(&k, v);
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    let page = editor_page(
        &state,
        &visitor,
        id,
        Some(program_id),
        phase_id,
        problems,
        Some(typed),
        Some(("error", "Chưa lưu: hãy sửa các ô được đánh dấu.".to_owned())),
    )
    .await?;
    render(StatusCode::BAD_REQUEST, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_quotas_read_the_vietnamese_way() {
        assert_eq!(parse_value(QuotaKind::Absolute, "1.200"), Ok(1200));
        assert_eq!(parse_value(QuotaKind::Absolute, " 50 "), Ok(50));
        assert!(parse_value(QuotaKind::Absolute, "-3").is_err());
        assert!(parse_value(QuotaKind::Absolute, "mười").is_err());
        assert_eq!(parse_value(QuotaKind::PercentOfMembers, "10"), Ok(1000));
        assert_eq!(parse_value(QuotaKind::PercentOfMembers, "2,5"), Ok(250));
        assert_eq!(parse_value(QuotaKind::PercentOfMembers, "12.75%"), Ok(1275));
        assert!(parse_value(QuotaKind::PercentOfMembers, "2,555").is_err());
        assert!(parse_value(QuotaKind::PercentOfMembers, "").is_err());
    }
}

async fn leaderboard_file(
    state: &AppState,
    visitor: &Visitor,
    id: i64,
    query: &BoardQuery,
    format: crate::service::export::ExportFormat,
) -> Result<HttpResponse, PageError> {
    let me = visitor.require()?;
    let program_id = query.program_id.ok_or_else(|| {
        PageError::App(AppError::bad_field(
            "program_id",
            "Hãy chọn một chương trình.",
        ))
    })?;
    let file = service::attainment_export::leaderboard_export(
        &state.db,
        &me.actor,
        id,
        LeaderboardQuery {
            program_id,
            quarter: query.quarter.clone(),
            as_of: query.as_of()?,
        },
        format,
    )
    .await?;
    Ok(crate::routes::download::attachment(file))
}

/// The quarterly leaderboard as an Excel workbook.
#[get("/don-vi/{id}/xep-hang.xlsx")]
pub async fn leaderboard_xlsx(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<i64>,
    query: web::Query<BoardQuery>,
) -> Result<HttpResponse, PageError> {
    let format = crate::service::export::ExportFormat::Xlsx;
    leaderboard_file(&state, &visitor, path.into_inner(), &query, format).await
}

/// The quarterly leaderboard as CSV.
#[get("/don-vi/{id}/xep-hang.csv")]
pub async fn leaderboard_csv(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<i64>,
    query: web::Query<BoardQuery>,
) -> Result<HttpResponse, PageError> {
    let format = crate::service::export::ExportFormat::Csv;
    leaderboard_file(&state, &visitor, path.into_inner(), &query, format).await
}
