//! Counts and quotas as the dashboards, reports and digests read them.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use serde::Serialize;

use crate::db::DbConn;
use crate::db::counts::{Counts, vietnam_day};
use crate::db::programs::{self as pq, ProgramRow};
use crate::db::unions::Which;
use crate::domain::QuotaKind;
use crate::error::AppError;

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

/// A quota as it applies to one union.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub kind: QuotaKind,
    /// A number, or basis points of members.
    pub value: i64,
    /// The members a share was resolved against, when it was set.
    pub member_basis: Option<i64>,
}

impl Quota {
    /// The number of approved initiatives it asks for; a share of members without a stored
    /// basis (set before bases were kept) is resolved against today's members.
    pub fn target<E>(&self, members: impl FnOnce() -> Result<i64, E>) -> Result<i64, E> {
        Ok(match (self.kind, self.member_basis) {
            (QuotaKind::Absolute, _) => self.value,
            (kind, Some(basis)) => kind.target(self.value, basis),
            (kind, None) => kind.target(self.value, members()?),
        })
    }
}

/// Each union's quota: the phase's own when asked for a phase and one is set, else the
/// program-wide one; the program's target stands in for the owner's quota.
pub fn quotas_for(
    conn: &mut DbConn,
    program: &ProgramRow,
    phase_id: Option<i64>,
    which: Which<'_>,
) -> Result<BTreeMap<i64, Quota>, AppError> {
    let rows = pq::quotas_of(conn, program.id, which)?;
    Ok(layered(
        program,
        phase_id,
        rows.into_iter().map(|r| Stored {
            union_id: r.union_id,
            phase_id: r.phase_id,
            kind: r.kind,
            value: r.value,
            member_basis: r.member_basis,
        }),
    ))
}

/// Each union's quota as it stood at the end of `day` (Vietnam calendar), by the history of
/// allocations: at each scope, the latest recorded change among those holding from that day
/// or before (a removal leaves none), layered as [`quotas_for`] does. Latest recorded, not
/// latest day: a change recorded late for an earlier day (a merger applied after its
/// effective date, summing the quotas as they stood when it was applied) replaces those
/// recorded before it, so that today reads as the current reading does. A quota written
/// without history (by a tool writing the table directly) counts from the day it was first
/// set.
pub fn quotas_as_of(
    conn: &mut DbConn,
    program: &ProgramRow,
    phase_id: Option<i64>,
    union_ids: &[i64],
    day: NaiveDate,
) -> Result<BTreeMap<i64, Quota>, AppError> {
    type Scope = (i64, Option<i64>);
    let mut known: BTreeSet<Scope> = BTreeSet::new();
    let mut in_force: BTreeMap<Scope, Option<Stored>> = BTreeMap::new();
    // In the order recorded: a later one replaces an earlier one.
    for h in pq::quota_history_of(conn, program.id, union_ids)? {
        let scope = (h.union_id, h.phase_id);
        known.insert(scope);
        if h.holds_from > day {
            continue;
        }
        let stored = match (h.kind, h.value) {
            (Some(kind), Some(value)) => Some(Stored {
                union_id: h.union_id,
                phase_id: h.phase_id,
                kind,
                value,
                member_basis: h.member_basis,
            }),
            _ => None,
        };
        in_force.insert(scope, stored);
    }
    for (r, created_at) in pq::quotas_since(conn, program.id, union_ids)? {
        let scope = (r.union_id, r.phase_id);
        if known.contains(&scope) || vietnam_day(created_at) > day {
            continue;
        }
        in_force.insert(
            scope,
            Some(Stored {
                union_id: r.union_id,
                phase_id: r.phase_id,
                kind: r.kind,
                value: r.value,
                member_basis: r.member_basis,
            }),
        );
    }
    Ok(layered(program, phase_id, in_force.into_values().flatten()))
}

/// A quota as stored, at one scope.
struct Stored {
    union_id: i64,
    phase_id: Option<i64>,
    kind: String,
    value: i64,
    member_basis: Option<i64>,
}

/// The quota that applies to each union at the asked scope: a phase's own replaces the
/// program-wide one; the program's target stands in for the owner's program-wide quota.
fn layered(
    program: &ProgramRow,
    phase_id: Option<i64>,
    rows: impl IntoIterator<Item = Stored>,
) -> BTreeMap<i64, Quota> {
    let mut out = BTreeMap::new();
    let mut rows: Vec<Stored> = rows.into_iter().collect();
    // Program-wide first, so that a phase's own quota replaces it.
    rows.sort_by_key(|r| r.phase_id.is_some());
    for r in rows {
        let Some(kind) = QuotaKind::parse(&r.kind) else {
            continue;
        };
        let applies = match (r.phase_id, phase_id) {
            (None, _) => true,
            (Some(p), Some(asked)) => p == asked,
            (Some(_), None) => false,
        };
        if applies {
            out.insert(
                r.union_id,
                Quota {
                    kind,
                    value: r.value,
                    member_basis: r.member_basis,
                },
            );
        }
    }
    if phase_id.is_none()
        && let Some(target) = program.target_count
    {
        out.entry(program.owner_union_id).or_insert(Quota {
            kind: QuotaKind::Absolute,
            value: target,
            member_basis: None,
        });
    }
    out
}
