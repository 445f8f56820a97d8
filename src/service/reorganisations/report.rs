//! What a reorganisation did (or, in a dry run, would do), in the words officers read: every
//! union moved, ended, created or renamed, members moved and left without a union, and each
//! affected ancestor's figures before → after in the current reading.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::Plan;
use crate::db::DbConn;
use crate::db::ledger::Figures;
use crate::db::schema::users;
use crate::db::unions::UnionRow;
use crate::domain::reorganisation::{OpKind, Resolved, Tree, UnionRef};
use crate::error::AppError;

/// A union named in a report.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UnionBrief {
    pub union_id: i64,
    pub code: String,
    pub name: String,
}

/// One union's change.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UnionChange {
    pub union_id: i64,
    pub code: String,
    pub name: String,
    /// `transfer`, `dissolve`, `end`, `merge`, `split`, `rename`, `restore` (a revert's), or
    /// `create` for a successor the plan creates, or `follow` for a merged union's child that
    /// follows it.
    pub action: String,
    /// The change in Vietnamese ("Chuyển từ … sang …").
    pub text: String,
    /// Members recorded for the union.
    pub members: i64,
}

/// Accounts left in a union that ended without a successor for its members: they keep their
/// accounts and initiatives, and take no part until an officer moves them.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MembersLeft {
    pub union_id: i64,
    pub code: String,
    pub name: String,
    pub accounts: i64,
}

/// An ancestor's figures in a program, before and after, in the current reading.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FigureChange {
    pub program_id: i64,
    pub union_id: i64,
    pub code: String,
    pub name: String,
    pub submitted_before: i64,
    pub submitted_after: i64,
    pub approved_before: i64,
    pub approved_after: i64,
}

/// A reorganisation's report.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Report {
    /// The reorganisation's id (in a dry run, the one it would have had: nothing is kept).
    pub id: i64,
    pub dry_run: bool,
    pub decision_no: String,
    pub decided_on: Option<NaiveDate>,
    pub effective_on: NaiveDate,
    pub note: String,
    /// The union that issues it: the lowest one above everything it changes.
    pub issuer: UnionBrief,
    /// One line in Vietnamese.
    pub summary: String,
    pub changes: Vec<UnionChange>,
    pub members_moved: usize,
    pub members_left: Vec<MembersLeft>,
    /// Initiatives whose union now sits elsewhere in the tree (their scope is re-indexed).
    pub initiatives_rescoped: usize,
    /// What ended unions handed to those taking over.
    pub handed_over: HandedOver,
    /// (Program, phase) quotas of a merger's successor set to its predecessors' sum.
    pub quotas_carried: usize,
    pub figures: Vec<FigureChange>,
}

/// What ended unions handed over.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HandedOver {
    /// Programs they owned.
    pub programs: usize,
    /// Officers' and administrators' roles over them.
    pub grants: usize,
    /// Committees moved whole.
    pub committees: usize,
    /// Open review cases moved to the taker's committee for the same stage.
    pub open_reviews: usize,
}

/// How a plan is named: "Quyết định số …", or a revert by its own number ("Hủy bỏ QĐ …").
fn decision(plan: &Plan) -> String {
    if plan.reverts_id.is_some() {
        plan.decision_no.clone()
    } else {
        format!("Quyết định số {}", plan.decision_no)
    }
}

/// The same, inside a sentence.
fn decision_inside(plan: &Plan) -> String {
    let name = decision(plan);
    let mut c = name.chars();
    c.next()
        .map(|first| first.to_lowercase().chain(c).collect())
        .unwrap_or_default()
}

/// "Quyết định số …, hiệu lực …: chuyển 2, giải thể 1 …".
pub fn summary(plan: &Plan, resolved: &Resolved) -> String {
    let mut counts: BTreeMap<OpKind, usize> = BTreeMap::new();
    for row in &plan.rows {
        *counts.entry(row.action).or_default() += 1;
    }
    let ops: Vec<String> = OpKind::ALL
        .iter()
        .chain(&[OpKind::Restore])
        .filter_map(|op| counts.get(op).map(|n| format!("{} {n}", op.label())))
        .collect();
    let created = if resolved.created.is_empty() {
        String::new()
    } else {
        format!("; thành lập {} đơn vị mới", resolved.created.len())
    };
    format!(
        "{}, hiệu lực từ {}: {} thao tác ({}){created}.",
        decision(plan),
        crate::format::date(plan.effective_on),
        plan.rows.len(),
        ops.join(", ")
    )
}

fn name_of(by_id: &HashMap<i64, UnionRow>, resolved: &Resolved, r: UnionRef) -> String {
    match r {
        UnionRef::Existing(id) => by_id.get(&id).map(|u| u.name.clone()).unwrap_or_default(),
        UnionRef::New(i) => resolved
            .created
            .get(i)
            .map(|c| c.name.clone())
            .unwrap_or_default(),
    }
}

/// What happened to one union, in Vietnamese, with the decision.
pub fn change_text(
    by_id: &HashMap<i64, UnionRow>,
    plan: &Plan,
    resolved: &Resolved,
    id: i64,
) -> String {
    let (_, text) = describe(by_id, resolved, id);
    format!(
        "{text} ({}, hiệu lực từ {}).",
        decision_inside(plan),
        crate::format::date(plan.effective_on)
    )
}

/// The action and the Vietnamese line of one union's change.
fn describe(by_id: &HashMap<i64, UnionRow>, resolved: &Resolved, id: i64) -> (String, String) {
    let name = |r| name_of(by_id, resolved, r);
    let parent_name = by_id
        .get(&id)
        .and_then(|u| u.parent_id)
        .and_then(|p| by_id.get(&p))
        .map(|p| p.name.clone())
        .unwrap_or_default();
    if let Some(e) = resolved.ended.iter().find(|e| e.id == id) {
        let succ: Vec<String> = e.successors.iter().map(|s| name(*s)).collect();
        let text = match e.how {
            OpKind::Dissolve => format!("Giải thể (trực thuộc {parent_name})"),
            OpKind::End => "Kết thúc hoạt động".to_owned(),
            OpKind::Merge => format!("Hợp nhất vào {}", succ.join(", ")),
            OpKind::Split => format!("Chia tách thành {}", succ.join(", ")),
            _ => "Kết thúc".to_owned(),
        };
        return (e.how.as_str().to_owned(), text);
    }
    if resolved.restored.contains(&id) {
        let under = resolved
            .moves
            .iter()
            .find(|(x, _)| *x == id)
            .map_or(parent_name, |(_, to)| name(*to));
        return (
            OpKind::Restore.as_str().to_owned(),
            format!("Khôi phục hoạt động, trực thuộc {under}"),
        );
    }
    if let Some((_, to)) = resolved.moves.iter().find(|(x, _)| *x == id) {
        return (
            OpKind::Transfer.as_str().to_owned(),
            format!("Chuyển từ {parent_name} sang {}", name(*to)),
        );
    }
    if let Some((_, n, c)) = resolved.renamed.iter().find(|(x, _, _)| *x == id) {
        let mut parts = Vec::new();
        if let Some(n) = n {
            parts.push(format!("tên mới {n}"));
        }
        if let Some(c) = c {
            parts.push(format!("mã mới {c}"));
        }
        return (
            OpKind::Rename.as_str().to_owned(),
            format!("Đổi tên: {}", parts.join(", ")),
        );
    }
    (String::new(), String::new())
}

/// Everything [`build`] reads.
pub struct Parts<'a> {
    pub id: i64,
    pub plan: &'a Plan,
    pub tree: &'a Tree,
    pub by_id: &'a HashMap<i64, UnionRow>,
    pub resolved: &'a Resolved,
    pub created_ids: &'a [i64],
    pub before: &'a BTreeMap<i64, Figures>,
    pub after: &'a BTreeMap<i64, Figures>,
    pub members_moved: usize,
    pub initiatives_rescoped: usize,
    pub handed: crate::db::reorganisations::HandOver,
    pub quotas_carried: usize,
    pub issuer: i64,
}

/// The report of an applied plan (read inside its transaction).
pub fn build(conn: &mut DbConn, p: Parts<'_>) -> Result<Report, AppError> {
    let brief = |id: i64| UnionBrief {
        union_id: id,
        code: p.by_id.get(&id).map(|u| u.code.clone()).unwrap_or_default(),
        name: p.by_id.get(&id).map(|u| u.name.clone()).unwrap_or_default(),
    };
    let mut changes = Vec::new();
    for (i, c) in p.resolved.created.iter().enumerate() {
        changes.push(UnionChange {
            union_id: p.created_ids.get(i).copied().unwrap_or_default(),
            code: c.code.clone(),
            name: c.name.clone(),
            action: "create".to_owned(),
            text: format!(
                "Thành lập, trực thuộc {}",
                name_of(p.by_id, p.resolved, c.parent)
            ),
            members: 0,
        });
    }
    let mut ids: Vec<i64> = p
        .resolved
        .ended
        .iter()
        .map(|e| e.id)
        .chain(p.resolved.moves.iter().map(|(x, _)| *x))
        .chain(p.resolved.renamed.iter().map(|(x, _, _)| *x))
        .chain(p.resolved.restored.iter().copied())
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    ids.retain(|x| seen.insert(*x));
    for id in ids {
        let (action, text) = describe(p.by_id, p.resolved, id);
        let follows = p
            .plan
            .rows
            .iter()
            .all(|r| p.by_id.get(&id).is_none_or(|u| u.code != r.code.trim()));
        let b = brief(id);
        changes.push(UnionChange {
            union_id: id,
            code: b.code,
            name: b.name,
            action: if follows && action == "transfer" {
                "follow".to_owned()
            } else {
                action
            },
            text,
            members: p.by_id.get(&id).map_or(0, |u| i64::from(u.member_count)),
        });
    }
    let mut members_left = Vec::new();
    let sent: std::collections::BTreeSet<i64> =
        p.resolved.members.iter().map(|(from, _)| *from).collect();
    for e in &p.resolved.ended {
        if sent.contains(&e.id) || !e.successors.is_empty() {
            continue;
        }
        let accounts: i64 = users::table
            .filter(users::union_id.eq(e.id))
            .count()
            .get_result(conn)?;
        if accounts > 0 {
            let b = brief(e.id);
            members_left.push(MembersLeft {
                union_id: e.id,
                code: b.code,
                name: b.name,
                accounts,
            });
        }
    }
    let mut figures = Vec::new();
    let totals = |f: Option<&Figures>| -> BTreeMap<i64, (i64, i64)> {
        let mut out: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
        for ((program, _), c) in f.map(|f| &f.counts).into_iter().flatten() {
            let t = out.entry(*program).or_default();
            t.0 += c.iter().sum::<i64>();
            t.1 += c[3];
        }
        out
    };
    let mut watched: Vec<i64> = p.before.keys().chain(p.after.keys()).copied().collect();
    watched.sort_by_key(|id| (p.tree.chain(*id).len(), *id));
    watched.dedup();
    for id in watched {
        let (b, a) = (totals(p.before.get(&id)), totals(p.after.get(&id)));
        let programs: std::collections::BTreeSet<i64> = b.keys().chain(a.keys()).copied().collect();
        for program in programs {
            let (sb, ab) = b.get(&program).copied().unwrap_or_default();
            let (sa, aa) = a.get(&program).copied().unwrap_or_default();
            if (sb, ab) == (sa, aa) {
                continue;
            }
            let u = brief(id);
            figures.push(FigureChange {
                program_id: program,
                union_id: id,
                code: u.code,
                name: u.name,
                submitted_before: sb,
                submitted_after: sa,
                approved_before: ab,
                approved_after: aa,
            });
        }
    }
    Ok(Report {
        id: p.id,
        dry_run: false,
        decision_no: p.plan.decision_no.clone(),
        decided_on: p.plan.decided_on,
        effective_on: p.plan.effective_on,
        note: p.plan.note.clone(),
        issuer: brief(p.issuer),
        summary: summary(p.plan, p.resolved),
        changes,
        members_moved: p.members_moved,
        members_left,
        initiatives_rescoped: p.initiatives_rescoped,
        handed_over: HandedOver {
            programs: p.handed.programs,
            grants: p.handed.grants,
            committees: p.handed.committees,
            open_reviews: p.handed.cases,
        },
        quotas_carried: p.quotas_carried,
        figures,
    })
}
