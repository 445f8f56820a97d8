//! A dashboard as of a past day: the tree, names and figures exactly as they stood at the end
//! of that day (Vietnam time). The tree comes from the unions' versions, the figures from the
//! activity by day summed up to that day (a reorganisation carries a subtree's figures on its
//! effective date, so days before it keep the old tree's numbers), the quotas from the history
//! of allocations (the one in force at that day's end, for every union of that day's tree,
//! ended ones included): an earlier report printed again gives the same numbers.

use chrono::NaiveDate;

use super::{
    AttainmentLine, DashboardQuery, DashboardView, TrailStep, elapsed_share, period, place_among,
    sort,
};
use crate::db::DbConn;
use crate::db::counts;
use crate::db::programs::{PhaseRow, ProgramRow};
use crate::db::reorganisations::{self as rq, VersionRow};
use crate::db::unions::{self, UnionRow};
use crate::domain::counting::{COUNTING_RULE, as_of_rule, percent};
use crate::domain::{Action, Actor, Resource, UnionPath, can};
use crate::error::AppError;
use crate::service::shared::quota::{CountsView, quotas_as_of};

/// The lines of unions as they were on `day`.
fn lines_as_of(
    conn: &mut DbConn,
    program: &ProgramRow,
    phase_id: Option<i64>,
    of: &[VersionRow],
    day: NaiveDate,
) -> Result<Vec<AttainmentLine>, AppError> {
    let ids: Vec<i64> = of.iter().map(|v| v.union_id).collect();
    let figures = counts::as_of(conn, program.id, phase_id, &ids, day)?;
    let quotas = quotas_as_of(conn, program, phase_id, &ids, day)?;
    let mut out = Vec::with_capacity(of.len());
    for v in of {
        let [submitted, approved, rejected, duplicates, revoked] =
            figures.get(&v.union_id).copied().unwrap_or_default();
        let c = CountsView {
            submitted,
            under_review: submitted - approved - rejected - duplicates - revoked,
            approved,
            rejected,
            duplicates,
            revoked,
        };
        let quota = match quotas.get(&v.union_id) {
            Some(q) => Some(q.target(|| match unions::find(conn, v.union_id)? {
                Some(u) => unions::subtree_members(conn, &u.path),
                None => Ok(0),
            })?),
            None => None,
        };
        out.push(AttainmentLine {
            union_id: v.union_id,
            code: v.code.clone(),
            name: v.name.clone(),
            level: v.level,
            cluster: v.cluster.clone(),
            attainment: quota.filter(|q| *q > 0).map(|q| percent(c.approved, q)),
            counts: c,
            quota,
        });
    }
    Ok(out)
}

/// The dashboard of `union` (which the actor may read) as of the end of `day`.
pub(super) fn dashboard(
    conn: &mut DbConn,
    actor: &Actor,
    union: &UnionRow,
    program: &ProgramRow,
    phases: &[PhaseRow],
    query: &DashboardQuery,
    day: NaiveDate,
) -> Result<DashboardView, AppError> {
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
    let me = rq::as_of(conn, union.id, day)?
        .filter(|v| v.active)
        .ok_or_else(|| {
            AppError::bad_field(
                "as_of",
                &format!(
                    "{} chưa thành lập hoặc không hoạt động vào ngày {}.",
                    union.name,
                    crate::format::date(day)
                ),
            )
        })?;
    let children = rq::children_as_of(conn, union.id, day)?;
    let mut all = Vec::with_capacity(children.len() + 1);
    all.push(me.clone());
    all.extend(children);
    let mut lines = lines_as_of(conn, program, query.phase_id, &all, day)?;
    let own = lines.remove(0);
    sort(&mut lines, query.sort.unwrap_or_default());

    // The ancestors of that day, root first.
    let mut ancestors: Vec<VersionRow> = Vec::new();
    let mut at = me.parent_id;
    while let Some(id) = at {
        if ancestors.len() > 64 || ancestors.iter().any(|a| a.union_id == id) {
            break;
        }
        let Some(v) = rq::as_of(conn, id, day)? else {
            break;
        };
        at = v.parent_id;
        ancestors.push(v);
    }
    let rankings = match ancestors.first() {
        Some(parent) => {
            let siblings = rq::children_as_of(conn, parent.union_id, day)?;
            let lines = lines_as_of(conn, program, query.phase_id, &siblings, day)?;
            place_among(
                me.union_id,
                me.cluster.as_deref(),
                parent.short_name.as_deref().unwrap_or(&parent.name),
                lines,
            )
        }
        None => Vec::new(),
    };
    ancestors.reverse();
    let mut trail = Vec::with_capacity(ancestors.len());
    for a in ancestors {
        let open = match unions::find(conn, a.union_id)? {
            Some(u) => can(
                actor,
                Action::ViewAttainment,
                Resource::Union {
                    path: &UnionPath::from_stored(u.path),
                },
            ),
            None => false,
        };
        trail.push(TrailStep {
            union_id: a.union_id,
            name: a.name,
            open,
        });
    }
    let mut timeline = Vec::new();
    let (mut s, mut a) = (0, 0);
    for (d, ds, da) in counts::daily(conn, program.id, query.phase_id, union.id)? {
        if d > day {
            break;
        }
        s += ds;
        a += da;
        timeline.push(super::TimelinePoint {
            day: d,
            submitted: s,
            approved: a,
        });
    }
    let period = period(phases, phase.as_ref());
    // The end of that day in Vietnam, in UTC.
    let evening = day.and_hms_opt(17, 0, 0).unwrap_or_default();
    let elapsed = elapsed_share(phases, phase.as_ref(), evening);
    let pace = match (own.attainment, elapsed) {
        (Some(a), Some(e)) if e > 0.0 => Some(a / e * 100.0),
        _ => None,
    };
    Ok(DashboardView {
        program_id: program.id,
        program_name: program.name.clone(),
        phase_id: phase.as_ref().map(|p| p.id),
        phase_name: phase.map(|p| p.name),
        counting_rule: COUNTING_RULE,
        reading_rule: as_of_rule(day),
        as_of: Some(day),
        elapsed,
        pace,
        union: own,
        children: lines,
        trail,
        rankings,
        // Kept by field over the whole program only: no reading as of a day.
        fields: Vec::new(),
        timeline,
        period,
    })
}
