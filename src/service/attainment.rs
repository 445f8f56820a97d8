//! Attainment of a union in a program: the counts of its subtree by the counting rules, its
//! quota (chỉ tiêu) and how far it has got, with the same for each of its children. Read from
//! `union_counts` (kept on every status change), never by counting initiatives.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::db::counts::{self, Counts};
use crate::db::programs::{self as pq, PhaseRow, ProgramRow};
use crate::db::unions::{self, UnionRow};
use crate::db::{self, Db, DbConn};
use crate::domain::{Action, Actor, QuotaKind, Resource, UnionPath, can};
use crate::error::AppError;

/// The counting rules, shown on every dashboard.
pub const COUNTING_RULE: &str = "Lượt tham gia: mọi sáng kiến đã nộp (trừ bản nháp). Đang xét: \
đã nộp, đang xét duyệt hoặc trả lại để chỉnh sửa. Chỉ sáng kiến được thông qua mới tính vào chỉ \
tiêu, một lần cho đơn vị nộp và mọi đơn vị cấp trên; sáng kiến trùng lặp và bị thu hồi không \
được tính.";

/// The counts of a subtree by the counting rules.
#[derive(Debug, Clone, Copy, Default, Serialize, utoipa::ToSchema)]
pub struct CountsView {
    /// Lượt tham gia: every initiative submitted (drafts excluded), whatever became of it.
    pub submitted: i64,
    /// Waiting for or in review, or returned to the author for revision.
    pub under_review: i64,
    /// Thông qua: the only ones that count toward the quota.
    pub approved: i64,
    pub rejected: i64,
    /// Marked duplicates of earlier ones: never counted.
    pub duplicates: i64,
    /// Approvals revoked: no longer counted.
    pub revoked: i64,
}

impl From<Counts> for CountsView {
    fn from(c: Counts) -> Self {
        // The order of `counts::COUNTED`.
        let [
            submitted,
            under_review,
            returned,
            approved,
            rejected,
            duplicate,
            revoked,
        ] = c;
        Self {
            submitted: c.iter().sum(),
            under_review: submitted + under_review + returned,
            approved,
            rejected,
            duplicates: duplicate,
            revoked,
        }
    }
}

/// One union's line: its counts, quota and attainment.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AttainmentLine {
    pub union_id: i64,
    pub code: String,
    pub name: String,
    pub level: i32,
    pub cluster: Option<String>,
    pub counts: CountsView,
    /// The quota resolved to a number of approved initiatives, if one is set.
    pub quota: Option<i64>,
    /// Approved ÷ quota, in percent (e.g. 130.0).
    pub attainment: Option<f64>,
}

/// A union's dashboard for a program (and optionally one phase).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DashboardView {
    pub program_id: i64,
    pub program_name: String,
    pub phase_id: Option<i64>,
    pub phase_name: Option<String>,
    /// How the numbers are counted, in Vietnamese.
    pub counting_rule: &'static str,
    /// Share of the period's time elapsed, in percent.
    pub elapsed: Option<f64>,
    /// Attainment ÷ time elapsed, in percent: above 100 is ahead of pace.
    pub pace: Option<f64>,
    pub union: AttainmentLine,
    /// The union's direct children, sorted as asked.
    pub children: Vec<AttainmentLine>,
}

/// How to sort the children.
#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    /// By name (the default).
    #[default]
    Name,
    Submitted,
    Approved,
    Attainment,
}

/// What a dashboard is asked for.
#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
pub struct DashboardQuery {
    /// The program.
    pub program_id: i64,
    /// One phase of it (default: the whole program).
    pub phase_id: Option<i64>,
    /// Sort the children by `name`, `submitted`, `approved` or `attainment` (numbers: largest
    /// first).
    pub sort: Option<SortKey>,
}

/// The dashboard of a union, for its officers and the program administrators over it.
pub async fn dashboard(
    db: &Db,
    actor: &Actor,
    union_id: i64,
    query: DashboardQuery,
) -> Result<DashboardView, AppError> {
    let actor = actor.clone();
    db.read(move |conn| dashboard_in(conn, &actor, union_id, &query))
        .await
}

fn dashboard_in(
    conn: &mut DbConn,
    actor: &Actor,
    union_id: i64,
    query: &DashboardQuery,
) -> Result<DashboardView, AppError> {
    let union = unions::find(conn, union_id)?.ok_or_else(AppError::not_found)?;
    let path = UnionPath::from_stored(union.path.clone());
    if !can(
        actor,
        Action::ViewAttainment,
        Resource::Union { path: &path },
    ) {
        return Err(AppError::not_found());
    }
    let program: ProgramRow = pq::find(conn, query.program_id)?
        .ok_or_else(|| AppError::field("program_id", "Không tìm thấy chương trình."))?;
    let phases = pq::phases(conn, program.id)?;
    let phase = match query.phase_id {
        Some(id) => Some(
            phases
                .iter()
                .find(|p| p.id == id)
                .cloned()
                .ok_or_else(|| AppError::field("phase_id", "Không tìm thấy đợt này."))?,
        ),
        None => None,
    };
    let children: Vec<UnionRow> = unions::children(conn, union_id)?
        .into_iter()
        .filter(|u| u.active)
        .collect();
    let mut ids = vec![union.id];
    ids.extend(children.iter().map(|c| c.id));
    let counts = counts::of_unions(conn, program.id, query.phase_id, &ids)?;
    let quotas = quotas_for(conn, &program, query.phase_id, &ids)?;
    let line = |conn: &mut DbConn, u: &UnionRow| -> Result<AttainmentLine, AppError> {
        let c: CountsView = counts.get(&u.id).copied().unwrap_or([0; 7]).into();
        let quota = match quotas.get(&u.id) {
            Some((QuotaKind::PercentOfMembers, value)) => Some(
                QuotaKind::PercentOfMembers.target(*value, unions::subtree_members(conn, &u.path)?),
            ),
            Some((kind, value)) => Some(kind.target(*value, 0)),
            None => None,
        };
        Ok(AttainmentLine {
            union_id: u.id,
            code: u.code.clone(),
            name: u.name.clone(),
            level: u.level,
            cluster: u.cluster.clone(),
            attainment: quota.filter(|q| *q > 0).map(|q| percent(c.approved, q)),
            counts: c,
            quota,
        })
    };
    let own = line(conn, &union)?;
    let mut lines = Vec::with_capacity(children.len());
    for child in &children {
        lines.push(line(conn, child)?);
    }
    sort(&mut lines, query.sort.unwrap_or_default());
    let elapsed = elapsed_share(&phases, phase.as_ref(), db::now());
    let pace = match (own.attainment, elapsed) {
        (Some(a), Some(e)) if e > 0.0 => Some(a / e * 100.0),
        _ => None,
    };
    Ok(DashboardView {
        program_id: program.id,
        program_name: program.name,
        phase_id: phase.as_ref().map(|p| p.id),
        phase_name: phase.map(|p| p.name),
        counting_rule: COUNTING_RULE,
        elapsed,
        pace,
        union: own,
        children: lines,
    })
}

/// Each union's quota: the phase's own when asked for a phase and one is set, else the
/// program-wide one; the program's target stands in for the owner's quota.
fn quotas_for(
    conn: &mut DbConn,
    program: &ProgramRow,
    phase_id: Option<i64>,
    ids: &[i64],
) -> Result<BTreeMap<i64, (QuotaKind, i64)>, AppError> {
    let mut out = BTreeMap::new();
    let mut rows = pq::quotas_of(conn, program.id, ids)?;
    // Program-wide first, so that a phase's own quota replaces it.
    rows.sort_by_key(|r| r.1.is_some());
    for (union_id, phase, kind, value) in rows {
        let Some(kind) = QuotaKind::parse(&kind) else {
            continue;
        };
        match (phase, phase_id) {
            (None, _) => {
                out.insert(union_id, (kind, value));
            }
            (Some(p), Some(asked)) if p == asked => {
                out.insert(union_id, (kind, value));
            }
            _ => {}
        }
    }
    if phase_id.is_none()
        && let Some(target) = program.target_count
    {
        out.entry(program.owner_union_id)
            .or_insert((QuotaKind::Absolute, target));
    }
    Ok(out)
}

fn percent(part: i64, whole: i64) -> f64 {
    // Counts stay far below 2^52: exact as f64.
    #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
    let (p, w) = (part as f64, whole as f64);
    (p / w * 1000.0).round() / 10.0
}

/// Share of the period elapsed at `now`, in percent: the phase's, or from the first phase's
/// opening to the last one's close.
fn elapsed_share(phases: &[PhaseRow], phase: Option<&PhaseRow>, now: NaiveDateTime) -> Option<f64> {
    let (from, to) = match phase {
        Some(p) => (p.opens_at, p.closes_at),
        None => (
            phases.iter().map(|p| p.opens_at).min()?,
            phases.iter().map(|p| p.closes_at).max()?,
        ),
    };
    let whole = (to - from).num_seconds();
    if whole <= 0 {
        return None;
    }
    let done = (now - from).num_seconds().clamp(0, whole);
    Some(percent(done, whole))
}

fn sort(lines: &mut [AttainmentLine], key: SortKey) {
    match key {
        SortKey::Name => lines.sort_by(|a, b| a.name.cmp(&b.name)),
        SortKey::Submitted => lines.sort_by_key(|l| std::cmp::Reverse(l.counts.submitted)),
        SortKey::Approved => lines.sort_by_key(|l| std::cmp::Reverse(l.counts.approved)),
        SortKey::Attainment => lines.sort_by(|a, b| {
            b.attainment
                .unwrap_or(-1.0)
                .total_cmp(&a.attainment.unwrap_or(-1.0))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counting_rules_group_the_statuses() {
        // submitted, under_review, returned, approved, rejected, duplicate, revoked
        let c: CountsView = [2, 3, 1, 10, 4, 5, 1].into();
        assert_eq!(c.submitted, 26);
        assert_eq!(c.under_review, 6);
        assert_eq!(c.approved, 10);
        assert_eq!(c.duplicates, 5);
        assert_eq!(c.revoked, 1);
    }

    #[test]
    fn attainment_is_a_percentage_to_one_decimal() {
        assert!((percent(13, 10) - 130.0).abs() < f64::EPSILON);
        assert!((percent(1, 3) - 33.3).abs() < 1e-9);
    }
}
