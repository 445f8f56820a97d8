//! Attainment of a union in a program: the counts of its subtree by the counting rules, its
//! quota (chỉ tiêu) and how far it has got, with the same for each of its children. Read from
//! `union_counts` (kept on every status change), never by counting initiatives.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::db::counts::{self};
use crate::db::programs::{self as pq, PhaseRow, ProgramRow};
use crate::db::unions::{self, UnionRow, Which};
use crate::db::{self, Db, DbConn};
use crate::domain::counting::{COUNTING_RULE, CURRENT_STRUCTURE_RULE, LEADERBOARD_RULE, percent};
use crate::domain::{Action, Actor, ProgramStatus, Resource, UnionPath, can};
use crate::error::AppError;
use crate::service::shared::quota::{CountsView, quotas_as_of, quotas_for};

mod as_of;

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
    /// Which reading this is and how it places figures in the tree, in Vietnamese: the
    /// current structure, or the tree and figures as of a past day.
    pub reading_rule: String,
    /// The day read, for a reading as of a past day (`None`: the current structure).
    pub as_of: Option<NaiveDate>,
    /// Share of the period's time elapsed, in percent.
    pub elapsed: Option<f64>,
    /// Attainment ÷ time elapsed, in percent: above 100 is ahead of pace.
    pub pace: Option<f64>,
    pub union: AttainmentLine,
    /// The union's direct children, sorted as asked.
    pub children: Vec<AttainmentLine>,
    /// The union's ancestors, root first, for going back up.
    pub trail: Vec<TrailStep>,
    /// The union's rank among its siblings and within its emulation cluster.
    pub rankings: Vec<Ranking>,
    /// Submitted and approved per field, largest approved first.
    pub fields: Vec<FieldLine>,
    /// Cumulative submitted and approved at the end of each day with activity.
    pub timeline: Vec<TimelinePoint>,
    /// The period drawn: the phase's, or from the first phase's opening to the last one's
    /// close (Vietnam dates).
    pub period: Option<(NaiveDate, NaiveDate)>,
}

/// An ancestor on the way back up.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TrailStep {
    pub union_id: i64,
    pub name: String,
    /// Whether the caller may open its dashboard.
    pub open: bool,
}

/// A union's place among others.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Ranking {
    /// `siblings` (the parent's direct children) or `cluster`.
    pub scope: &'static str,
    /// 1 for the first.
    pub rank: usize,
    pub of: usize,
    /// In Vietnamese: "Xếp thứ 4/7 trong Cụm 7 tỉnh Miền núi Biên giới phía Bắc".
    pub text: String,
}

/// One field's share.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldLine {
    pub field_id: Option<i64>,
    pub name: String,
    pub submitted: i64,
    pub approved: i64,
}

/// Cumulative counts at the end of a day.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub struct TimelinePoint {
    pub day: NaiveDate,
    pub submitted: i64,
    pub approved: i64,
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
    /// Read the tree, names and figures as they were at the end of this day (Vietnam time),
    /// instead of the current structure.
    pub as_of: Option<NaiveDate>,
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

/// A program that applies to a union (its owner is the union or above it), for choosing a
/// dashboard.
#[derive(Debug, Clone)]
pub struct ProgramOver {
    pub id: i64,
    pub name: String,
    /// (id, name) of each phase.
    pub phases: Vec<(i64, String)>,
}

/// The programs that apply to a union the actor may see, the one taking submissions now
/// first, then the newest.
pub async fn programs_over(
    db: &Db,
    actor: &Actor,
    union_id: i64,
) -> Result<Vec<ProgramOver>, AppError> {
    let actor = actor.clone();
    db.read(move |conn| programs_over_in(conn, &actor, union_id))
        .await
}

fn programs_over_in(
    conn: &mut DbConn,
    actor: &Actor,
    union_id: i64,
) -> Result<Vec<ProgramOver>, AppError> {
    let (_, programs) = programs_of(conn, actor, union_id)?;
    Ok(programs.into_iter().map(|(over, _, _)| over).collect())
}

/// The union (if the actor may see it) and the programs over it with their rows and phases,
/// in the order of [`programs_over`].
#[expect(clippy::type_complexity, reason = "a private step")]
fn programs_of(
    conn: &mut DbConn,
    actor: &Actor,
    union_id: i64,
) -> Result<(UnionRow, Vec<(ProgramOver, ProgramRow, Vec<PhaseRow>)>), AppError> {
    let union = unions::find(conn, union_id)?.ok_or_else(AppError::not_found)?;
    let path = UnionPath::from_stored(union.path.clone());
    if !can(actor, Action::ViewUnion, Resource::Union { path: &path }) {
        return Err(AppError::forbidden());
    }
    let now = db::now();
    let mut out = Vec::new();
    for row in pq::list(conn)? {
        let owner = crate::service::shared::program::owner_path(conn, &row)?;
        let status = crate::service::shared::program::status_of(&row)?;
        if !owner.covers(&path)
            || !can(
                actor,
                Action::ViewProgram,
                Resource::Program {
                    owner_path: &owner,
                    status,
                },
            )
        {
            continue;
        }
        let phases = pq::phases(conn, row.id)?;
        let open_now = status == ProgramStatus::Open
            && phases
                .iter()
                .any(|p| p.opens_at <= now && now < p.closes_at);
        let over = ProgramOver {
            id: row.id,
            name: row.name.clone(),
            phases: phases.iter().map(|p| (p.id, p.name.clone())).collect(),
        };
        out.push((open_now, (over, row, phases)));
    }
    out.sort_by_key(|(open_now, (p, _, _))| std::cmp::Reverse((*open_now, p.id)));
    Ok((union, out.into_iter().map(|(_, p)| p).collect()))
}

/// The programs over a union and the dashboard of one of them (the one asked for, else the
/// first of [`programs_over`]), read together.
pub async fn dashboard_with_programs(
    db: &Db,
    actor: &Actor,
    union_id: i64,
    program_id: Option<i64>,
    phase_id: Option<i64>,
    sort: SortKey,
    as_of: Option<NaiveDate>,
) -> Result<(Vec<ProgramOver>, DashboardView), AppError> {
    let actor = actor.clone();
    db.read(move |conn| {
        let (union, programs) = programs_of(conn, &actor, union_id)?;
        let program_id = match program_id {
            Some(id) => id,
            None => programs.first().map(|(p, _, _)| p.id).ok_or_else(|| {
                AppError::not_found()
                    .with_message("Chưa có chương trình nào áp dụng cho đơn vị này.")
            })?,
        };
        let query = DashboardQuery {
            program_id,
            phase_id,
            sort: Some(sort),
            as_of,
        };
        // The rows just read serve the dashboard; a program not over the union (asked for
        // by its id) is read as the JSON dashboard reads it.
        let d = match programs.iter().find(|(p, _, _)| p.id == program_id) {
            Some((_, program, phases)) => {
                let path = attainment_path(&actor, &union)?;
                dashboard_of(
                    conn,
                    &actor,
                    union,
                    &path,
                    program.clone(),
                    phases.clone(),
                    &query,
                )?
            }
            None => dashboard_in(conn, &actor, union_id, &query)?,
        };
        Ok((programs.into_iter().map(|(p, _, _)| p).collect(), d))
    })
    .await
}

/// The union's path if the actor may read its attainment (a 404 otherwise: the union is not
/// theirs to know of).
fn attainment_path(actor: &Actor, union: &UnionRow) -> Result<UnionPath, AppError> {
    let path = UnionPath::from_stored(union.path.clone());
    if can(
        actor,
        Action::ViewAttainment,
        Resource::Union { path: &path },
    ) {
        Ok(path)
    } else {
        Err(AppError::not_found())
    }
}

/// The union the actor may read the attainment of, its path, the program and its phases.
fn scope(
    conn: &mut DbConn,
    actor: &Actor,
    union_id: i64,
    program_id: i64,
) -> Result<(UnionRow, UnionPath, ProgramRow, Vec<PhaseRow>), AppError> {
    let union = unions::find(conn, union_id)?.ok_or_else(AppError::not_found)?;
    let path = attainment_path(actor, &union)?;
    let program = pq::find(conn, program_id)?
        .ok_or_else(|| AppError::bad_field("program_id", "Không tìm thấy chương trình."))?;
    let phases = pq::phases(conn, program.id)?;
    Ok((union, path, program, phases))
}

fn dashboard_in(
    conn: &mut DbConn,
    actor: &Actor,
    union_id: i64,
    query: &DashboardQuery,
) -> Result<DashboardView, AppError> {
    let (union, path, program, phases) = scope(conn, actor, union_id, query.program_id)?;
    dashboard_of(conn, actor, union, &path, program, phases, query)
}

/// The dashboard of a union the actor may read the attainment of (`path` is its path).
fn dashboard_of(
    conn: &mut DbConn,
    actor: &Actor,
    union: UnionRow,
    path: &UnionPath,
    program: ProgramRow,
    phases: Vec<PhaseRow>,
    query: &DashboardQuery,
) -> Result<DashboardView, AppError> {
    if let Some(day) = query.as_of {
        return as_of::dashboard(conn, actor, &union, &program, &phases, query, day);
    }
    let union_id = union.id;
    let phase = match query.phase_id {
        Some(id) => Some(
            phases
                .iter()
                .find(|p| p.id == id)
                .cloned()
                .ok_or_else(|| AppError::bad_field("phase_id", "Không tìm thấy đợt này."))?,
        ),
        None => None,
    };
    let children: Vec<UnionRow> = unions::children(conn, union_id)?
        .into_iter()
        .filter(|u| u.active)
        .collect();
    let mut all = Vec::with_capacity(children.len() + 1);
    all.push(union.clone());
    all.extend(children);
    let mut lines = lines_of(
        conn,
        &program,
        query.phase_id,
        &all,
        Which::Family(union.id),
    )?;
    let own = lines.remove(0);
    sort(&mut lines, query.sort.unwrap_or_default());
    let mut above = path.ids();
    above.pop();
    let mut ancestors = unions::find_many(conn, &above)?;
    ancestors.sort_by_key(|u| u.level);
    let parent = ancestors
        .last()
        .filter(|p| Some(p.id) == union.parent_id)
        .cloned();
    let rankings = rankings(conn, &union, parent.as_ref(), &program, query.phase_id)?;
    let trail = ancestors
        .into_iter()
        .map(|u| TrailStep {
            open: can(
                actor,
                Action::ViewAttainment,
                Resource::Union {
                    path: &UnionPath::from_stored(u.path.clone()),
                },
            ),
            union_id: u.id,
            name: u.name,
        })
        .collect();
    let (fields, timeline) = activity(conn, &program, query.phase_id, union.id)?;
    let period = period(&phases, phase.as_ref());
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
        reading_rule: CURRENT_STRUCTURE_RULE.to_owned(),
        as_of: None,
        elapsed,
        pace,
        union: own,
        children: lines,
        trail,
        rankings,
        fields,
        timeline,
        period,
    })
}

/// Orders lines for ranking: by attainment, then approved; those without a quota last.
pub fn rank_order(a: &AttainmentLine, b: &AttainmentLine) -> std::cmp::Ordering {
    let key = |l: &AttainmentLine| (l.attainment.is_some(), l.attainment.unwrap_or(0.0));
    let (ka, kb) = (key(a), key(b));
    kb.0.cmp(&ka.0)
        .then(kb.1.total_cmp(&ka.1))
        .then(b.counts.approved.cmp(&a.counts.approved))
        .then(a.name.cmp(&b.name))
}

/// The lines of some unions (counts, quota, attainment), unsorted: `which` selects the same
/// unions as `of` (or more), in the form the database reads fastest.
pub fn lines_of(
    conn: &mut DbConn,
    program: &ProgramRow,
    phase_id: Option<i64>,
    of: &[UnionRow],
    which: Which<'_>,
) -> Result<Vec<AttainmentLine>, AppError> {
    let counts = counts::of_unions(conn, program.id, phase_id, which)?;
    let quotas = quotas_for(conn, program, phase_id, which)?;
    let mut out = Vec::with_capacity(of.len());
    for u in of {
        let c: CountsView = counts.get(&u.id).copied().unwrap_or([0; 7]).into();
        let quota = match quotas.get(&u.id) {
            Some(q) => Some(q.target(|| unions::subtree_members(conn, &u.path))?),
            None => None,
        };
        out.push(AttainmentLine {
            union_id: u.id,
            code: u.code.clone(),
            name: u.name.clone(),
            level: u.level,
            cluster: u.cluster.clone(),
            attainment: quota.filter(|q| *q > 0).map(|q| percent(c.approved, q)),
            counts: c,
            quota,
        });
    }
    Ok(out)
}

/// Where the union stands among its parent's children, and within its cluster.
fn rankings(
    conn: &mut DbConn,
    union: &UnionRow,
    parent: Option<&UnionRow>,
    program: &ProgramRow,
    phase_id: Option<i64>,
) -> Result<Vec<Ranking>, AppError> {
    let Some(parent) = parent else {
        return Ok(Vec::new());
    };
    let parent_id = parent.id;
    let siblings: Vec<UnionRow> = unions::children(conn, parent_id)?
        .into_iter()
        .filter(|u| u.active)
        .collect();
    let lines = lines_of(
        conn,
        program,
        phase_id,
        &siblings,
        Which::ChildrenOf(parent_id),
    )?;
    Ok(place_among(
        union.id,
        union.cluster.as_deref(),
        parent.short_name.as_deref().unwrap_or(&parent.name),
        lines,
    ))
}

/// Where a union stands among its siblings' `lines` (its own included), and within its
/// cluster.
fn place_among(
    union_id: i64,
    cluster: Option<&str>,
    parent_name: &str,
    mut lines: Vec<AttainmentLine>,
) -> Vec<Ranking> {
    lines.sort_by(rank_order);
    let mut out = Vec::new();
    if let Some(pos) = lines.iter().position(|l| l.union_id == union_id) {
        out.push(Ranking {
            scope: "siblings",
            rank: pos + 1,
            of: lines.len(),
            text: format!(
                "Xếp thứ {}/{} đơn vị trực thuộc {parent_name}",
                pos + 1,
                lines.len(),
            ),
        });
    }
    if let Some(cluster) = cluster {
        let peers: Vec<&AttainmentLine> = lines
            .iter()
            .filter(|l| l.cluster.as_deref() == Some(cluster))
            .collect();
        if let Some(pos) = peers.iter().position(|l| l.union_id == union_id) {
            out.push(Ranking {
                scope: "cluster",
                rank: pos + 1,
                of: peers.len(),
                text: format!(
                    "Xếp thứ {}/{} trong {}",
                    pos + 1,
                    peers.len(),
                    cluster_name(cluster)
                ),
            });
        }
    }
    out
}

/// "Cụm 7 tỉnh …" as written, or "cụm X" for a bare name.
pub fn cluster_name(cluster: &str) -> String {
    if cluster.to_lowercase().starts_with("cụm") {
        cluster.to_owned()
    } else {
        format!("cụm {cluster}")
    }
}

/// The subtree's totals per field and its cumulative timeline.
fn activity(
    conn: &mut DbConn,
    program: &ProgramRow,
    phase_id: Option<i64>,
    union_id: i64,
) -> Result<(Vec<FieldLine>, Vec<TimelinePoint>), AppError> {
    let names: BTreeMap<i64, String> = pq::fields(conn, program.id)?
        .into_iter()
        .map(|f| (f.id, f.name))
        .collect();
    let mut fields: Vec<FieldLine> = counts::by_field(conn, program.id, phase_id, union_id)?
        .into_iter()
        .filter(|(_, (s, a))| *s != 0 || *a != 0)
        .map(|(id, (submitted, approved))| FieldLine {
            field_id: (id != 0).then_some(id),
            name: names
                .get(&id)
                .cloned()
                .unwrap_or_else(|| "Chưa chọn lĩnh vực".to_owned()),
            submitted,
            approved,
        })
        .collect();
    fields.sort_by(|a, b| {
        b.approved
            .cmp(&a.approved)
            .then(b.submitted.cmp(&a.submitted))
    });
    let mut timeline = Vec::new();
    let (mut s, mut a) = (0, 0);
    for (day, ds, da) in counts::daily(conn, program.id, phase_id, union_id)? {
        s += ds;
        a += da;
        timeline.push(TimelinePoint {
            day,
            submitted: s,
            approved: a,
        });
    }
    Ok((fields, timeline))
}

/// The dates a dashboard's period covers, in Vietnam time.
fn period(phases: &[PhaseRow], phase: Option<&PhaseRow>) -> Option<(NaiveDate, NaiveDate)> {
    let (from, to) = match phase {
        Some(p) => (p.opens_at, p.closes_at),
        None => (
            phases.iter().map(|p| p.opens_at).min()?,
            phases.iter().map(|p| p.closes_at).max()?,
        ),
    };
    // A phase closing at midnight ends the day before.
    let last = counts::vietnam_day(to - chrono::TimeDelta::seconds(1));
    Some((
        counts::vietnam_day(from),
        last.max(counts::vietnam_day(from)),
    ))
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

/// A calendar quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Quarter {
    pub year: i32,
    /// 1 to 4.
    pub number: u32,
}

impl Quarter {
    /// The quarter of a day.
    pub fn of(day: NaiveDate) -> Self {
        use chrono::Datelike;
        Self {
            year: day.year(),
            number: day.month0() / 3 + 1,
        }
    }

    /// From `2026-Q3` (or `2026-3`).
    pub fn parse(s: &str) -> Option<Self> {
        let (y, q) = s.trim().split_once('-')?;
        let q = q.trim_start_matches(['Q', 'q']);
        let (year, number) = (y.parse().ok()?, q.parse().ok()?);
        ((1..=4).contains(&number) && (2000..=2100).contains(&year))
            .then_some(Self { year, number })
    }

    /// `2026-Q3`.
    pub fn code(self) -> String {
        format!("{}-Q{}", self.year, self.number)
    }

    /// "Quý III/2026".
    pub fn label(self) -> String {
        let roman = ["I", "II", "III", "IV"];
        let n = usize::try_from(self.number.saturating_sub(1)).unwrap_or(0);
        format!("Quý {}/{}", roman.get(n).copied().unwrap_or("?"), self.year)
    }

    /// The first and last days.
    pub fn days(self) -> (NaiveDate, NaiveDate) {
        let first = NaiveDate::from_ymd_opt(self.year, self.number * 3 - 2, 1).unwrap_or_default();
        let next = if self.number == 4 {
            NaiveDate::from_ymd_opt(self.year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(self.year, self.number * 3 + 1, 1)
        }
        .unwrap_or_default();
        (first, next.pred_opt().unwrap_or(next))
    }

    fn next(self) -> Self {
        if self.number == 4 {
            Self {
                year: self.year + 1,
                number: 1,
            }
        } else {
            Self {
                year: self.year,
                number: self.number + 1,
            }
        }
    }
}

/// What a leaderboard is asked for.
#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
pub struct LeaderboardQuery {
    pub program_id: i64,
    /// `2026-Q3` (default: the current quarter, or the program's last one).
    pub quarter: Option<String>,
    /// Rank the children of this day's tree, by what they had approved at its end (default:
    /// the current structure).
    pub as_of: Option<NaiveDate>,
}

/// One union's quarter.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QuarterLine {
    pub rank: usize,
    pub union_id: i64,
    pub code: String,
    pub name: String,
    /// Net approvals in the quarter.
    pub approved: i64,
    /// The quota's share for the quarter.
    pub target: Option<i64>,
    /// Approved ÷ target, in percent.
    pub attainment: Option<f64>,
    /// This union leads its cluster this quarter.
    pub leads: bool,
}

/// One cluster's table.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClusterBoard {
    pub cluster: Option<String>,
    /// "Cụm …", or "Chưa xếp cụm".
    pub name: String,
    /// In Vietnamese: who leads, or why no one does.
    pub verdict: String,
    pub lines: Vec<QuarterLine>,
}

/// A quarter's leaderboard among a union's children, by cluster.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LeaderboardView {
    pub program_id: i64,
    pub program_name: String,
    pub union_id: i64,
    pub union_name: String,
    pub quarter: String,
    pub quarter_label: String,
    /// The quarters the program spans: (code, label).
    pub quarters: Vec<(String, String)>,
    pub rule: &'static str,
    /// Which tree is ranked, in Vietnamese: the current structure or a past day's.
    pub reading_rule: String,
    /// The day read, for a past day's tree.
    pub as_of: Option<NaiveDate>,
    pub clusters: Vec<ClusterBoard>,
}

/// A child as a leaderboard ranks it.
struct Ranked {
    id: i64,
    code: String,
    name: String,
    cluster: Option<String>,
}

/// The union's children in operation: now, or on a past day.
fn ranked_children(
    conn: &mut DbConn,
    union_id: i64,
    as_of: Option<NaiveDate>,
) -> Result<Vec<Ranked>, AppError> {
    Ok(match as_of {
        None => unions::children(conn, union_id)?
            .into_iter()
            .filter(|u| u.active)
            .map(|u| Ranked {
                id: u.id,
                code: u.code,
                name: u.name,
                cluster: u.cluster,
            })
            .collect(),
        Some(day) => crate::db::reorganisations::children_as_of(conn, union_id, day)?
            .into_iter()
            .map(|v| Ranked {
                id: v.union_id,
                code: v.code,
                name: v.name,
                cluster: v.cluster,
            })
            .collect(),
    })
}

/// The quarterly leaderboard of a union's children, cluster by cluster.
pub async fn leaderboard(
    db: &Db,
    actor: &Actor,
    union_id: i64,
    query: LeaderboardQuery,
) -> Result<LeaderboardView, AppError> {
    let actor = actor.clone();
    db.read(move |conn| leaderboard_in(conn, &actor, union_id, &query))
        .await
}

fn leaderboard_in(
    conn: &mut DbConn,
    actor: &Actor,
    union_id: i64,
    query: &LeaderboardQuery,
) -> Result<LeaderboardView, AppError> {
    let (union, _, program, phases) = scope(conn, actor, union_id, query.program_id)?;
    let span = period(&phases, None);
    let today = counts::vietnam_day(db::now());
    let mut quarters = Vec::new();
    if let Some((from, to)) = span {
        let mut q = Quarter::of(from);
        while q <= Quarter::of(to) {
            quarters.push(q);
            q = q.next();
        }
    }
    let today = query.as_of.unwrap_or(today);
    let quarter = match &query.quarter {
        Some(s) => Quarter::parse(s)
            .ok_or_else(|| AppError::bad_field("quarter", "Quý không hợp lệ (ví dụ: 2026-Q3)."))?,
        None => quarters
            .iter()
            .copied()
            .rfind(|q| q.days().0 <= today)
            .or_else(|| quarters.first().copied())
            .unwrap_or_else(|| Quarter::of(today)),
    };
    let (first, last) = quarter.days();
    // Read as of a day, the quarter stops at that day's end.
    let until = query.as_of.map_or(last, |d| d.min(last));
    let children = ranked_children(conn, union.id, query.as_of)?;
    let ids: Vec<i64> = children.iter().map(|u| u.id).collect();
    let approved = counts::approved_between(conn, program.id, &ids, first, until)?;
    // Read as of a day, the quotas in force at its end.
    let quotas = match query.as_of {
        Some(day) => quotas_as_of(conn, &program, None, &ids, day)?,
        None => quotas_for(conn, &program, None, Which::These(&ids))?,
    };
    // The share of the program's days that fall in the quarter.
    let share = span.map(|(from, to)| {
        let whole = (to - from).num_days() + 1;
        let overlap = (last.min(to) - first.max(from)).num_days() + 1;
        (overlap.max(0), whole.max(1))
    });
    let mut boards: BTreeMap<Option<String>, Vec<QuarterLine>> = BTreeMap::new();
    for u in &children {
        let target = match (quotas.get(&u.id), share) {
            (Some(q), Some((part, whole))) => {
                let full = q.target(|| match unions::find(conn, u.id)? {
                    Some(row) => unions::subtree_members(conn, &row.path),
                    None => Ok(0),
                })?;
                Some((full * part + whole - 1) / whole)
            }
            _ => None,
        };
        let n = approved.get(&u.id).copied().unwrap_or(0);
        boards
            .entry(u.cluster.clone())
            .or_default()
            .push(QuarterLine {
                rank: 0,
                union_id: u.id,
                code: u.code.clone(),
                name: u.name.clone(),
                approved: n,
                attainment: target.filter(|t| *t > 0).map(|t| percent(n, t)),
                target,
                leads: false,
            });
    }
    let mut clusters = Vec::new();
    for (cluster, mut lines) in boards {
        lines.sort_by(|a, b| {
            let key = |l: &QuarterLine| (l.attainment.is_some(), l.attainment.unwrap_or(0.0));
            let (ka, kb) = (key(a), key(b));
            kb.0.cmp(&ka.0)
                .then(kb.1.total_cmp(&ka.1))
                .then(b.approved.cmp(&a.approved))
                .then(a.name.cmp(&b.name))
        });
        for (i, l) in lines.iter_mut().enumerate() {
            l.rank = i + 1;
        }
        let verdict = match lines.first_mut() {
            Some(top) if top.attainment.is_some_and(|a| a >= 100.0) => {
                top.leads = true;
                format!("{} dẫn đầu {}.", top.name, quarter.label())
            }
            Some(_) => format!(
                "Chưa có đơn vị dẫn đầu {}: đơn vị xếp đầu chưa đạt chỉ tiêu quý.",
                quarter.label()
            ),
            None => String::new(),
        };
        clusters.push(ClusterBoard {
            name: cluster
                .as_deref()
                .map_or_else(|| "Chưa xếp cụm".to_owned(), cluster_name),
            cluster,
            verdict,
            lines,
        });
    }
    // Named clusters first, the unclustered last.
    clusters.sort_by_key(|c| c.cluster.is_none());
    Ok(LeaderboardView {
        program_id: program.id,
        program_name: program.name,
        union_id: union.id,
        union_name: union.name,
        quarter: quarter.code(),
        quarter_label: quarter.label(),
        quarters: quarters.iter().map(|q| (q.code(), q.label())).collect(),
        rule: LEADERBOARD_RULE,
        reading_rule: query.as_of.map_or_else(
            || CURRENT_STRUCTURE_RULE.to_owned(),
            crate::domain::counting::as_of_rule,
        ),
        as_of: query.as_of,
        clusters,
    })
}

/// Where an officer's dashboards start: the highest union they oversee (officer or program
/// administrator; the root for a system administrator) and the program to show there (the
/// latest open one that runs over it, else the latest that does). `None` when they oversee
/// nothing or no program runs there.
pub async fn home(db: &Db, actor: &Actor) -> Result<Option<(i64, i64)>, AppError> {
    let actor = actor.clone();
    db.read(move |conn| {
        let mut paths: Vec<UnionPath> = actor.dashboard_paths().into_iter().cloned().collect();
        if actor.is_system_admin() {
            for root in unions::roots(conn)? {
                paths.push(UnionPath::from_stored(root.path));
            }
        }
        paths.sort_by_key(|p| p.ids().len());
        let Some(top) = paths.first() else {
            return Ok(None);
        };
        let Some(&union_id) = top.ids().last() else {
            return Ok(None);
        };
        // A program taking submissions now first, then open ones, then the latest to close.
        let now = db::now();
        type Rank = (bool, bool, Option<NaiveDateTime>, i64);
        let mut best: Option<(Rank, i64)> = None;
        for p in pq::list(conn)? {
            let Some(owner) = unions::find(conn, p.owner_union_id)? else {
                continue;
            };
            if !UnionPath::from_stored(owner.path).covers(top) {
                continue;
            }
            let phases = pq::phases(conn, p.id)?;
            let open_now = p.status == "open"
                && phases
                    .iter()
                    .any(|ph| ph.opens_at <= now && now < ph.closes_at);
            let key = (
                open_now,
                p.status == "open",
                phases.iter().map(|ph| ph.closes_at).max(),
                p.id,
            );
            if best.as_ref().is_none_or(|(b, _)| key > *b) {
                best = Some((key, p.id));
            }
        }
        Ok(best.map(|(_, program_id)| (union_id, program_id)))
    })
    .await
}
