//! What a reorganisation changed beyond the tree, recorded with it (`reorganisations.undo`)
//! so that the reorganisation reverting it puts everything back exactly: each changed union
//! as it stood, the unions it created, and by id the members, roles, programs, committees,
//! open review cases and quotas it moved or replaced, and the clusters it set.

use serde::{Deserialize, Serialize};

use crate::db::DbConn;
use crate::db::reorganisations::{self as rq, Carried, HandOver, Handed};
use crate::domain::reorganisation::Before;
use crate::error::AppError;

/// Accounts (and their member grants) moved from one union to another.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembersMoved {
    pub from: i64,
    pub to: i64,
    pub accounts: Vec<i64>,
    pub grants: Vec<i64>,
}

/// A reorganisation's record, for its revert.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Undo {
    /// Each union it changed (moved, ended, renamed, restored), as it stood before.
    pub before: Vec<Before>,
    /// The unions it created.
    pub created: Vec<i64>,
    pub members: Vec<MembersMoved>,
    pub handed: Vec<Handed>,
    pub quotas: Carried,
    /// (union, its cluster before).
    pub clusters: Vec<(i64, Option<String>)>,
}

impl Undo {
    /// Whether anything was recorded (not for a reorganisation applied before the record
    /// was kept).
    pub fn is_recorded(&self) -> bool {
        !self.before.is_empty() || !self.created.is_empty()
    }

    /// Every union it changed or created.
    pub fn unions(&self) -> Vec<i64> {
        let mut out: Vec<i64> = self
            .before
            .iter()
            .map(|b| b.id)
            .chain(self.created.iter().copied())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Reads a stored record (`{}`, or anything unreadable, is an empty one).
    pub fn parse(text: &str) -> Self {
        serde_json::from_str(text).unwrap_or_default()
    }
}

/// What putting back moved, as a report counts it.
#[derive(Debug, Clone, Default)]
pub struct PutBack {
    pub members: usize,
    pub handed: HandOver,
    pub quotas: usize,
    /// Reviews that went back, to tell their reviewers: (the union they leave, the union
    /// they go back to, the committees concerned).
    pub reviews: Vec<(i64, i64, Vec<rq::MovedReviews>)>,
}

/// Puts back the members, roles, programs, committees, open cases, quotas and clusters a
/// reorganisation moved (each only where it still is where the reorganisation put it).
pub fn put_back(
    conn: &mut DbConn,
    undo: &Undo,
    now: chrono::NaiveDateTime,
    quota_cause: crate::db::programs::QuotaCause,
) -> Result<PutBack, AppError> {
    let mut out = PutBack::default();
    for m in &undo.members {
        out.members += rq::members_back(conn, m.from, m.to, &m.accounts, &m.grants)?;
    }
    for h in &undo.handed {
        let back = rq::hand_back(conn, h)?;
        out.handed.programs += back.programs;
        out.handed.grants += back.grants;
        out.handed.committees += back.committees;
        out.handed.cases += back.cases;
        if !back.reviews.is_empty() {
            out.reviews.push((h.to, h.from, back.reviews));
        }
        // The cases back at their committee: its members review them again.
        let cases: Vec<i64> = h.cases.iter().map(|(c, _)| *c).collect();
        crate::service::review::cases_moved_in(conn, &cases, now)?;
    }
    out.quotas = rq::quotas_back(conn, &undo.quotas, now)?;
    let mut unions: Vec<i64> = undo.quotas.scopes.iter().map(|(u, _, _)| *u).collect();
    unions.sort_unstable();
    unions.dedup();
    for u in unions {
        crate::db::programs::record_current(conn, u, &undo.quotas.scopes_of(u), now, quota_cause)?;
    }
    for (union, cluster) in &undo.clusters {
        rq::set_cluster(conn, *union, cluster.as_deref())?;
    }
    Ok(out)
}
