//! A reorganisation applied in one transaction: the plan checked against the tree and the
//! actor's scope, new unions created, every moved subtree's figures carried from its old
//! chain of ancestors to its new one (days before the effective date summed onto it, later
//! days as they are), paths rewritten, versions and successions recorded, members moved,
//! audited, and the index told. What it moved besides the tree is recorded for its revert;
//! a reverting plan puts that back. A dry run does all of it and rolls it back.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::Plan;
use super::report::{self, Report};
use super::undo::{self, MembersMoved, Undo};
use crate::db::ledger::{self, Figures};
use crate::db::reorganisations::{self as rq, NewReorganisation, VersionRow};
use crate::db::unions::{self, NewUnion, UnionRow};
use crate::db::{self, DbConn, audit, outbox};
use crate::domain::reorganisation::{self, Before, OpKind, Resolved, RowError, Tree, UnionRef};
use crate::domain::{Action, Actor, Resource, UnionPath, can};
use crate::email::letters::Notice;
use crate::error::{AppError, ErrorCode};
use crate::service::shared::letters;

/// The plan's rows refused, as the API's error.
pub fn refused(rows: Vec<RowError>) -> AppError {
    AppError::new(ErrorCode::PlanInvalid).with_details(serde_json::json!({ "rows": rows }))
}

/// How long each step of an apply took: logged once at its end, for the operator and the
/// benchmark.
struct Steps {
    at: std::time::Instant,
    done: Vec<(&'static str, std::time::Duration)>,
}

impl Steps {
    fn start() -> Steps {
        Steps {
            at: std::time::Instant::now(),
            done: Vec::new(),
        }
    }

    fn mark(&mut self, step: &'static str) {
        let now = std::time::Instant::now();
        self.done.push((step, now - self.at));
        self.at = now;
    }
}

impl std::fmt::Display for Steps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, (step, took)) in self.done.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            write!(f, "{sep}{step} {:.2} s", took.as_secs_f64())?;
        }
        Ok(())
    }
}

/// Applies `plan` for `actor` in the caller's transaction, and says what it did.
pub fn apply_in(conn: &mut DbConn, actor: &Actor, plan: &Plan) -> Result<Report, AppError> {
    let mut steps = Steps::start();
    // Only those who manage some union reorganise anything (each row is then checked).
    let anywhere = can(actor, Action::Administer, Resource::System)
        || actor.grants.iter().any(|g| {
            can(
                actor,
                Action::ManageUnion,
                Resource::Union {
                    path: &g.union_path,
                },
            )
        });
    if !anywhere {
        return Err(AppError::forbidden());
    }
    // A reverting plan is the inverse of its reorganisation as it stands now; restoring is
    // for reverting plans only.
    let reverting: Option<Undo> = match plan.reverts_id {
        Some(r) => Some(super::revert::check(conn, plan, r)?),
        None => {
            let typed: Vec<RowError> = plan
                .rows
                .iter()
                .filter(|r| r.action == OpKind::Restore)
                .map(|r| RowError {
                    line: r.line,
                    code: r.code.clone(),
                    reason: "Thao tác khôi phục chỉ có trong phương án hủy bỏ một lần sắp xếp (nút “Hủy bỏ sắp xếp này” trên trang của nó).".to_owned(),
                })
                .collect();
            if !typed.is_empty() {
                return Err(refused(typed));
            }
            None
        }
    };
    let (all, tree) = super::load_tree(conn)?;
    let by_id: HashMap<i64, UnionRow> = all.iter().map(|r| (r.id, r.clone())).collect();
    let resolved =
        reorganisation::resolve(&tree, &plan.rows, plan.effective_on).map_err(refused)?;
    let issuer = authorise(actor, &tree, &by_id, plan, &resolved)?;
    steps.mark("plan checked");
    let now = db::now();
    let day = plan.effective_on;
    // A decision is carried out from the day it takes effect: figures already counted on
    // later days would otherwise sit in the old tree.
    let today = db::counts::vietnam_day(now);
    if day > today {
        return Err(refused(vec![RowError {
            line: 0,
            code: String::new(),
            reason: format!(
                "Ngày hiệu lực {} chưa đến: nhập quyết định từ ngày nó có hiệu lực.",
                crate::format::date(day)
            ),
        }]));
    }
    let operations = serde_json::to_string(&plan.rows).map_err(AppError::internal)?;
    let id = rq::insert(
        conn,
        &NewReorganisation {
            decision_no: &plan.decision_no,
            decided_on: plan.decided_on,
            issuer_union_id: issuer,
            effective_on: day,
            note: &plan.note,
            operations: &operations,
            reverts_id: plan.reverts_id,
            created_by: actor.user_id,
            now,
        },
    )?;

    // The new unions, each with a version from the effective date (none before it).
    let mut created_ids = Vec::with_capacity(resolved.created.len());
    for c in &resolved.created {
        let parent_id = match c.parent {
            UnionRef::Existing(p) => p,
            UnionRef::New(i) => *created_ids
                .get(i)
                .ok_or_else(|| AppError::unexpected("a new union's parent created later"))?,
        };
        let parent = unions::find(conn, parent_id)?.ok_or_else(AppError::not_found)?;
        let row = unions::insert(
            conn,
            &NewUnion {
                parent: Some(&parent),
                level: c.kind.as_i32(),
                code: &c.code,
                name: &c.name,
                short_name: None,
                cluster: None,
                member_count: 0,
                now,
            },
        )?;
        let mut v = VersionRow::of_row(&row, Some(day));
        v.reorganisation_id = Some(id);
        rq::insert_version(conn, &v, None)?;
        created_ids.push(row.id);
    }
    let real = |r: UnionRef| -> Result<i64, AppError> {
        match r {
            UnionRef::Existing(id) => Ok(id),
            UnionRef::New(i) => created_ids
                .get(i)
                .copied()
                .ok_or_else(|| AppError::unexpected("a successor not created")),
        }
    };

    steps.mark("unions created");

    // The tree before and after.
    let mut old_parent: HashMap<i64, Option<i64>> =
        all.iter().map(|r| (r.id, r.parent_id)).collect();
    for (i, c) in resolved.created.iter().enumerate() {
        old_parent.insert(created_ids[i], Some(real(c.parent)?));
    }
    let mut new_parent = old_parent.clone();
    let mut moved: BTreeMap<i64, i64> = BTreeMap::new();
    for (x, to) in &resolved.moves {
        let to = real(*to)?;
        new_parent.insert(*x, Some(to));
        moved.insert(*x, to);
    }
    let chain = |parents: &HashMap<i64, Option<i64>>, id: i64| -> Vec<i64> {
        let mut out = Vec::new();
        let mut at = parents.get(&id).copied().flatten();
        while let Some(p) = at {
            if out.contains(&p) || out.len() > 64 {
                break;
            }
            out.push(p);
            at = parents.get(&p).copied().flatten();
        }
        out
    };

    // The ancestors whose figures change, before.
    let mut watched: BTreeSet<i64> = BTreeSet::new();
    for x in moved.keys() {
        watched.extend(chain(&old_parent, *x));
        watched.extend(chain(&new_parent, *x));
    }
    let watched: Vec<i64> = watched.into_iter().collect();
    let before = ledger::of_unions(conn, &watched)?;

    // Each moved union carries its subtree's figures, less those of moved unions below it
    // (they carry their own).
    let moved_ids: Vec<i64> = moved.keys().copied().collect();
    let figures = ledger::of_unions(conn, &moved_ids)?;
    let mut carried: BTreeMap<i64, Figures> = BTreeMap::new();
    for x in &moved_ids {
        let own = figures.get(x).cloned().unwrap_or_default();
        carried.entry(*x).or_default().add(&own, 1);
        if let Some(holder) = chain(&old_parent, *x)
            .into_iter()
            .find(|a| moved.contains_key(a))
        {
            carried.entry(holder).or_default().add(&own, -1);
        }
    }
    let mut deltas: BTreeMap<i64, Figures> = BTreeMap::new();
    for (x, m) in &carried {
        let m = m.from_day(day);
        let from: Vec<i64> = chain(&old_parent, *x);
        let to: Vec<i64> = chain(&new_parent, *x);
        for a in from.iter().filter(|a| !to.contains(a)) {
            deltas.entry(*a).or_default().add(&m, -1);
        }
        for a in to.iter().filter(|a| !from.contains(a)) {
            deltas.entry(*a).or_default().add(&m, 1);
        }
    }
    deltas.retain(|_, f| !f.is_zero());
    ledger::add(conn, &deltas)?;
    steps.mark("figures carried");

    // Paths: every union under a moved one (and the moved ones) gets its new path, one
    // statement per moved union replacing the old path's prefix by the new one. The deepest
    // first: a subtree moved out of another moved one is rewritten before it, after which its
    // path no longer starts with the outer one's. Their initiatives follow without a write:
    // an initiative's path is its union's.
    let path_of = |id: i64| -> String {
        let mut ids = chain(&new_parent, id);
        ids.reverse();
        ids.push(id);
        let mut p = UnionPath::root(ids[0]);
        for i in &ids[1..] {
            p = p.child(*i);
        }
        p.as_str().to_owned()
    };
    let paths: BTreeMap<i64, String> = moved_ids.iter().map(|x| (*x, path_of(*x))).collect();
    let mut prefixes: Vec<(&str, &str)> = paths
        .iter()
        .filter_map(|(x, new)| {
            let old = by_id.get(x)?.path.as_str();
            (old != new.as_str()).then_some((old, new.as_str()))
        })
        .collect();
    prefixes.sort_by_key(|(old, _)| std::cmp::Reverse(old.matches('/').count()));
    unions::rewrite_subtree_paths(conn, &prefixes)?;
    let repathed: BTreeSet<i64> = paths
        .iter()
        .filter(|(x, new)| by_id.get(x).is_some_and(|r| r.path != **new))
        .flat_map(|(x, _)| tree.subtree(*x))
        .collect();
    let repathed: Vec<i64> = repathed.into_iter().collect();
    let rescoped =
        usize::try_from(db::initiatives::count_of_unions(conn, &repathed)?).unwrap_or_default();
    steps.mark("paths");

    // Each changed union's row and version from the effective date.
    let ended: BTreeMap<i64, &reorganisation::Ended> =
        resolved.ended.iter().map(|e| (e.id, e)).collect();
    let restored: BTreeSet<i64> = resolved.restored.iter().copied().collect();
    let renamed: BTreeMap<i64, (Option<String>, Option<String>)> = resolved
        .renamed
        .iter()
        .map(|(id, n, c)| (*id, (n.clone(), c.clone())))
        .collect();
    let changed: BTreeSet<i64> = moved
        .keys()
        .chain(ended.keys())
        .chain(renamed.keys())
        .chain(restored.iter())
        .copied()
        .collect();
    let mut record = Undo {
        before: changed
            .iter()
            .filter_map(|id| by_id.get(id))
            .map(|r| Before {
                id: r.id,
                parent: r.parent_id,
                code: r.code.clone(),
                name: r.name.clone(),
                active: r.active,
            })
            .collect(),
        created: created_ids.clone(),
        ..Undo::default()
    };
    // Read together, versions written together; each row's state set by its key.
    let changed_ids: Vec<i64> = changed.iter().copied().collect();
    let mut rows: HashMap<i64, UnionRow> = HashMap::with_capacity(changed_ids.len());
    for chunk in changed_ids.chunks(500) {
        rows.extend(
            unions::find_many(conn, chunk)?
                .into_iter()
                .map(|r| (r.id, r)),
        );
    }
    let ended_before = rq::ended_on_many(conn, &changed_ids)?;
    let mut states: Vec<(UnionRow, VersionRow, Option<chrono::NaiveDate>)> =
        Vec::with_capacity(changed_ids.len());
    for uid in &changed {
        let Some(row) = rows.remove(uid) else {
            continue;
        };
        let mut next = VersionRow::of_row(&row, Some(day));
        next.reorganisation_id = Some(id);
        next.parent_id = new_parent.get(uid).copied().flatten();
        if let Some((name, code)) = renamed.get(uid) {
            if let Some(n) = name {
                next.name = n.clone();
            }
            if let Some(c) = code {
                next.code = c.clone();
            }
        }
        let ends = ended.contains_key(uid);
        if ends {
            next.active = false;
        }
        let restores = restored.contains(uid);
        if restores {
            next.active = true;
        }
        let ended_on = if ends {
            Some(day)
        } else if restores {
            None
        } else {
            ended_before.get(uid).copied().flatten()
        };
        states.push((row, next, ended_on));
    }
    let pairs: Vec<(&UnionRow, &VersionRow)> = states.iter().map(|(r, n, _)| (r, n)).collect();
    rq::change_many_from(conn, &pairs, day)?;
    for (row, next, ended_on) in &states {
        rq::set_state(conn, next, *ended_on, &row.path, now)?;
    }
    for e in &resolved.ended {
        for (i, s) in e.successors.iter().enumerate() {
            rq::add_succession(conn, id, e.id, real(*s)?, i == 0)?;
        }
    }
    steps.mark("versions");

    // A reverting plan puts back, by id, what its reorganisation moved besides the tree.
    let put_back = match &reverting {
        Some(u) => {
            // The quotas put back enter the history of allocations from this plan's day.
            let cause = db::programs::QuotaCause {
                reason: db::programs::QuotaReason::Reorganisation(id),
                by: Some(actor.user_id),
                holds_from: day,
            };
            undo::put_back(conn, u, now, cause)?
        }
        None => undo::PutBack::default(),
    };

    // Members follow their union; those of an ended union without a successor stay, and
    // may not take part until an officer moves them.
    let mut members_moved = put_back.members;
    for (from, to) in &resolved.members {
        let to = real(*to)?;
        let ended_with: Vec<i64> = tree
            .subtree(*from)
            .into_iter()
            .filter(|d| {
                ended
                    .get(d)
                    .is_some_and(|e| e.line == ended.get(from).map_or(0, |f| f.line))
            })
            .collect();
        for f in std::iter::once(*from).chain(ended_with.into_iter().filter(|d| d != from)) {
            let (accounts, grants) = rq::members_of(conn, f)?;
            members_moved += db::users::move_union_members(conn, f, to)?;
            record.members.push(MembersMoved {
                from: f,
                to,
                accounts,
                grants,
            });
        }
    }

    steps.mark("members");

    // What belonged to an ended union goes to the union that takes over: a merger's or a
    // split's first successor (programs, officers' roles, committees and open reviews,
    // quotas summed for a merger), or a dissolved union's parent (its programs and
    // committees; its officers keep their roles over its records).
    let mut handed = put_back.handed.clone();
    for (from, to, reviews) in &put_back.reviews {
        tell_reviewers(conn, id, plan, &by_id, *from, *to, reviews, now)?;
    }
    let mut merged_into: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for e in &resolved.ended {
        let (taker, grants) = match e.successors.first() {
            Some(s) => (real(*s)?, true),
            None if e.how == reorganisation::OpKind::Dissolve => {
                match new_parent.get(&e.id).copied().flatten() {
                    Some(p) => (p, false),
                    None => continue,
                }
            }
            None => continue,
        };
        let h = rq::hand_over(conn, e.id, taker, grants)?;
        handed.programs += h.programs;
        handed.grants += h.grants;
        handed.committees += h.committees;
        handed.cases += h.cases;
        tell_reviewers(conn, id, plan, &by_id, e.id, taker, &h.reviews, now)?;
        // The moved cases' reviews go to the members of the committee that took them.
        let cases: Vec<i64> = h.moved.cases.iter().map(|(c, _)| *c).collect();
        crate::service::review::cases_moved_in(conn, &cases, now)?;
        record.handed.push(h.moved);
        if e.how == reorganisation::OpKind::Merge {
            merged_into.entry(taker).or_default().push(e.id);
        }
    }
    steps.mark("handed over");
    let mut quotas_carried = put_back.quotas;
    for (to, preds) in &merged_into {
        let carried = rq::carry_quotas(conn, preds, *to, now)?;
        // The history of allocations: the summed quota holds from the effective date.
        let cause = db::programs::QuotaCause {
            reason: db::programs::QuotaReason::Reorganisation(id),
            by: Some(actor.user_id),
            holds_from: day,
        };
        db::programs::record_current(conn, *to, &carried.scopes_of(*to), now, cause)?;
        quotas_carried += carried.replaced.len() + carried.added.len();
        record.quotas.replaced.extend(carried.replaced);
        record.quotas.added.extend(carried.added);
        record.quotas.scopes.extend(carried.scopes);
    }
    // A union the plan creates by a merger ranks in the emulation cluster of its largest
    // predecessor (by members), until an officer sets another.
    for (to, preds) in &merged_into {
        if !created_ids.contains(to) {
            continue;
        }
        let mut largest: Option<(i64, Option<String>)> = None;
        for p in preds {
            let Some(row) = by_id.get(p) else { continue };
            // Its members before the plan: its whole subtree as it stood.
            let members: i64 = tree
                .subtree(*p)
                .iter()
                .filter_map(|u| by_id.get(u))
                .map(|u| i64::from(u.member_count))
                .sum();
            if largest.as_ref().is_none_or(|(m, _)| members > *m) {
                largest = Some((members, row.cluster.clone()));
            }
        }
        if let Some((_, Some(cluster))) = largest {
            rq::set_cluster(conn, *to, Some(&cluster))?;
            record.clusters.push((*to, None));
        }
    }

    steps.mark("quotas");

    // The audit log, and the index told which subtrees to re-scope.
    let summary = report::summary(plan, &resolved);
    audit::record(
        conn,
        &audit::NewAudit {
            actor_id: Some(actor.user_id),
            entity_type: "reorganisation",
            entity_id: id,
            action: if plan.reverts_id.is_some() {
                "revert"
            } else {
                "apply"
            },
            from_state: None,
            to_state: Some(&plan.decision_no),
            comment: Some(&summary),
            created_at: now,
        },
    )?;
    if let Some(r) = plan.reverts_id {
        let what = format!(
            "Đã hủy bỏ: {}, hiệu lực từ {}.",
            plan.decision_no,
            crate::format::date(day)
        );
        audit::record(
            conn,
            &audit::NewAudit {
                actor_id: Some(actor.user_id),
                entity_type: "reorganisation",
                entity_id: r,
                action: "reverted",
                from_state: None,
                to_state: Some(&plan.decision_no),
                comment: Some(&what),
                created_at: now,
            },
        )?;
    }
    for cid in &changed {
        let what = report::change_text(&by_id, plan, &resolved, *cid);
        audit::record(
            conn,
            &audit::NewAudit {
                actor_id: Some(actor.user_id),
                entity_type: "union",
                entity_id: *cid,
                action: "reorganise",
                from_state: by_id.get(cid).map(|r| r.code.as_str()),
                to_state: None,
                comment: Some(&what),
                created_at: now,
            },
        )?;
    }
    for x in &moved_ids {
        if let (Some(from), Some(to)) = (by_id.get(x), paths.get(x)) {
            outbox::append(
                conn,
                "union.moved",
                "union",
                *x,
                &serde_json::json!({"from": from.path, "to": to}),
                now,
            )?;
        }
    }

    steps.mark("audit");
    let after = ledger::of_unions(conn, &watched)?;
    let report = report::build(
        conn,
        report::Parts {
            id,
            plan,
            tree: &tree,
            by_id: &by_id,
            resolved: &resolved,
            created_ids: &created_ids,
            before: &before,
            after: &after,
            members_moved,
            initiatives_rescoped: rescoped,
            handed,
            quotas_carried,
            issuer,
        },
    )?;
    let text = serde_json::to_string(&report).map_err(AppError::internal)?;
    rq::set_report(conn, id, &text)?;
    let text = serde_json::to_string(&record).map_err(AppError::internal)?;
    rq::set_undo(conn, id, &text)?;
    steps.mark("report");
    tracing::info!(
        reorganisation = id,
        decision = %plan.decision_no,
        unions_changed = changed.len(),
        "reorganisation written in its transaction: {steps}"
    );
    Ok(report)
}

/// Tells the reviewers of each committee whose open reviews moved (and those of the
/// committee that received them) by email, once each.
#[expect(
    clippy::too_many_arguments,
    reason = "the reorganisation's parts, read once"
)]
fn tell_reviewers(
    conn: &mut DbConn,
    reorganisation: i64,
    plan: &Plan,
    by_id: &HashMap<i64, UnionRow>,
    from: i64,
    to: i64,
    moved: &[rq::MovedReviews],
    now: chrono::NaiveDateTime,
) -> Result<(), AppError> {
    let name = |conn: &mut DbConn, id: i64| -> Result<String, AppError> {
        Ok(match by_id.get(&id) {
            Some(u) => u.name.clone(),
            None => unions::find(conn, id)?.map(|u| u.name).unwrap_or_default(),
        })
    };
    let (from_union, to_union) = (name(conn, from)?, name(conn, to)?);
    for (committee, committee_name, taker, cases) in moved {
        let notice = Notice::ReviewsMoved {
            committee_name: committee_name.clone(),
            from_union: from_union.clone(),
            to_union: to_union.clone(),
            cases: i64::try_from(*cases).unwrap_or(i64::MAX),
            decision_no: plan.decision_no.clone(),
            effective_on: crate::format::date(plan.effective_on),
        };
        let mut people = db::review::members(conn, *committee)?;
        if let Some(t) = taker {
            people.extend(db::review::members(conn, *t)?);
        }
        for m in people {
            letters::to_user(
                conn,
                m.user_id,
                &notice,
                Some(format!(
                    "reviews_moved:{reorganisation}:{committee}:{}",
                    m.user_id
                )),
                now,
            )?;
        }
    }
    Ok(())
}

/// Checks that the actor may decide every row (they manage the row's authority union), and
/// returns the union that issues the whole plan (the lowest above every row's authority).
fn authorise(
    actor: &Actor,
    tree: &Tree,
    by_id: &HashMap<i64, UnionRow>,
    plan: &Plan,
    resolved: &Resolved,
) -> Result<i64, AppError> {
    let mut errors = Vec::new();
    for row in &plan.rows {
        let Some(a) = resolved.authority.get(&row.line) else {
            continue;
        };
        let Some(union) = by_id.get(a) else { continue };
        let path = UnionPath::from_stored(union.path.clone());
        if !can(actor, Action::ManageUnion, Resource::Union { path: &path }) {
            errors.push(RowError {
                line: row.line,
                code: row.code.clone(),
                reason: format!(
                    "Ngoài phạm vi của bạn: thao tác {} này cần quyền quản lý {}.",
                    row.action.label(),
                    union.name
                ),
            });
        }
    }
    if !errors.is_empty() {
        return Err(AppError::forbidden()
            .with_message(
                "Phương án có thao tác ngoài phạm vi quản lý của bạn; chưa thực hiện thao tác nào.",
            )
            .with_details(serde_json::json!({ "rows": errors })));
    }
    let authorities: Vec<i64> = resolved.authority.values().copied().collect();
    tree.common_ancestor(&authorities).ok_or_else(|| {
        refused(vec![RowError {
            line: 0,
            code: String::new(),
            reason: "Phương án không có thao tác nào.".to_owned(),
        }])
    })
}
