//! The initiatives of a union's subtree in a program: the dashboard's drill-down "to the
//! initiatives themselves", paged for the page and the API, and exported whole for reports.
//! Filtered by phase and by a group of the counting rules, so that the list holds exactly
//! what the dashboard counted; the total comes from `union_counts`, never from counting.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Asia::Ho_Chi_Minh;
use serde::{Deserialize, Serialize};

use crate::db::counts::{self, COUNTED};
use crate::db::initiatives::{self as iq, SubtreePlan};
use crate::db::programs::{self as pq, PhaseRow, ProgramRow};
use crate::db::schema::fields;
use crate::db::unions::{self, UnionRow, Which};
use crate::db::{Db, DbConn};
use crate::domain::Stored;
use crate::domain::counting::COUNTING_RULE;
use crate::domain::initiative::HIDDEN_TITLE;
use crate::domain::{Action, Actor, InitiativeStatus, Resource, UnionPath, can};
use crate::error::{AppError, ErrorCode};
use crate::service::export::{self, Cell, Column, Download, ExportFormat, Kind, Table};

/// Items per page unless asked otherwise.
pub const PER_PAGE: i64 = 50;
/// The most rows one export holds (a larger list is narrowed by phase or status first).
pub const MAX_EXPORT_ROWS: i64 = 100_000;

/// A group of statuses by the counting rules, as the dashboard's columns count them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StatusGroup {
    /// Lượt tham gia: every submitted initiative (drafts excluded), whatever became of it.
    Submitted,
    /// Submitted and waiting, in review, or returned for revision.
    UnderReview,
    /// Thông qua.
    Approved,
    /// Không thông qua.
    Rejected,
    /// Marked duplicates.
    Duplicate,
    /// Approvals revoked.
    Revoked,
}

impl StatusGroup {
    /// Every group, in the dashboard's order.
    pub const ALL: [Self; 6] = [
        Self::Submitted,
        Self::UnderReview,
        Self::Approved,
        Self::Rejected,
        Self::Duplicate,
        Self::Revoked,
    ];

    /// The stored statuses in the group.
    pub fn statuses(self) -> &'static [&'static str] {
        match self {
            Self::Submitted => &COUNTED,
            Self::UnderReview => &["submitted", "under_review", "returned"],
            Self::Approved => &["approved"],
            Self::Rejected => &["rejected"],
            Self::Duplicate => &["duplicate"],
            Self::Revoked => &["revoked"],
        }
    }

    /// The query-string value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::UnderReview => "under_review",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Duplicate => "duplicate",
            Self::Revoked => "revoked",
        }
    }

    /// Reads a query-string value.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == s)
    }

    /// The Vietnamese name, as the dashboard's column says it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Submitted => "Lượt tham gia (mọi sáng kiến đã nộp)",
            Self::UnderReview => "Đang xét",
            Self::Approved => "Được thông qua",
            Self::Rejected => "Không thông qua",
            Self::Duplicate => "Trùng lặp",
            Self::Revoked => "Bị thu hồi",
        }
    }

    /// How many the stored counts hold in this group.
    fn count(self, c: &counts::Counts) -> i64 {
        COUNTED
            .iter()
            .zip(c)
            .filter(|(name, _)| self.statuses().contains(name))
            .map(|(_, n)| *n)
            .sum()
    }
}

/// Which initiatives of a union are asked for.
#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
pub struct UnionInitiativesQuery {
    /// The program.
    pub program_id: i64,
    /// One phase of it (default: the whole program).
    pub phase_id: Option<i64>,
    /// A group of the counting rules (default `submitted`: every submitted initiative).
    pub status: Option<StatusGroup>,
    /// Page number, from 1 (ignored by exports).
    pub page: Option<i64>,
    /// Items per page, 1–200 (default 50; ignored by exports).
    pub per_page: Option<i64>,
}

/// An initiative in a union's list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnionInitiativeItem {
    pub id: i64,
    /// Số tiếp nhận.
    pub receipt_no: Option<String>,
    /// The title, or a placeholder when it is confidential to the caller.
    pub title: String,
    pub confidential: bool,
    /// True when the caller may not read this initiative: its title (unless published) and
    /// authors are withheld.
    pub withheld: bool,
    /// Authors' names, submitting author first (empty when withheld).
    pub authors: Vec<String>,
    /// The submitting union.
    pub union_id: i64,
    pub union_name: String,
    pub field_name: Option<String>,
    pub status: InitiativeStatus,
    /// The status in Vietnamese.
    pub status_label: &'static str,
    pub submitted_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// A page of a union's initiatives, with what it is a page of.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnionInitiatives {
    pub union_id: i64,
    pub union_code: String,
    pub union_name: String,
    pub program_id: i64,
    pub program_name: String,
    pub phase_id: Option<i64>,
    pub phase_name: Option<String>,
    /// The group listed.
    pub status: StatusGroup,
    /// How the numbers are counted, in Vietnamese.
    pub counting_rule: &'static str,
    /// This page's initiatives, newest submitted first.
    pub items: Vec<UnionInitiativeItem>,
    /// How many match in all.
    pub total: i64,
    /// This page's number, from 1.
    pub page: i64,
    pub per_page: i64,
    /// How many pages there are (at least 1).
    pub pages: i64,
}

/// A bad query-string parameter: `invalid_query` naming it.
fn bad_parameter(name: &str, message: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::InvalidQuery)
        .with_message(message)
        .with_details(serde_json::json!({ "parameter": name }))
}

/// What a list is of, once checked: the union (visible to the caller), the program and phase.
pub(crate) struct Scope {
    pub union: UnionRow,
    pub program: ProgramRow,
    pub phase: Option<PhaseRow>,
}

/// Checks that the caller may see the union's attainment (else 404, as the dashboard), that
/// the program exists and the phase is one of its own (else 400, as the dashboard).
pub(crate) fn scope_in(
    conn: &mut DbConn,
    actor: &Actor,
    union_id: i64,
    program_id: i64,
    phase_id: Option<i64>,
) -> Result<Scope, AppError> {
    let union = unions::find(conn, union_id)?.ok_or_else(AppError::not_found)?;
    let path = UnionPath::from_stored(union.path.clone());
    if !can(
        actor,
        Action::ViewAttainment,
        Resource::Union { path: &path },
    ) {
        return Err(AppError::not_found());
    }
    let program = pq::find(conn, program_id)?
        .ok_or_else(|| AppError::field("program_id", "Không tìm thấy chương trình."))?;
    let phase = match phase_id {
        Some(id) => Some(
            pq::phases(conn, program.id)?
                .into_iter()
                .find(|p| p.id == id)
                .ok_or_else(|| AppError::field("phase_id", "Không tìm thấy đợt này."))?,
        ),
        None => None,
    };
    Ok(Scope {
        union,
        program,
        phase,
    })
}

/// How many initiatives of the group the union's subtree and the whole program hold.
fn totals(conn: &mut DbConn, scope: &Scope, group: StatusGroup) -> Result<(i64, i64), AppError> {
    let root = UnionPath::from_stored(scope.union.path.clone())
        .ids()
        .first()
        .copied()
        .unwrap_or(scope.union.id);
    let phase_id = scope.phase.as_ref().map(|p| p.id);
    let counts = counts::of_unions(
        conn,
        scope.program.id,
        phase_id,
        Which::These(&[root, scope.union.id]),
    )?;
    let of = |id: i64| counts.get(&id).map_or(0, |c| group.count(c));
    Ok((of(scope.union.id), of(root).max(of(scope.union.id))))
}

/// Reads the rows of `ids` and makes them items, withholding what the caller may not read.
fn items_in(
    conn: &mut DbConn,
    actor: &Actor,
    ids: &[i64],
) -> Result<Vec<UnionInitiativeItem>, AppError> {
    let rows = iq::listed(conn, ids)?;
    let mut authors = iq::author_names(conn, ids)?;
    let mut union_ids: Vec<i64> = rows.iter().map(|r| r.union_id).collect();
    union_ids.sort_unstable();
    union_ids.dedup();
    let mut union_names: HashMap<i64, String> = HashMap::new();
    for chunk in union_ids.chunks(500) {
        union_names.extend(
            unions::find_many(conn, chunk)?
                .into_iter()
                .map(|u| (u.id, u.name)),
        );
    }
    let mut field_ids: Vec<i64> = rows.iter().filter_map(|r| r.field_id).collect();
    field_ids.sort_unstable();
    field_ids.dedup();
    let field_names: HashMap<i64, String> = {
        use diesel::prelude::*;
        let mut out = HashMap::new();
        for chunk in field_ids.chunks(500) {
            let found: Vec<(i64, String)> = fields::table
                .filter(fields::id.eq_any(chunk))
                .select((fields::id, fields::name))
                .load(conn)?;
            out.extend(found);
        }
        out
    };
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let status = InitiativeStatus::from_stored(&r.status)?;
        let people = authors.remove(&r.id).unwrap_or_default();
        let author_ids: Vec<i64> = people.iter().map(|(id, _)| *id).collect();
        let path = UnionPath::from_stored(r.union_path.clone());
        let visible = can(
            actor,
            Action::ViewInitiative,
            Resource::Initiative {
                program_id: r.program_id,
                union_path: &path,
                authors: &author_ids,
                status,
                confidential: r.confidential,
            },
        );
        // A published initiative's title is public even when its content is confidential.
        let title = if visible || status == InitiativeStatus::Approved {
            r.title
        } else {
            HIDDEN_TITLE.to_owned()
        };
        out.push(UnionInitiativeItem {
            id: r.id,
            receipt_no: r.receipt_no,
            title,
            confidential: r.confidential,
            withheld: !visible,
            authors: if visible {
                people.into_iter().map(|(_, name)| name).collect()
            } else {
                Vec::new()
            },
            union_id: r.union_id,
            union_name: union_names.get(&r.union_id).cloned().unwrap_or_default(),
            field_name: r.field_id.and_then(|f| field_names.get(&f).cloned()),
            status,
            status_label: status.label(),
            submitted_at: r.submitted_at.map(|t| t.and_utc()),
            decided_at: r.decided_at.map(|t| t.and_utc()),
        });
    }
    Ok(out)
}

/// A page of the initiatives of a union's subtree in a program, newest submitted first: for
/// the union's officers and the program administrators over it (others: not found).
#[tracing::instrument(skip(db, actor, query), fields(user = actor.user_id))]
pub async fn list(
    db: &Db,
    actor: &Actor,
    union_id: i64,
    query: UnionInitiativesQuery,
) -> Result<UnionInitiatives, AppError> {
    let actor = actor.clone();
    db.read(move |conn| {
        let per_page = query.per_page.unwrap_or(PER_PAGE);
        if !(1..=200).contains(&per_page) {
            return Err(bad_parameter(
                "per_page",
                "Số mục mỗi trang phải từ 1 đến 200.",
            ));
        }
        let scope = scope_in(conn, &actor, union_id, query.program_id, query.phase_id)?;
        let group = query.status.unwrap_or(StatusGroup::Submitted);
        let (total, in_program) = totals(conn, &scope, group)?;
        let pages = ((total + per_page - 1) / per_page).max(1);
        let page = query.page.unwrap_or(1);
        if !(1..=pages).contains(&page) {
            return Err(bad_parameter(
                "page",
                format!("Trang {page} không tồn tại: danh sách có {pages} trang."),
            )
            .with_details(serde_json::json!({ "parameter": "page", "pages": pages })));
        }
        let offset = (page - 1) * per_page;
        let plan = SubtreePlan::choose(total, in_program, offset + per_page);
        let ids = iq::subtree_page(
            conn,
            scope.program.id,
            &scope.union.path,
            group.statuses(),
            scope.phase.as_ref().map(|p| p.id),
            plan,
            per_page,
            offset,
        )?;
        let items = items_in(conn, &actor, &ids)?;
        Ok(UnionInitiatives {
            union_id: scope.union.id,
            union_code: scope.union.code,
            union_name: scope.union.name,
            program_id: scope.program.id,
            program_name: scope.program.name,
            phase_id: scope.phase.as_ref().map(|p| p.id),
            phase_name: scope.phase.map(|p| p.name),
            status: group,
            counting_rule: COUNTING_RULE,
            items,
            total,
            page,
            per_page,
            pages,
        })
    })
    .await
}

/// Programs to choose from (not drafts), the most recent first.
pub async fn program_choices(db: &Db) -> Result<Vec<(i64, String)>, AppError> {
    db.read(|conn| {
        let mut out: Vec<(i64, String)> = pq::list(conn)?
            .into_iter()
            .filter(|p| {
                crate::domain::ProgramStatus::parse(&p.status)
                    .is_some_and(|s| s != crate::domain::ProgramStatus::Draft)
            })
            .map(|p| (p.id, p.name))
            .collect();
        out.sort_by_key(|(id, _)| std::cmp::Reverse(*id));
        Ok(out)
    })
    .await
}

/// The phases of a program, in order.
pub async fn phase_choices(db: &Db, program_id: i64) -> Result<Vec<(i64, String)>, AppError> {
    db.read(move |conn| {
        let mut phases = pq::phases(conn, program_id)?;
        phases.sort_by_key(|p| (p.position, p.id));
        Ok(phases.into_iter().map(|p| (p.id, p.name)).collect())
    })
    .await
}

/// The moment in Vietnam time, as a title line says it: "23/11/2026 18:40".
pub fn vietnam_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&Ho_Chi_Minh)
        .format("%d/%m/%Y %H:%M")
        .to_string()
}

/// A percentage the Vietnamese way: 130.5 → "130,5%".
pub fn percent_text(p: f64) -> String {
    let rounded = (p * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}%")
    } else {
        format!("{rounded:.1}%").replace('.', ",")
    }
}

/// The period a table covers, as a title line says it.
pub(crate) fn period_line(phase: Option<&PhaseRow>) -> String {
    match phase {
        Some(p) => format!(
            "Thời gian: {} ({} – {})",
            p.name,
            p.opens_at
                .and_utc()
                .with_timezone(&Ho_Chi_Minh)
                .format("%d/%m/%Y"),
            p.closes_at
                .and_utc()
                .with_timezone(&Ho_Chi_Minh)
                .format("%d/%m/%Y")
        ),
        None => "Thời gian: toàn bộ chương trình".to_owned(),
    }
}

/// Every initiative of the list (not only a page) as a table: for XLSX and CSV exports.
#[tracing::instrument(skip(db, actor, query), fields(user = actor.user_id))]
pub async fn export(
    db: &Db,
    actor: &Actor,
    union_id: i64,
    query: UnionInitiativesQuery,
    format: ExportFormat,
) -> Result<Download, AppError> {
    let actor = actor.clone();
    let actor_id = actor.user_id;
    let rows_format = format;
    let (table, base_name) = db
        .read(move |conn| {
            let scope = scope_in(conn, &actor, union_id, query.program_id, query.phase_id)?;
            let group = query.status.unwrap_or(StatusGroup::Submitted);
            let (total, in_program) = totals(conn, &scope, group)?;
            if total > MAX_EXPORT_ROWS {
                return Err(bad_parameter(
                    "status",
                    format!(
                        "Danh sách có {total} sáng kiến, vượt quá {MAX_EXPORT_ROWS} dòng của một \
                         tệp xuất. Hãy chọn một đợt, một trạng thái hoặc một đơn vị cấp dưới."
                    ),
                )
                .with_details(serde_json::json!({
                    "parameter": "status", "total": total, "limit": MAX_EXPORT_ROWS
                })));
            }
            // A little more than counted, in case an initiative moved in between.
            let limit = (total + 1_000).min(MAX_EXPORT_ROWS);
            let plan = SubtreePlan::choose(total, in_program, limit);
            let ids = iq::subtree_page(
                conn,
                scope.program.id,
                &scope.union.path,
                group.statuses(),
                scope.phase.as_ref().map(|p| p.id),
                plan,
                limit,
                0,
            )?;
            let items = items_in(conn, &actor, &ids)?;
            let table = initiatives_table(&scope, group, &items, Utc::now());
            let base_name = format!(
                "Sáng kiến - {}{} - {}",
                scope.union.name,
                scope
                    .phase
                    .as_ref()
                    .map(|p| format!(" - {}", p.name))
                    .unwrap_or_default(),
                Utc::now().with_timezone(&Ho_Chi_Minh).format("%Y-%m-%d")
            );
            Ok((table, base_name))
        })
        .await?;
    // The list names authors: who exported it is recorded.
    let rows = table.rows.len();
    db.write(move |conn| {
        let comment = format!("{rows} sáng kiến ({rows_format:?})");
        crate::db::audit::record(
            conn,
            &crate::db::audit::NewAudit {
                actor_id: Some(actor_id),
                entity_type: "union",
                entity_id: union_id,
                action: "exported",
                from_state: None,
                to_state: None,
                comment: Some(&comment),
                created_at: crate::db::now(),
            },
        )?;
        Ok(())
    })
    .await?;
    // Writing the file is CPU work: off the async workers.
    tokio::task::spawn_blocking(move || export::render(&table, format, &base_name))
        .await
        .map_err(|e| AppError::failed("export task failed", e))?
}

fn vietnam_date(t: Option<DateTime<Utc>>) -> Cell {
    t.map_or(Cell::Empty, |t| {
        Cell::Date(t.with_timezone(&Ho_Chi_Minh).date_naive())
    })
}

fn initiatives_table(
    scope: &Scope,
    group: StatusGroup,
    items: &[UnionInitiativeItem],
    now: DateTime<Utc>,
) -> Table {
    let columns = vec![
        Column::new("STT", Kind::Integer),
        Column::new("Số tiếp nhận", Kind::Text),
        Column::new("Tên sáng kiến", Kind::Text),
        Column::new("Tác giả", Kind::Text),
        Column::new("Đơn vị nộp", Kind::Text),
        Column::new("Lĩnh vực", Kind::Text),
        Column::new("Trạng thái", Kind::Text),
        Column::new("Ngày nộp", Kind::Date),
        Column::new("Ngày quyết định", Kind::Date),
    ];
    let rows = items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            vec![
                Cell::Integer(i64::try_from(i + 1).unwrap_or(i64::MAX)),
                it.receipt_no.clone().into(),
                Cell::Text(it.title.clone()),
                Cell::Text(if it.withheld {
                    "(bảo mật)".to_owned()
                } else {
                    it.authors.join(", ")
                }),
                Cell::Text(it.union_name.clone()),
                it.field_name.clone().into(),
                Cell::Text(it.status_label.to_owned()),
                vietnam_date(it.submitted_at),
                vietnam_date(it.decided_at),
            ]
        })
        .collect();
    Table {
        sheet_name: "Danh sách sáng kiến".to_owned(),
        title_lines: vec![
            format!("DANH SÁCH SÁNG KIẾN – {}", scope.union.name.to_uppercase()),
            format!("Chương trình: {}", scope.program.name),
            format!(
                "{}. Trạng thái: {}. Số sáng kiến: {}",
                period_line(scope.phase.as_ref()),
                group.label(),
                items.len()
            ),
            format!("Số liệu tính đến {} (giờ Việt Nam)", vietnam_time(now)),
            format!("Quy tắc đếm: {COUNTING_RULE}"),
        ],
        columns,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_follow_the_counting_rules() {
        // submitted, under_review, returned, approved, rejected, duplicate, revoked
        let c: counts::Counts = [2, 3, 1, 10, 4, 5, 1];
        let view: crate::service::shared::quota::CountsView = c.into();
        assert_eq!(StatusGroup::Submitted.count(&c), view.submitted);
        assert_eq!(StatusGroup::UnderReview.count(&c), view.under_review);
        assert_eq!(StatusGroup::Approved.count(&c), view.approved);
        assert_eq!(StatusGroup::Rejected.count(&c), view.rejected);
        assert_eq!(StatusGroup::Duplicate.count(&c), view.duplicates);
        assert_eq!(StatusGroup::Revoked.count(&c), view.revoked);
        for g in StatusGroup::ALL {
            assert_eq!(StatusGroup::parse(g.as_str()), Some(g));
        }
    }

    #[test]
    fn small_subtrees_are_read_by_path_large_ones_by_time() {
        assert_eq!(SubtreePlan::choose(100, 2_000_000, 50), SubtreePlan::ByPath);
        assert_eq!(
            SubtreePlan::choose(9_000, 2_000_000, 50),
            SubtreePlan::ByPath
        );
        assert_eq!(
            SubtreePlan::choose(30_000, 2_000_000, 50),
            SubtreePlan::ByTime
        );
        assert_eq!(
            SubtreePlan::choose(2_000_000, 2_000_000, 50),
            SubtreePlan::ByTime
        );
        assert_eq!(SubtreePlan::choose(0, 0, 50), SubtreePlan::ByPath);
    }
}
