//! Reorganisations of the union tree (sắp xếp tổ chức): apply a decision's plan (or try it:
//! a dry run reports the same and keeps nothing), list them, read one, and read a union's
//! history (its versions, predecessors and successors); undo one by a reverting one
//! ([`revert`]).

pub mod apply;
pub mod plan_file;
pub mod report;
pub mod revert;
pub mod undo;

use chrono::NaiveDate;
use diesel::Connection;
use serde::Serialize;

use crate::db::reorganisations::{self as rq, ReorganisationRow};
use crate::db::unions::{self, UnionRow};
use crate::db::{Db, DbConn};
use crate::domain::reorganisation::{Node, PlanRow, Tree};
use crate::domain::{Action, Actor, Resource, UnionKind, UnionPath, can};
use crate::error::{AppError, ErrorCode};

pub use report::Report;

/// A checked plan: the decision and its rows.
#[derive(Debug, Clone)]
pub struct Plan {
    pub decision_no: String,
    pub decided_on: Option<NaiveDate>,
    pub effective_on: NaiveDate,
    pub note: String,
    pub rows: Vec<PlanRow>,
    /// The reorganisation this one undoes, if it does.
    pub reverts_id: Option<i64>,
}

/// Applies a plan, or with `dry_run` reports what it would do and keeps nothing: the same
/// code runs either way, the dry run inside a savepoint that is rolled back.
#[tracing::instrument(skip_all, fields(actor = actor.user_id, rows = plan.rows.len(), dry_run))]
pub async fn apply(db: &Db, actor: &Actor, plan: Plan, dry_run: bool) -> Result<Report, AppError> {
    let actor = actor.clone();
    db.write(move |conn| run(conn, &actor, &plan, dry_run))
        .await
}

/// Applies a plan in the caller's transaction, or tries it in a savepoint rolled back.
fn run(conn: &mut DbConn, actor: &Actor, plan: &Plan, dry_run: bool) -> Result<Report, AppError> {
    if !dry_run {
        return apply::apply_in(conn, actor, plan);
    }
    let mut kept = None;
    let outcome = conn.transaction::<(), AppError, _>(|c| {
        let report = apply::apply_in(c, actor, plan)?;
        kept = Some(report);
        Err(AppError::new(ErrorCode::InvalidState))
    });
    match (kept, outcome) {
        (Some(mut report), Err(_)) => {
            report.dry_run = true;
            Ok(report)
        }
        (_, Err(e)) => Err(e),
        (_, Ok(())) => Err(AppError::unexpected("a dry run kept its changes")),
    }
}

/// Every union, and the tree they make (with each union's latest reorganisation's date).
pub(crate) fn load_tree(conn: &mut DbConn) -> Result<(Vec<UnionRow>, Tree), AppError> {
    use diesel::prelude::*;
    let all: Vec<UnionRow> = crate::db::schema::unions::table
        .select(UnionRow::as_select())
        .load(conn)?;
    let last: std::collections::HashMap<i64, Option<NaiveDate>> =
        rq::last_changes(conn)?.into_iter().collect();
    let tree = Tree::new(all.iter().map(|r| Node {
        id: r.id,
        code: r.code.clone(),
        name: r.name.clone(),
        parent: r.parent_id,
        kind: UnionKind::from_i32(r.level).unwrap_or(UnionKind::Group),
        active: r.active,
        last_change: last.get(&r.id).copied().flatten(),
    }));
    Ok((all, tree))
}

/// A reorganisation as listed and read.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReorganisationView {
    pub id: i64,
    pub decision_no: String,
    pub decided_on: Option<NaiveDate>,
    pub effective_on: NaiveDate,
    pub issuer_union_id: i64,
    pub issuer_name: String,
    pub note: String,
    /// The reorganisation this one undoes.
    pub reverts_id: Option<i64>,
    /// The reorganisation that undid this one.
    pub reverted_by: Option<i64>,
    pub created_at: chrono::NaiveDateTime,
    /// What it did.
    pub report: Option<Report>,
}

fn view(
    conn: &mut DbConn,
    row: ReorganisationRow,
    with_report: bool,
) -> Result<ReorganisationView, AppError> {
    let issuer_name = unions::find(conn, row.issuer_union_id)?
        .map(|u| u.name)
        .unwrap_or_default();
    let reverted_by = rq::reverted_by(conn, row.id)?.map(|(id, _)| id);
    Ok(ReorganisationView {
        id: row.id,
        decision_no: row.decision_no,
        decided_on: row.decided_on,
        effective_on: row.effective_on,
        issuer_union_id: row.issuer_union_id,
        issuer_name,
        note: row.note,
        reverts_id: row.reverts_id,
        reverted_by,
        created_at: row.created_at,
        report: if with_report {
            serde_json::from_str(&row.report).ok()
        } else {
            None
        },
    })
}

/// May the actor read a reorganisation issued by this union?
fn visible(conn: &mut DbConn, actor: &Actor, issuer: i64) -> Result<bool, AppError> {
    let Some(u) = unions::find(conn, issuer)? else {
        return Ok(false);
    };
    let path = UnionPath::from_stored(u.path);
    Ok(can(
        actor,
        Action::ViewReorganisation,
        Resource::Union { path: &path },
    ))
}

/// The reorganisations the actor may read, the latest effective first.
pub async fn list(
    db: &Db,
    actor: &Actor,
    page: i64,
    per_page: i64,
) -> Result<Vec<ReorganisationView>, AppError> {
    let actor = actor.clone();
    db.read(move |conn| {
        // Few decisions exist (a handful a year per province): read them and keep the visible.
        let total = rq::count(conn)?;
        let rows = rq::list(conn, total.max(1), 0)?;
        let mut out = Vec::new();
        for r in rows {
            if visible(conn, &actor, r.issuer_union_id)? {
                out.push(r);
            }
        }
        let from = usize::try_from((page - 1).max(0) * per_page).unwrap_or(usize::MAX);
        out.into_iter()
            .skip(from)
            .take(usize::try_from(per_page).unwrap_or(0))
            .map(|r| view(conn, r, false))
            .collect()
    })
    .await
}

/// One reorganisation with its report.
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<ReorganisationView, AppError> {
    let actor = actor.clone();
    db.read(move |conn| {
        let row = rq::find(conn, id)?.ok_or_else(AppError::not_found)?;
        if !visible(conn, &actor, row.issuer_union_id)? {
            return Err(AppError::not_found());
        }
        view(conn, row, true)
    })
    .await
}

/// A union's state over one period.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VersionView {
    /// From this day (none: from before the platform knew it).
    pub valid_from: Option<NaiveDate>,
    /// Until the day before this one (none: still).
    pub valid_to: Option<NaiveDate>,
    pub parent_id: Option<i64>,
    pub parent_name: Option<String>,
    pub code: String,
    pub name: String,
    /// `national`, `federation`, `direct_upper`, `grassroots`, `group`.
    pub kind: String,
    pub active: bool,
    pub reorganisation_id: Option<i64>,
    pub decision_no: Option<String>,
}

/// A predecessor or successor.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SuccessionView {
    pub union_id: i64,
    pub code: String,
    pub name: String,
    pub reorganisation_id: i64,
    pub decision_no: String,
    pub effective_on: NaiveDate,
    /// Whether the successor carries the predecessor's figures.
    pub carries: bool,
}

/// A union's history (Lịch sử tổ chức).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnionHistory {
    pub union_id: i64,
    pub code: String,
    pub name: String,
    pub active: bool,
    pub ended_on: Option<NaiveDate>,
    /// Oldest first; empty for a union no reorganisation has changed.
    pub versions: Vec<VersionView>,
    pub predecessors: Vec<SuccessionView>,
    pub successors: Vec<SuccessionView>,
}

/// A union's history: anyone signed in may read the shape of the tree, and so its history.
pub async fn history(db: &Db, actor: &Actor, union_id: i64) -> Result<UnionHistory, AppError> {
    let actor = actor.clone();
    db.read(move |conn| {
        let u = unions::find(conn, union_id)?.ok_or_else(AppError::not_found)?;
        let path = UnionPath::from_stored(u.path.clone());
        if !can(&actor, Action::ViewUnion, Resource::Union { path: &path }) {
            return Err(AppError::forbidden());
        }
        let ended_on = rq::ended_on(conn, u.id)?;
        let mut decisions = std::collections::BTreeMap::new();
        let mut decision = |conn: &mut DbConn, id: i64| -> Result<(String, NaiveDate), AppError> {
            if let Some(d) = decisions.get(&id) {
                return Ok(std::clone::Clone::clone(d));
            }
            let r = rq::find(conn, id)?.ok_or_else(AppError::not_found)?;
            let d = (r.decision_no, r.effective_on);
            decisions.insert(id, d.clone());
            Ok(d)
        };
        let mut versions = Vec::new();
        for v in rq::versions(conn, Some(&[u.id]))? {
            let parent_name = match v.parent_id {
                Some(p) => unions::find(conn, p)?.map(|p| p.name),
                None => None,
            };
            let decision_no = match v.reorganisation_id {
                Some(r) => Some(decision(conn, r)?.0),
                None => None,
            };
            versions.push(VersionView {
                valid_from: v.valid_from,
                valid_to: v.valid_to,
                parent_id: v.parent_id,
                parent_name,
                code: v.code,
                name: v.name,
                kind: UnionKind::from_i32(v.level)
                    .map_or("", UnionKind::as_str)
                    .to_owned(),
                active: v.active,
                reorganisation_id: v.reorganisation_id,
                decision_no,
            });
        }
        let mut predecessors = Vec::new();
        let mut successors = Vec::new();
        // A succession a later reorganisation undid no longer holds.
        let reverted: std::collections::BTreeSet<i64> =
            rq::reverts(conn)?.into_iter().map(|(_, r)| r).collect();
        for (r, pred, succ, carries) in rq::successions_of(conn, u.id)? {
            if reverted.contains(&r) {
                continue;
            }
            let other = if pred == u.id { succ } else { pred };
            let Some(o) = unions::find(conn, other)? else {
                continue;
            };
            let (decision_no, effective_on) = decision(conn, r)?;
            let s = SuccessionView {
                union_id: o.id,
                code: o.code,
                name: o.name,
                reorganisation_id: r,
                decision_no,
                effective_on,
                carries,
            };
            if pred == u.id {
                successors.push(s);
            } else {
                predecessors.push(s);
            }
        }
        Ok(UnionHistory {
            union_id: u.id,
            code: u.code,
            name: u.name,
            active: u.active,
            ended_on,
            versions,
            predecessors,
            successors,
        })
    })
    .await
}

/// A reorganisation that changed the tree a dashboard reads: the page offers the day before
/// it ("xem theo cơ cấu ngày 30/06/2025").
#[derive(Debug, Clone)]
pub struct TreeChange {
    pub id: i64,
    pub decision_no: String,
    pub effective_on: NaiveDate,
}

/// The reorganisations effective within `period` (up to today) issued by the union at
/// `union_id`, above it or below it: those that may have changed the tree its dashboard
/// reads. The latest first, at most three.
pub async fn changes_over(
    db: &Db,
    actor: &Actor,
    union_id: i64,
    period: (NaiveDate, NaiveDate),
) -> Result<Vec<TreeChange>, AppError> {
    let actor = actor.clone();
    db.read(move |conn| {
        let u = unions::find(conn, union_id)?.ok_or_else(AppError::not_found)?;
        let path = UnionPath::from_stored(u.path.clone());
        if !can(&actor, Action::ViewUnion, Resource::Union { path: &path }) {
            return Err(AppError::forbidden());
        }
        let today = crate::db::counts::vietnam_day(crate::db::now());
        let (from, to) = (period.0, period.1.min(today));
        let out = rq::effective_between(conn, from, to)?
            .into_iter()
            .filter(|(_, _, _, issuer)| {
                u.path.starts_with(issuer.as_str()) || issuer.starts_with(u.path.as_str())
            })
            .take(3)
            .map(|(id, decision_no, effective_on, _)| TreeChange {
                id,
                decision_no,
                effective_on,
            })
            .collect();
        Ok(out)
    })
    .await
}
