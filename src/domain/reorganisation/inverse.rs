//! The plan that undoes a reorganisation (hủy bỏ): from what it changed — each union as it
//! stood before, and the unions it created — and the tree as it stands now, the operations
//! that put the tree back. Pure: the service reads both and applies the result as a new
//! reorganisation, so that history keeps both.

use serde::{Deserialize, Serialize};

use super::{OpKind, PlanRow, Tree, UnionKind};

/// A union as it stood before a reorganisation changed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Before {
    pub id: i64,
    pub parent: Option<i64>,
    pub code: String,
    pub name: String,
    pub active: bool,
}

/// The operations that put back what a reorganisation changed, against `tree` (as it is
/// now): ended unions restored (under their former parent), moved ones transferred back,
/// renamed ones named back, and the unions it created ended again (a grassroots union or a
/// group ends, any other is dissolved), the lowest first. Restorations come first, so that
/// the other rows may name a restored union as a place; creations end last, once their
/// children have gone back. A union already as it was gets no row.
pub fn inverse(tree: &Tree, before: &[Before], created: &[i64]) -> Vec<PlanRow> {
    let code = |id: Option<i64>| id.and_then(|p| tree.get(p)).map(|p| p.code.clone());
    let mut restores = Vec::new();
    let mut transfers = Vec::new();
    let mut renames = Vec::new();
    let mut sorted: Vec<&Before> = before.iter().collect();
    sorted.sort_by_key(|b| b.id);
    for b in sorted {
        let Some(n) = tree.get(b.id) else { continue };
        if created.contains(&b.id) {
            continue;
        }
        let blank = |action| PlanRow {
            line: 0,
            action,
            code: n.code.clone(),
            new_parent_code: None,
            successor_code: None,
            new_name: None,
        };
        if b.active && !n.active {
            let mut r = blank(OpKind::Restore);
            if b.parent != n.parent {
                r.new_parent_code = code(b.parent);
            }
            restores.push(r);
        } else if b.parent != n.parent && b.parent.is_some() {
            let mut r = blank(OpKind::Transfer);
            r.new_parent_code = code(b.parent);
            transfers.push(r);
        } else if b.name != n.name || b.code != n.code {
            let mut r = blank(OpKind::Rename);
            r.new_name = (b.name != n.name).then(|| b.name.clone());
            r.successor_code = (b.code != n.code).then(|| b.code.clone());
            renames.push(r);
        }
    }
    let mut ends: Vec<(usize, i64, PlanRow)> = Vec::new();
    for id in created {
        let Some(n) = tree.get(*id) else { continue };
        if !n.active {
            continue;
        }
        let action = if matches!(n.kind, UnionKind::Grassroots | UnionKind::Group) {
            OpKind::End
        } else {
            OpKind::Dissolve
        };
        let row = PlanRow {
            line: 0,
            action,
            code: n.code.clone(),
            new_parent_code: None,
            successor_code: None,
            new_name: None,
        };
        ends.push((tree.chain(*id).len(), *id, row));
    }
    // The lowest first: a group the plan created ends before its grassroots union.
    ends.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut rows: Vec<PlanRow> = restores
        .into_iter()
        .chain(transfers)
        .chain(renames)
        .chain(ends.into_iter().map(|(_, _, r)| r))
        .collect();
    for (i, r) in rows.iter_mut().enumerate() {
        r.line = i + 1;
    }
    rows
}
