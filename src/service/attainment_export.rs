//! The dashboard's table as a file for the quarterly report: the union's own line, then one
//! line per child, with the counts by the counting rules, the quota and the attainment.
//!
//! Calls `attainment` and `union_initiatives` one way (the same figures, as a file).

use chrono::{DateTime, Utc};
use chrono_tz::Asia::Ho_Chi_Minh;

use crate::db::Db;
use crate::domain::{Actor, UnionKind};
use crate::error::AppError;
use crate::service::attainment::{self, AttainmentLine, DashboardQuery, DashboardView};
use crate::service::export::{self, Cell, Column, Download, ExportFormat, Kind, Table};
use crate::service::union_initiatives::vietnam_time;

/// The dashboard of a union (same rules and permission as [`attainment::dashboard`]) as an
/// XLSX or CSV file.
#[tracing::instrument(skip(db, actor, query), fields(user = actor.user_id))]
pub async fn export(
    db: &Db,
    actor: &Actor,
    union_id: i64,
    query: DashboardQuery,
    format: ExportFormat,
) -> Result<Download, AppError> {
    let phase_id = query.phase_id;
    let view = attainment::dashboard(db, actor, union_id, query).await?;
    let phase = match phase_id {
        Some(id) => {
            db.read(move |conn| Ok(crate::db::programs::find_phase(conn, id)?))
                .await?
        }
        None => None,
    };
    let period = crate::service::union_initiatives::period_line(phase.as_ref());
    let now = Utc::now();
    let table = dashboard_table(&view, &period, now);
    let base_name = format!(
        "Thành tích - {}{} - {}",
        view.union.name,
        view.phase_name
            .as_ref()
            .map(|p| format!(" - {p}"))
            .unwrap_or_default(),
        now.with_timezone(&Ho_Chi_Minh).format("%Y-%m-%d")
    );
    tokio::task::spawn_blocking(move || export::render(&table, format, &base_name))
        .await
        .map_err(|e| AppError::failed("export task failed", e))?
}

fn level_name(level: i32) -> String {
    UnionKind::from_i32(level).map_or_else(|| level.to_string(), |l| l.label().to_owned())
}

fn line_cells(line: &AttainmentLine) -> Vec<Cell> {
    vec![
        Cell::Text(line.code.clone()),
        Cell::Text(line.name.clone()),
        Cell::Text(level_name(line.level)),
        line.cluster.clone().into(),
        line.quota.into(),
        Cell::Integer(line.counts.submitted),
        Cell::Integer(line.counts.under_review),
        Cell::Integer(line.counts.approved),
        Cell::Integer(line.counts.rejected),
        Cell::Integer(line.counts.duplicates),
        Cell::Integer(line.counts.revoked),
        line.attainment.map_or(Cell::Empty, Cell::Percent),
    ]
}

/// The dashboard as a table: title lines naming union, program, period and the counting
/// rule; the union's own line first, then its children in the dashboard's order.
pub fn dashboard_table(view: &DashboardView, period: &str, now: DateTime<Utc>) -> Table {
    let columns = vec![
        Column::new("Mã đơn vị", Kind::Text),
        Column::new("Tên đơn vị", Kind::Text),
        Column::new("Cấp", Kind::Text),
        Column::new("Cụm thi đua", Kind::Text),
        Column::new("Chỉ tiêu", Kind::Integer),
        Column::new("Lượt tham gia", Kind::Integer),
        Column::new("Đang xét", Kind::Integer),
        Column::new("Được thông qua", Kind::Integer),
        Column::new("Không thông qua", Kind::Integer),
        Column::new("Trùng lặp", Kind::Integer),
        Column::new("Bị thu hồi", Kind::Integer),
        Column::new("Tỷ lệ đạt (%)", Kind::Percent),
    ];
    let mut rows = Vec::with_capacity(view.children.len() + 1);
    rows.push(line_cells(&view.union));
    rows.extend(view.children.iter().map(line_cells));
    let mut progress = period.to_owned();
    if let Some(e) = view.elapsed {
        progress.push_str(&format!(
            ". Thời gian đã qua: {}",
            crate::service::union_initiatives::percent_text(e)
        ));
    }
    if let Some(p) = view.pace {
        progress.push_str(&format!(
            ". Tiến độ so với thời gian: {}",
            crate::service::union_initiatives::percent_text(p)
        ));
    }
    Table {
        sheet_name: "Thành tích".to_owned(),
        title_lines: vec![
            format!(
                "KẾT QUẢ THỰC HIỆN CHỈ TIÊU SÁNG KIẾN – {}",
                view.union.name.to_uppercase()
            ),
            format!("Chương trình: {}", view.program_name),
            progress,
            format!("Số liệu tính đến {} (giờ Việt Nam)", vietnam_time(now)),
            format!("Quy tắc đếm: {}", view.counting_rule),
        ],
        columns,
        rows,
    }
}

/// A quarter's leaderboard (same rules and permission as [`attainment::leaderboard`]) as an
/// XLSX or CSV file: one line per union, cluster by cluster.
#[tracing::instrument(skip(db, actor, query), fields(user = actor.user_id))]
pub async fn leaderboard_export(
    db: &Db,
    actor: &Actor,
    union_id: i64,
    query: attainment::LeaderboardQuery,
    format: ExportFormat,
) -> Result<Download, AppError> {
    let view = attainment::leaderboard(db, actor, union_id, query).await?;
    let now = Utc::now();
    let table = leaderboard_table(&view, now);
    let base_name = format!("Xếp hạng {} - {}", view.quarter, view.union_name);
    tokio::task::spawn_blocking(move || export::render(&table, format, &base_name))
        .await
        .map_err(|e| AppError::failed("export task failed", e))?
}

/// The leaderboard as a table: title lines naming the union, program, quarter and the rule.
pub fn leaderboard_table(view: &attainment::LeaderboardView, now: DateTime<Utc>) -> Table {
    let mut rows = Vec::new();
    for c in &view.clusters {
        for l in &c.lines {
            rows.push(vec![
                Cell::Text(c.name.clone()),
                Cell::Integer(i64::try_from(l.rank).unwrap_or(0)),
                Cell::Text(l.code.clone()),
                Cell::Text(l.name.clone()),
                Cell::Integer(l.approved),
                l.target.into(),
                l.attainment.map_or(Cell::Empty, Cell::Percent),
                Cell::Text(if l.leads { "Dẫn đầu cụm" } else { "" }.to_owned()),
            ]);
        }
    }
    Table {
        sheet_name: "Xếp hạng".to_owned(),
        title_lines: vec![
            format!(
                "Xếp hạng thi đua {} — các đơn vị trực thuộc {}",
                view.quarter_label, view.union_name
            ),
            format!("Chương trình: {}", view.program_name),
            format!("Số liệu tại: {}", vietnam_time(now)),
            format!("Cách xếp hạng: {}", view.rule),
        ],
        columns: vec![
            Column::new("Cụm thi đua", Kind::Text),
            Column::new("Hạng", Kind::Integer),
            Column::new("Mã đơn vị", Kind::Text),
            Column::new("Đơn vị", Kind::Text),
            Column::new("Thông qua trong quý", Kind::Integer),
            Column::new("Chỉ tiêu quý", Kind::Integer),
            Column::new("Đạt", Kind::Percent),
            Column::new("Ghi chú", Kind::Text),
        ],
        rows,
    }
}
