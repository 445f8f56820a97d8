//! Undoing a mistaken reorganisation (hủy bỏ): never by editing history, but by a new
//! reorganisation — the inverse plan, reviewed as a dry run and applied like any other —
//! that takes effect on the day it is applied. Ended unions are restored, moved ones go
//! back, renamed ones are named back, the unions it created end again; members, roles,
//! programs, committees, open reviews, quotas and clusters go back by id, as recorded
//! ([`super::undo`]). Only the latest reorganisation touching its unions may be reverted, once;
//! a revert is not itself reverted (the original plan is applied again instead).

use std::collections::{BTreeMap, BTreeSet};

use crate::db::reorganisations as rq;
use crate::db::{self, Db, DbConn};
use crate::domain::Actor;
use crate::domain::reorganisation;
use crate::error::{AppError, ErrorCode};

use super::undo::Undo;
use super::{Plan, Report, run, visible};

fn refuse(message: String) -> AppError {
    AppError::new(ErrorCode::InvalidState).with_message(message)
}

/// How a message names a reorganisation: "quyết định số …", or a revert by its own number
/// ("Hủy bỏ QĐ …").
pub fn named(row: &rq::ReorganisationRow) -> String {
    if row.reverts_id.is_some() {
        row.decision_no.clone()
    } else {
        format!("quyết định số {}", row.decision_no)
    }
}

/// The reorganisation `id` and its record, if it may be reverted now.
pub fn revertible(conn: &mut DbConn, id: i64) -> Result<(rq::ReorganisationRow, Undo), AppError> {
    let row = rq::find(conn, id)?.ok_or_else(AppError::not_found)?;
    let no = &row.decision_no;
    if row.reverts_id.is_some() {
        return Err(refuse(format!(
            "Quyết định số {no} là quyết định hủy bỏ nên không hủy bỏ được. Muốn sắp xếp lại như quyết định trước đó, hãy nhập lại phương án của nó."
        )));
    }
    if let Some((_, by)) = rq::reverted_by(conn, id)? {
        return Err(refuse(format!("Quyết định số {no} đã được hủy bỏ ({by}).")));
    }
    let undo = Undo::parse(&row.undo);
    if !undo.is_recorded() {
        return Err(refuse(format!(
            "Quyết định số {no} được áp dụng trước khi nền tảng ghi lại những gì cần hoàn lại, nên không hủy bỏ tự động được."
        )));
    }
    // A later reorganisation of the same unions must be reverted first; one reverted since
    // (and its revert) changed nothing in the end.
    let pairs = rq::reverts(conn)?;
    let undone: BTreeSet<i64> = pairs
        .iter()
        .filter(|(_, target)| *target > id)
        .flat_map(|(r, target)| [*r, *target])
        .collect();
    let later: Vec<(i64, i64)> = rq::later_changes(conn, &undo.unions(), id)?
        .into_iter()
        .filter(|(_, r)| !undone.contains(r))
        .collect();
    if let Some((union, r)) = later.first() {
        let by = rq::find(conn, *r)?.map(|r| named(&r)).unwrap_or_default();
        let code = db::unions::find(conn, *union)?
            .map(|u| u.code)
            .unwrap_or_default();
        return Err(refuse(format!(
            "Không hủy bỏ được quyết định số {no}: đơn vị {code} đã được sắp xếp lại sau đó theo {by}. Hãy hủy bỏ {by} trước."
        )));
    }
    Ok((row, undo))
}

/// The plan that undoes reorganisation `id`, taking effect today (Vietnam calendar).
pub fn inverse(conn: &mut DbConn, id: i64) -> Result<Plan, AppError> {
    let (row, undo) = revertible(conn, id)?;
    let (_, tree) = super::load_tree(conn)?;
    let rows = reorganisation::inverse(&tree, &undo.before, &undo.created);
    if rows.is_empty() {
        return Err(refuse(format!(
            "Cây đơn vị đã như trước quyết định số {}: không có gì để hủy bỏ.",
            row.decision_no
        )));
    }
    Ok(Plan {
        decision_no: format!("Hủy bỏ QĐ {}", row.decision_no),
        decided_on: None,
        effective_on: db::counts::vietnam_day(db::now()),
        note: format!(
            "Hủy bỏ sắp xếp tổ chức theo quyết định số {} (hiệu lực từ {}).",
            row.decision_no,
            crate::format::date(row.effective_on)
        ),
        rows,
        reverts_id: Some(id),
    })
}

/// The plan undoing `id`, for the actor to review (a reorganisation they may not read is
/// not found).
pub async fn plan(db: &Db, actor: &Actor, id: i64) -> Result<Plan, AppError> {
    let actor = actor.clone();
    db.read(move |conn| {
        let row = rq::find(conn, id)?.ok_or_else(AppError::not_found)?;
        if !visible(conn, &actor, row.issuer_union_id)? {
            return Err(AppError::not_found());
        }
        inverse(conn, id)
    })
    .await
}

/// Reverts reorganisation `id` (or, with `dry_run`, reports what reverting would do): its
/// inverse plan applied as any plan is, with the same permission rules.
pub async fn revert(db: &Db, actor: &Actor, id: i64, dry_run: bool) -> Result<Report, AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        let row = rq::find(conn, id)?.ok_or_else(AppError::not_found)?;
        if !visible(conn, &actor, row.issuer_union_id)? {
            return Err(AppError::not_found());
        }
        let plan = inverse(conn, id)?;
        run(conn, &actor, &plan, dry_run)
    })
    .await
}

/// Checks a reverting plan against the inverse as it stands now (the tree may have changed
/// since it was reviewed), and returns the record to put back.
pub fn check(conn: &mut DbConn, plan: &Plan, reverts: i64) -> Result<Undo, AppError> {
    let fresh = inverse(conn, reverts)?;
    let key = |p: &Plan| -> BTreeMap<usize, reorganisation::PlanRow> {
        p.rows.iter().map(|r| (r.line, r.clone())).collect()
    };
    if key(&fresh) != key(plan) {
        let rows = [reorganisation::RowError {
            line: 0,
            code: String::new(),
            reason: "Cây đơn vị đã thay đổi từ lúc lập phương án hủy bỏ; hãy mở lại quyết định và hủy bỏ lại.".to_owned(),
        }];
        return Err(
            AppError::new(ErrorCode::PlanInvalid).with_details(serde_json::json!({ "rows": rows }))
        );
    }
    revertible(conn, reverts).map(|(_, undo)| undo)
}
