//! Reorganisations (`reorganisations`), the tree over time (`union_versions`) and who
//! succeeded whom (`union_successions`): the rows a reorganisation writes and the tree as of
//! a date. A union without versions has always been as its row is now.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::DbConn;
use super::schema::{reorganisations, union_successions, union_versions, unions};
use super::unions::UnionRow;

/// A stored reorganisation.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = reorganisations)]
pub struct ReorganisationRow {
    pub id: i64,
    pub decision_no: String,
    pub decided_on: Option<NaiveDate>,
    pub issuer_union_id: i64,
    pub effective_on: NaiveDate,
    pub note: String,
    pub operations: String,
    pub report: String,
    pub reverts_id: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    /// What it changed beyond the tree, to put back exactly (JSON; `{}` when unknown).
    pub undo: String,
}

/// A reorganisation to record.
#[derive(Debug, Clone)]
pub struct NewReorganisation<'a> {
    pub decision_no: &'a str,
    pub decided_on: Option<NaiveDate>,
    pub issuer_union_id: i64,
    pub effective_on: NaiveDate,
    pub note: &'a str,
    pub operations: &'a str,
    pub reverts_id: Option<i64>,
    pub created_by: i64,
    pub now: NaiveDateTime,
}

/// Records a reorganisation (its report is set when it is known: [`set_report`]).
pub fn insert(conn: &mut DbConn, new: &NewReorganisation<'_>) -> QueryResult<i64> {
    diesel::insert_into(reorganisations::table)
        .values((
            reorganisations::decision_no.eq(new.decision_no),
            reorganisations::decided_on.eq(new.decided_on),
            reorganisations::issuer_union_id.eq(new.issuer_union_id),
            reorganisations::effective_on.eq(new.effective_on),
            reorganisations::note.eq(new.note),
            reorganisations::operations.eq(new.operations),
            reorganisations::report.eq("{}"),
            reorganisations::reverts_id.eq(new.reverts_id),
            reorganisations::created_by.eq(Some(new.created_by)),
            reorganisations::created_at.eq(new.now),
        ))
        .returning(reorganisations::id)
        .get_result(conn)
}

/// Stores a reorganisation's report.
pub fn set_report(conn: &mut DbConn, id: i64, report: &str) -> QueryResult<()> {
    diesel::update(reorganisations::table.find(id))
        .set(reorganisations::report.eq(report))
        .execute(conn)
        .map(|_| ())
}

/// Stores what a reorganisation changed, for its revert.
pub fn set_undo(conn: &mut DbConn, id: i64, undo: &str) -> QueryResult<()> {
    diesel::update(reorganisations::table.find(id))
        .set(reorganisations::undo.eq(undo))
        .execute(conn)
        .map(|_| ())
}

/// The reorganisation that reverted this one, if any: (id, decision number).
pub fn reverted_by(conn: &mut DbConn, id: i64) -> QueryResult<Option<(i64, String)>> {
    reorganisations::table
        .filter(reorganisations::reverts_id.eq(id))
        .select((reorganisations::id, reorganisations::decision_no))
        .order(reorganisations::id)
        .first(conn)
        .optional()
}

/// Every revert: (the reverting reorganisation, the one it reverts).
pub fn reverts(conn: &mut DbConn) -> QueryResult<Vec<(i64, i64)>> {
    Ok(reorganisations::table
        .filter(reorganisations::reverts_id.is_not_null())
        .select((reorganisations::id, reorganisations::reverts_id))
        .load::<(i64, Option<i64>)>(conn)?
        .into_iter()
        .filter_map(|(id, r)| r.map(|r| (id, r)))
        .collect())
}

/// The reorganisations recorded after `after` that changed any of these unions: (union,
/// reorganisation), by reorganisation.
pub fn later_changes(conn: &mut DbConn, ids: &[i64], after: i64) -> QueryResult<Vec<(i64, i64)>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(i64, Option<i64>)> = union_versions::table
            .filter(union_versions::union_id.eq_any(chunk))
            .filter(union_versions::reorganisation_id.gt(after))
            .select((union_versions::union_id, union_versions::reorganisation_id))
            .load(conn)?;
        out.extend(rows.into_iter().filter_map(|(u, r)| r.map(|r| (u, r))));
    }
    out.sort_by_key(|(u, r)| (*r, *u));
    out.dedup();
    Ok(out)
}

/// A reorganisation by id.
pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<ReorganisationRow>> {
    reorganisations::table
        .find(id)
        .select(ReorganisationRow::as_select())
        .first(conn)
        .optional()
}

/// Reorganisations, the latest effective first, a page at a time.
pub fn list(conn: &mut DbConn, limit: i64, offset: i64) -> QueryResult<Vec<ReorganisationRow>> {
    reorganisations::table
        .order((
            reorganisations::effective_on.desc(),
            reorganisations::id.desc(),
        ))
        .limit(limit)
        .offset(offset)
        .select(ReorganisationRow::as_select())
        .load(conn)
}

/// How many reorganisations are recorded.
pub fn count(conn: &mut DbConn) -> QueryResult<i64> {
    reorganisations::table.count().get_result(conn)
}

/// A union's state over a period.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = union_versions)]
pub struct VersionRow {
    pub union_id: i64,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub parent_id: Option<i64>,
    pub level: i32,
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    pub cluster: Option<String>,
    pub active: bool,
    pub reorganisation_id: Option<i64>,
}

impl VersionRow {
    /// The union's row as it stands now, as a version with no end (and no start, for a union
    /// that never had versions).
    pub fn of_row(u: &UnionRow, valid_from: Option<NaiveDate>) -> Self {
        Self {
            union_id: u.id,
            valid_from,
            valid_to: None,
            parent_id: u.parent_id,
            level: u.level,
            code: u.code.clone(),
            name: u.name.clone(),
            short_name: u.short_name.clone(),
            cluster: u.cluster.clone(),
            active: u.active,
            reorganisation_id: None,
        }
    }

    /// Whether it holds on `day`.
    pub fn holds_on(&self, day: NaiveDate) -> bool {
        self.valid_from.is_none_or(|f| f <= day) && self.valid_to.is_none_or(|t| t > day)
    }
}

/// Every version of these unions (all unions when `ids` is `None`), oldest first per union.
pub fn versions(conn: &mut DbConn, ids: Option<&[i64]>) -> QueryResult<Vec<VersionRow>> {
    let mut q = union_versions::table.into_boxed();
    if let Some(ids) = ids {
        q = q.filter(union_versions::union_id.eq_any(ids));
    }
    let mut rows: Vec<VersionRow> = q.select(VersionRow::as_select()).load(conn)?;
    rows.sort_by_key(|v| (v.union_id, v.valid_from));
    Ok(rows)
}

/// The date each union last changed by a reorganisation (the start of its latest version).
pub fn last_changes(conn: &mut DbConn) -> QueryResult<Vec<(i64, Option<NaiveDate>)>> {
    union_versions::table
        .group_by(union_versions::union_id)
        .select((
            union_versions::union_id,
            diesel::dsl::max(union_versions::valid_from),
        ))
        .load(conn)
}

/// Changes a union's state from `day`: its open version (the row as it is, for a union
/// without versions) ends on `day` and `next` holds from it. A version that started on `day`
/// itself (two reorganisations on one date) is replaced instead.
pub fn change_from(
    conn: &mut DbConn,
    current: &UnionRow,
    day: NaiveDate,
    next: &VersionRow,
) -> QueryResult<()> {
    let any: bool = diesel::select(diesel::dsl::exists(
        union_versions::table.filter(union_versions::union_id.eq(current.id)),
    ))
    .get_result(conn)?;
    if !any {
        insert_version(conn, &VersionRow::of_row(current, None), Some(day))?;
    } else {
        let open = union_versions::table
            .filter(union_versions::union_id.eq(current.id))
            .filter(union_versions::valid_to.is_null());
        diesel::delete(open.filter(union_versions::valid_from.eq(day))).execute(conn)?;
        diesel::update(
            union_versions::table
                .filter(union_versions::union_id.eq(current.id))
                .filter(union_versions::valid_to.is_null()),
        )
        .set(union_versions::valid_to.eq(day))
        .execute(conn)?;
    }
    insert_version(conn, next, None)
}

/// Writes a version (ending on `valid_to` when given, else as the version says).
pub fn insert_version(
    conn: &mut DbConn,
    v: &VersionRow,
    valid_to: Option<NaiveDate>,
) -> QueryResult<()> {
    diesel::insert_into(union_versions::table)
        .values((
            union_versions::union_id.eq(v.union_id),
            union_versions::valid_from.eq(v.valid_from),
            union_versions::valid_to.eq(valid_to.or(v.valid_to)),
            union_versions::parent_id.eq(v.parent_id),
            union_versions::level.eq(v.level),
            union_versions::code.eq(&v.code),
            union_versions::name.eq(&v.name),
            union_versions::short_name.eq(&v.short_name),
            union_versions::cluster.eq(&v.cluster),
            union_versions::active.eq(v.active),
            union_versions::reorganisation_id.eq(v.reorganisation_id),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Statements list at most this many ids or rows.
const CHUNK: usize = 500;

/// [`change_from`] for many unions at once, each `(current, next)` as it does it: a few
/// statements for every 500 unions, the versions written by multi-row inserts.
pub fn change_many_from(
    conn: &mut DbConn,
    changes: &[(&UnionRow, &VersionRow)],
    day: NaiveDate,
) -> QueryResult<()> {
    use std::collections::HashSet;
    let ids: Vec<i64> = changes.iter().map(|(c, _)| c.id).collect();
    let mut versioned: HashSet<i64> = HashSet::new();
    for chunk in ids.chunks(CHUNK) {
        versioned.extend(
            union_versions::table
                .filter(union_versions::union_id.eq_any(chunk))
                .select(union_versions::union_id)
                .distinct()
                .load::<i64>(conn)?,
        );
    }
    let with: Vec<i64> = ids
        .iter()
        .copied()
        .filter(|id| versioned.contains(id))
        .collect();
    for chunk in with.chunks(CHUNK) {
        diesel::delete(
            union_versions::table
                .filter(union_versions::union_id.eq_any(chunk))
                .filter(union_versions::valid_to.is_null())
                .filter(union_versions::valid_from.eq(day)),
        )
        .execute(conn)?;
        diesel::update(
            union_versions::table
                .filter(union_versions::union_id.eq_any(chunk))
                .filter(union_versions::valid_to.is_null()),
        )
        .set(union_versions::valid_to.eq(day))
        .execute(conn)?;
    }
    let mut rows: Vec<VersionRow> = Vec::with_capacity(changes.len() * 2);
    for (current, next) in changes {
        if !versioned.contains(&current.id) {
            let mut before = VersionRow::of_row(current, None);
            before.valid_to = Some(day);
            rows.push(before);
        }
        rows.push((*next).clone());
    }
    insert_versions(conn, &rows)
}

/// Writes versions as they are, by multi-row inserts.
pub fn insert_versions(conn: &mut DbConn, rows: &[VersionRow]) -> QueryResult<()> {
    for chunk in rows.chunks(CHUNK) {
        let values: Vec<_> = chunk
            .iter()
            .map(|v| {
                (
                    union_versions::union_id.eq(v.union_id),
                    union_versions::valid_from.eq(v.valid_from),
                    union_versions::valid_to.eq(v.valid_to),
                    union_versions::parent_id.eq(v.parent_id),
                    union_versions::level.eq(v.level),
                    union_versions::code.eq(&v.code),
                    union_versions::name.eq(&v.name),
                    union_versions::short_name.eq(&v.short_name),
                    union_versions::cluster.eq(&v.cluster),
                    union_versions::active.eq(v.active),
                    union_versions::reorganisation_id.eq(v.reorganisation_id),
                )
            })
            .collect();
        crate::on_backend!(conn, |c| diesel::insert_into(union_versions::table)
            .values(&values)
            .execute(c))?;
    }
    Ok(())
}

/// [`ended_on`] for many unions (those not found are left out).
pub fn ended_on_many(
    conn: &mut DbConn,
    ids: &[i64],
) -> QueryResult<std::collections::HashMap<i64, Option<NaiveDate>>> {
    let mut out = std::collections::HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        out.extend(
            unions::table
                .filter(unions::id.eq_any(chunk))
                .select((unions::id, unions::ended_on))
                .load::<(i64, Option<NaiveDate>)>(conn)?,
        );
    }
    Ok(out)
}

/// A union as of a date: its version then (or its row, for a union without versions).
pub fn as_of(conn: &mut DbConn, id: i64, day: NaiveDate) -> QueryResult<Option<VersionRow>> {
    let versions = versions(conn, Some(&[id]))?;
    if versions.is_empty() {
        return Ok(super::unions::find(conn, id)?.map(|u| VersionRow::of_row(&u, None)));
    }
    Ok(versions.into_iter().find(|v| v.holds_on(day)))
}

/// The unions directly under `parent` on `day`, in operation then, by name.
pub fn children_as_of(
    conn: &mut DbConn,
    parent: i64,
    day: NaiveDate,
) -> QueryResult<Vec<VersionRow>> {
    let versioned: Vec<VersionRow> = union_versions::table
        .filter(union_versions::parent_id.eq(parent))
        .filter(
            union_versions::valid_from
                .is_null()
                .or(union_versions::valid_from.le(day)),
        )
        .filter(
            union_versions::valid_to
                .is_null()
                .or(union_versions::valid_to.gt(day)),
        )
        .filter(union_versions::active.eq(true))
        .select(VersionRow::as_select())
        .load(conn)?;
    let unversioned: Vec<UnionRow> = unions::table
        .filter(unions::parent_id.eq(parent))
        .filter(unions::active.eq(true))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            union_versions::table.filter(union_versions::union_id.eq(unions::id)),
        )))
        .select(UnionRow::as_select())
        .load(conn)?;
    let mut out = versioned;
    out.extend(unversioned.iter().map(|u| VersionRow::of_row(u, None)));
    out.sort_by(|a, b| a.name.cmp(&b.name).then(a.union_id.cmp(&b.union_id)));
    Ok(out)
}

/// Records that `successor` succeeds `predecessor`.
pub fn add_succession(
    conn: &mut DbConn,
    reorganisation_id: i64,
    predecessor_id: i64,
    successor_id: i64,
    carries: bool,
) -> QueryResult<()> {
    diesel::insert_into(union_successions::table)
        .values((
            union_successions::reorganisation_id.eq(reorganisation_id),
            union_successions::predecessor_id.eq(predecessor_id),
            union_successions::successor_id.eq(successor_id),
            union_successions::carries.eq(carries),
        ))
        .execute(conn)
        .map(|_| ())
}

/// A succession: (reorganisation, predecessor, successor, carries its figures).
pub type Succession = (i64, i64, i64, bool);

/// The successions a union is part of, on either side.
pub fn successions_of(conn: &mut DbConn, id: i64) -> QueryResult<Vec<Succession>> {
    union_successions::table
        .filter(
            union_successions::predecessor_id
                .eq(id)
                .or(union_successions::successor_id.eq(id)),
        )
        .select((
            union_successions::reorganisation_id,
            union_successions::predecessor_id,
            union_successions::successor_id,
            union_successions::carries,
        ))
        .load(conn)
}

/// Sets a union's place, name, code and state (what a reorganisation changes on its row).
pub fn set_state(
    conn: &mut DbConn,
    v: &VersionRow,
    ended_on: Option<NaiveDate>,
    path: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(unions::table.find(v.union_id))
        .set((
            unions::parent_id.eq(v.parent_id),
            unions::code.eq(&v.code),
            unions::name.eq(&v.name),
            unions::short_name.eq(&v.short_name),
            unions::cluster.eq(&v.cluster),
            unions::active.eq(v.active),
            unions::ended_on.eq(ended_on),
            unions::path.eq(path),
            unions::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The day a union ended by a reorganisation, if it did.
pub fn ended_on(conn: &mut DbConn, id: i64) -> QueryResult<Option<NaiveDate>> {
    Ok(unions::table
        .find(id)
        .select(unions::ended_on)
        .first::<Option<NaiveDate>>(conn)
        .optional()?
        .flatten())
}

/// A committee whose open reviews a hand-over moved: (committee, its name, the taker's
/// committee that received its open cases, or `None` when it moved whole; cases moved).
pub type MovedReviews = (i64, String, Option<i64>, usize);

/// What an ended union handed to the union that takes over from it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HandOver {
    /// Programs it owned.
    pub programs: usize,
    /// Officers' and administrators' grants over it (members' follow the members).
    pub grants: usize,
    /// Its committees, moved whole (the taker had none for that stage).
    pub committees: usize,
    /// Open review cases moved to the taker's own committee for the same stage.
    pub cases: usize,
    /// Each committee concerned, to tell its reviewers.
    pub reviews: Vec<MovedReviews>,
    /// What moved, by id, to put it back: programs, grants, committees, and open cases with
    /// the committee each was at.
    pub moved: Handed,
}

/// What one ended union handed over, by id (a reorganisation's record, for its revert).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Handed {
    pub from: i64,
    pub to: i64,
    pub programs: Vec<i64>,
    pub grants: Vec<i64>,
    pub committees: Vec<i64>,
    /// (case, the committee it was at).
    pub cases: Vec<(i64, i64)>,
}

/// Hands what belongs to an ended union `from` to `to`: the programs it owned, with `grants`
/// the roles held over it (not members'), and its committees — each moved whole, or, when
/// `to` has a committee for the same stage, its open cases moved to that one.
pub fn hand_over(conn: &mut DbConn, from: i64, to: i64, grants: bool) -> QueryResult<HandOver> {
    use super::schema::{committees, programs, review_cases, role_grants};
    let mut moved = Handed {
        from,
        to,
        ..Handed::default()
    };
    moved.programs = programs::table
        .filter(programs::owner_union_id.eq(from))
        .select(programs::id)
        .load(conn)?;
    let programs = diesel::update(programs::table.filter(programs::owner_union_id.eq(from)))
        .set(programs::owner_union_id.eq(to))
        .execute(conn)?;
    let grants = if grants {
        let officers = role_grants::table
            .filter(role_grants::union_id.eq(from))
            .filter(role_grants::role.ne("member"));
        moved.grants = officers.select(role_grants::id).load(conn)?;
        diesel::update(officers)
            .set(role_grants::union_id.eq(to))
            .execute(conn)?
    } else {
        0
    };
    let mut out = HandOver {
        programs,
        grants,
        ..HandOver::default()
    };
    let theirs: Vec<(i64, i64, String)> = committees::table
        .filter(committees::union_id.eq(from))
        .select((committees::id, committees::stage_id, committees::name))
        .load(conn)?;
    for (committee, stage, name) in theirs {
        let taker: Option<i64> = committees::table
            .filter(committees::union_id.eq(to))
            .filter(committees::stage_id.eq(stage))
            .select(committees::id)
            .first(conn)
            .optional()?;
        match taker {
            None => {
                out.committees += diesel::update(committees::table.find(committee))
                    .set(committees::union_id.eq(to))
                    .execute(conn)?;
                moved.committees.push(committee);
                out.reviews.push((committee, name, None, 0));
            }
            Some(taker) => {
                let open = review_cases::table
                    .filter(review_cases::committee_id.eq(committee))
                    .filter(review_cases::state.ne("closed"));
                let cases: Vec<i64> = open.select(review_cases::id).load(conn)?;
                let n = diesel::update(open)
                    .set(review_cases::committee_id.eq(taker))
                    .execute(conn)?;
                moved
                    .cases
                    .extend(cases.into_iter().map(|c| (c, committee)));
                out.cases += n;
                if n > 0 {
                    out.reviews.push((committee, name, Some(taker), n));
                }
            }
        }
    }
    out.moved = moved;
    Ok(out)
}

/// A quota as it was before a merger replaced it: (id, kind, value, member basis).
pub type QuotaWas = (i64, String, i64, Option<i64>);

/// What carrying quotas changed: the successor's quotas as they were, and those it added.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Carried {
    pub replaced: Vec<QuotaWas>,
    pub added: Vec<i64>,
    /// The scopes changed: (union, program, phase).
    #[serde(default)]
    pub scopes: Vec<(i64, i64, Option<i64>)>,
}

impl Carried {
    /// The scopes (program, phase) changed for one union.
    pub fn scopes_of(&self, union: i64) -> Vec<(i64, Option<i64>)> {
        self.scopes
            .iter()
            .filter(|(u, _, _)| *u == union)
            .map(|(_, p, ph)| (*p, *ph))
            .collect()
    }
}

/// Carries the quotas of merged unions to their successor: per program and phase, the
/// successor's quota becomes its own (resolved to a number) plus each predecessor's; returns
/// what it replaced and added (one per (program, phase) pair changed).
pub fn carry_quotas(
    conn: &mut DbConn,
    preds: &[i64],
    to: i64,
    now: NaiveDateTime,
) -> QueryResult<Carried> {
    use super::schema::quotas;
    use crate::domain::QuotaKind;
    type QuotaRow = (i64, i64, Option<i64>, i64, String, i64, Option<i64>);
    let mut ids = preds.to_vec();
    ids.push(to);
    let rows: Vec<QuotaRow> = quotas::table
        .filter(quotas::union_id.eq_any(&ids))
        .select((
            quotas::id,
            quotas::program_id,
            quotas::phase_id,
            quotas::union_id,
            quotas::kind,
            quotas::value,
            quotas::member_basis,
        ))
        .load(conn)?;
    let mut sums: std::collections::BTreeMap<(i64, Option<i64>), (i64, Option<i64>)> =
        std::collections::BTreeMap::new();
    let mut was = std::collections::BTreeMap::new();
    for (id, program, phase, union_id, kind, value, basis) in &rows {
        let n = QuotaKind::parse(kind).map_or(0, |k| k.target(*value, basis.unwrap_or(0)));
        let e = sums.entry((*program, *phase)).or_default();
        e.0 += n;
        if *union_id == to {
            e.1 = Some(*id);
            was.insert(*id, (*id, kind.clone(), *value, *basis));
        }
    }
    let mut changed = Carried::default();
    for ((program, phase), (total, own)) in sums {
        changed.scopes.push((to, program, phase));
        match own {
            Some(id) => {
                changed.replaced.extend(was.remove(&id));
                diesel::update(quotas::table.find(id))
                    .set((
                        quotas::kind.eq(QuotaKind::Absolute.as_str()),
                        quotas::value.eq(total),
                        quotas::member_basis.eq(None::<i64>),
                        quotas::updated_at.eq(now),
                    ))
                    .execute(conn)?;
            }
            None => {
                let id: i64 = diesel::insert_into(quotas::table)
                    .values((
                        quotas::program_id.eq(program),
                        quotas::phase_id.eq(phase),
                        quotas::union_id.eq(to),
                        quotas::kind.eq(QuotaKind::Absolute.as_str()),
                        quotas::value.eq(total),
                        quotas::created_at.eq(now),
                        quotas::updated_at.eq(now),
                    ))
                    .returning(quotas::id)
                    .get_result(conn)?;
                changed.added.push(id);
            }
        }
    }
    Ok(changed)
}

/// Sets a union's emulation cluster (or none), on its row and its open version.
pub fn set_cluster(conn: &mut DbConn, id: i64, cluster: Option<&str>) -> QueryResult<()> {
    diesel::update(unions::table.find(id))
        .set(unions::cluster.eq(cluster))
        .execute(conn)?;
    diesel::update(
        union_versions::table
            .filter(union_versions::union_id.eq(id))
            .filter(union_versions::valid_to.is_null()),
    )
    .set(union_versions::cluster.eq(cluster))
    .execute(conn)
    .map(|_| ())
}

/// The reorganisations effective from `from` to `to` (both included), with the path of the
/// union that issued each: (id, decision number, effective date, issuer's path), the latest
/// effective first. Few exist (a handful a year per province).
pub fn effective_between(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<(i64, String, NaiveDate, String)>> {
    reorganisations::table
        .inner_join(unions::table.on(unions::id.eq(reorganisations::issuer_union_id)))
        .filter(reorganisations::effective_on.ge(from))
        .filter(reorganisations::effective_on.le(to))
        .order((
            reorganisations::effective_on.desc(),
            reorganisations::id.desc(),
        ))
        .select((
            reorganisations::id,
            reorganisations::decision_no,
            reorganisations::effective_on,
            unions::path,
        ))
        .load(conn)
}

/// The accounts of a union and their member grants there, by id: whom a reorganisation
/// moves with it.
pub fn members_of(conn: &mut DbConn, union: i64) -> QueryResult<(Vec<i64>, Vec<i64>)> {
    use super::schema::{role_grants, users};
    let accounts = users::table
        .filter(users::union_id.eq(union))
        .select(users::id)
        .order(users::id)
        .load(conn)?;
    let grants = role_grants::table
        .filter(role_grants::role.eq("member"))
        .filter(role_grants::union_id.eq(union))
        .select(role_grants::id)
        .order(role_grants::id)
        .load(conn)?;
    Ok((accounts, grants))
}

/// Puts accounts and their member grants back in `from`, those still in `to`; returns the
/// accounts moved.
pub fn members_back(
    conn: &mut DbConn,
    from: i64,
    to: i64,
    accounts: &[i64],
    grants: &[i64],
) -> QueryResult<usize> {
    use super::schema::{role_grants, users};
    let mut n = 0;
    for chunk in accounts.chunks(500) {
        n += diesel::update(
            users::table
                .filter(users::id.eq_any(chunk))
                .filter(users::union_id.eq(to)),
        )
        .set(users::union_id.eq(from))
        .execute(conn)?;
    }
    for chunk in grants.chunks(500) {
        diesel::update(
            role_grants::table
                .filter(role_grants::id.eq_any(chunk))
                .filter(role_grants::union_id.eq(to)),
        )
        .set(role_grants::union_id.eq(from))
        .execute(conn)?;
    }
    Ok(n)
}

/// Puts back what an ended union handed over (those still where it went); returns what
/// went back, as counted in a report, with the committees whose reviewers are to be told
/// (each committee losing open cases with the one receiving them, and each committee moved
/// back whole).
pub fn hand_back(conn: &mut DbConn, h: &Handed) -> QueryResult<HandOver> {
    use super::schema::{committees, programs, review_cases, role_grants};
    let mut out = HandOver::default();
    // Where the open cases are now, before they go back.
    let case_ids: Vec<i64> = h.cases.iter().map(|(c, _)| *c).collect();
    let mut now_at: std::collections::HashMap<i64, i64> =
        std::collections::HashMap::with_capacity(case_ids.len());
    for chunk in case_ids.chunks(500) {
        let rows: Vec<(i64, Option<i64>)> = review_cases::table
            .filter(review_cases::id.eq_any(chunk))
            .filter(review_cases::state.ne("closed"))
            .select((review_cases::id, review_cases::committee_id))
            .load(conn)?;
        now_at.extend(rows.into_iter().filter_map(|(c, k)| Some((c, k?))));
    }
    let mut told: std::collections::BTreeMap<(i64, i64), usize> = std::collections::BTreeMap::new();
    for (case, committee) in &h.cases {
        if let Some(at) = now_at.get(case).filter(|at| *at != committee) {
            *told.entry((*at, *committee)).or_default() += 1;
        }
    }
    let name_of = |conn: &mut DbConn, id: i64| -> QueryResult<String> {
        Ok(committees::table
            .find(id)
            .select(committees::name)
            .first::<String>(conn)
            .optional()?
            .unwrap_or_default())
    };
    for ((at, back_to), cases) in told {
        let name = name_of(conn, at)?;
        out.reviews.push((at, name, Some(back_to), cases));
    }
    for c in &h.committees {
        let moves_back: i64 = committees::table
            .filter(committees::id.eq(*c))
            .filter(committees::union_id.eq(h.to))
            .count()
            .get_result(conn)?;
        if moves_back > 0 {
            let name = name_of(conn, *c)?;
            out.reviews.push((*c, name, None, 0));
        }
    }
    for chunk in h.programs.chunks(500) {
        out.programs += diesel::update(
            programs::table
                .filter(programs::id.eq_any(chunk))
                .filter(programs::owner_union_id.eq(h.to)),
        )
        .set(programs::owner_union_id.eq(h.from))
        .execute(conn)?;
    }
    for chunk in h.grants.chunks(500) {
        out.grants += diesel::update(
            role_grants::table
                .filter(role_grants::id.eq_any(chunk))
                .filter(role_grants::union_id.eq(h.to)),
        )
        .set(role_grants::union_id.eq(h.from))
        .execute(conn)?;
    }
    for chunk in h.committees.chunks(500) {
        out.committees += diesel::update(
            committees::table
                .filter(committees::id.eq_any(chunk))
                .filter(committees::union_id.eq(h.to)),
        )
        .set(committees::union_id.eq(h.from))
        .execute(conn)?;
    }
    let mut by_committee: std::collections::BTreeMap<i64, Vec<i64>> =
        std::collections::BTreeMap::new();
    for (case, committee) in &h.cases {
        by_committee.entry(*committee).or_default().push(*case);
    }
    for (committee, cases) in by_committee {
        for chunk in cases.chunks(500) {
            out.cases += diesel::update(
                review_cases::table
                    .filter(review_cases::id.eq_any(chunk))
                    .filter(review_cases::state.ne("closed")),
            )
            .set(review_cases::committee_id.eq(committee))
            .execute(conn)?;
        }
    }
    Ok(out)
}

/// Puts quotas back as they were before a merger carried its predecessors' into them, and
/// removes those it added; returns the quotas changed.
pub fn quotas_back(conn: &mut DbConn, c: &Carried, now: NaiveDateTime) -> QueryResult<usize> {
    use super::schema::quotas;
    let mut n = 0;
    for (id, kind, value, basis) in &c.replaced {
        n += diesel::update(quotas::table.find(*id))
            .set((
                quotas::kind.eq(kind),
                quotas::value.eq(*value),
                quotas::member_basis.eq(*basis),
                quotas::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    for chunk in c.added.chunks(500) {
        n += diesel::delete(quotas::table.filter(quotas::id.eq_any(chunk))).execute(conn)?;
    }
    Ok(n)
}
