//! A union's figures as rows of the three count tables (`union_counts`, `union_days`,
//! `union_fields`), read whole and added to in bulk: what a reorganisation moves from one
//! chain of ancestors to another. Each row counts a union's whole subtree.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::upsert::excluded;

use super::DbConn;
use super::reorganisations::VersionRow;
use super::schema::{union_counts, union_days, union_fields, unions};

/// Statements list at most this many ids or rows.
const CHUNK: usize = 500;

/// The figures of one union's subtree, by key: counts per (program, phase) in the order of
/// `counts::COUNTED`; days per (program, phase, day) as (submitted, approved, rejected,
/// duplicate, revoked); fields per (program, phase, field) as (submitted, approved).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    pub counts: BTreeMap<(i64, i64), [i64; 7]>,
    pub days: BTreeMap<(i64, i64, NaiveDate), [i64; 5]>,
    pub fields: BTreeMap<(i64, i64, i64), [i64; 2]>,
}

fn add_into<K: Ord + Clone, const N: usize>(
    to: &mut BTreeMap<K, [i64; N]>,
    key: &K,
    v: &[i64; N],
    sign: i64,
) {
    let e = to.entry(key.clone()).or_insert([0; N]);
    for (a, b) in e.iter_mut().zip(v) {
        *a += sign * b;
    }
}

impl Figures {
    /// Adds `other` times `sign` (1 or -1).
    pub fn add(&mut self, other: &Figures, sign: i64) {
        for (k, v) in &other.counts {
            add_into(&mut self.counts, k, v, sign);
        }
        for (k, v) in &other.days {
            add_into(&mut self.days, k, v, sign);
        }
        for (k, v) in &other.fields {
            add_into(&mut self.fields, k, v, sign);
        }
    }

    /// The same figures with every day before `day` summed onto `day`: what moves with a
    /// union on a reorganisation's effective date (the days from it on move as they are).
    pub fn from_day(&self, day: NaiveDate) -> Figures {
        let mut out = Figures {
            counts: self.counts.clone(),
            fields: self.fields.clone(),
            days: BTreeMap::new(),
        };
        for ((program, phase, d), v) in &self.days {
            add_into(&mut out.days, &(*program, *phase, (*d).max(day)), v, 1);
        }
        out
    }

    /// Whether every figure is zero.
    pub fn is_zero(&self) -> bool {
        self.counts.values().all(|v| v.iter().all(|n| *n == 0))
            && self.days.values().all(|v| v.iter().all(|n| *n == 0))
            && self.fields.values().all(|v| v.iter().all(|n| *n == 0))
    }

    /// The approved count over programs and phases, per program.
    pub fn approved_by_program(&self) -> BTreeMap<i64, i64> {
        let mut out = BTreeMap::new();
        for ((program, _), c) in &self.counts {
            *out.entry(*program).or_default() += c[3];
        }
        out
    }
}

/// The stored figures of these unions' subtrees, by union.
pub fn of_unions(conn: &mut DbConn, ids: &[i64]) -> QueryResult<BTreeMap<i64, Figures>> {
    let mut out: BTreeMap<i64, Figures> = BTreeMap::new();
    for chunk in ids.chunks(CHUNK) {
        type CountRow = (i64, i64, i64, i32, i32, i32, i32, i32, i32, i32);
        let rows: Vec<CountRow> = union_counts::table
            .filter(union_counts::union_id.eq_any(chunk))
            .select((
                union_counts::union_id,
                union_counts::program_id,
                union_counts::phase_id,
                union_counts::submitted,
                union_counts::under_review,
                union_counts::returned,
                union_counts::approved,
                union_counts::rejected,
                union_counts::duplicate,
                union_counts::revoked,
            ))
            .load(conn)?;
        for (u, p, ph, a, b, c, d, e, f, g) in rows {
            out.entry(u)
                .or_default()
                .counts
                .insert((p, ph), [a, b, c, d, e, f, g].map(i64::from));
        }
        type DayRow = (i64, i64, i64, NaiveDate, i32, i32, i32, i32, i32);
        let rows: Vec<DayRow> = union_days::table
            .filter(union_days::union_id.eq_any(chunk))
            .select((
                union_days::union_id,
                union_days::program_id,
                union_days::phase_id,
                union_days::day,
                union_days::submitted,
                union_days::approved,
                union_days::rejected,
                union_days::duplicate,
                union_days::revoked,
            ))
            .load(conn)?;
        for (u, p, ph, day, a, b, c, d, e) in rows {
            out.entry(u)
                .or_default()
                .days
                .insert((p, ph, day), [a, b, c, d, e].map(i64::from));
        }
        let rows: Vec<(i64, i64, i64, i64, i32, i32)> = union_fields::table
            .filter(union_fields::union_id.eq_any(chunk))
            .select((
                union_fields::union_id,
                union_fields::program_id,
                union_fields::phase_id,
                union_fields::field_id,
                union_fields::submitted,
                union_fields::approved,
            ))
            .load(conn)?;
        for (u, p, ph, f, a, b) in rows {
            out.entry(u)
                .or_default()
                .fields
                .insert((p, ph, f), [a, b].map(i64::from));
        }
    }
    Ok(out)
}

fn int(n: i64) -> i32 {
    i32::try_from(n).unwrap_or(if n < 0 { i32::MIN } else { i32::MAX })
}

/// Adds `deltas` to the stored rows of each union (creating the rows it lacks).
pub fn add(conn: &mut DbConn, deltas: &BTreeMap<i64, Figures>) -> QueryResult<()> {
    use union_counts as c;
    use union_days as d;
    use union_fields as f;
    let counts: Vec<_> = deltas
        .iter()
        .flat_map(|(u, fig)| fig.counts.iter().map(move |(k, v)| (*u, *k, *v)))
        .filter(|(_, _, v)| v.iter().any(|n| *n != 0))
        .map(|(u, (p, ph), v)| {
            (
                c::program_id.eq(p),
                c::union_id.eq(u),
                c::phase_id.eq(ph),
                c::submitted.eq(int(v[0])),
                c::under_review.eq(int(v[1])),
                c::returned.eq(int(v[2])),
                c::approved.eq(int(v[3])),
                c::rejected.eq(int(v[4])),
                c::duplicate.eq(int(v[5])),
                c::revoked.eq(int(v[6])),
            )
        })
        .collect();
    for chunk in counts.chunks(CHUNK) {
        crate::on_backend!(conn, |x| diesel::insert_into(c::table)
            .values(chunk)
            .on_conflict((c::program_id, c::union_id, c::phase_id))
            .do_update()
            .set((
                c::submitted.eq(c::submitted + excluded(c::submitted)),
                c::under_review.eq(c::under_review + excluded(c::under_review)),
                c::returned.eq(c::returned + excluded(c::returned)),
                c::approved.eq(c::approved + excluded(c::approved)),
                c::rejected.eq(c::rejected + excluded(c::rejected)),
                c::duplicate.eq(c::duplicate + excluded(c::duplicate)),
                c::revoked.eq(c::revoked + excluded(c::revoked)),
            ))
            .execute(x))?;
    }
    let days: Vec<_> = deltas
        .iter()
        .flat_map(|(u, fig)| fig.days.iter().map(move |(k, v)| (*u, *k, *v)))
        .filter(|(_, _, v)| v.iter().any(|n| *n != 0))
        .map(|(u, (p, ph, day), v)| {
            (
                d::program_id.eq(p),
                d::union_id.eq(u),
                d::phase_id.eq(ph),
                d::day.eq(day),
                d::submitted.eq(int(v[0])),
                d::approved.eq(int(v[1])),
                d::rejected.eq(int(v[2])),
                d::duplicate.eq(int(v[3])),
                d::revoked.eq(int(v[4])),
            )
        })
        .collect();
    for chunk in days.chunks(CHUNK) {
        crate::on_backend!(conn, |x| diesel::insert_into(d::table)
            .values(chunk)
            .on_conflict((d::program_id, d::union_id, d::phase_id, d::day))
            .do_update()
            .set((
                d::submitted.eq(d::submitted + excluded(d::submitted)),
                d::approved.eq(d::approved + excluded(d::approved)),
                d::rejected.eq(d::rejected + excluded(d::rejected)),
                d::duplicate.eq(d::duplicate + excluded(d::duplicate)),
                d::revoked.eq(d::revoked + excluded(d::revoked)),
            ))
            .execute(x))?;
    }
    let fields: Vec<_> = deltas
        .iter()
        .flat_map(|(u, fig)| fig.fields.iter().map(move |(k, v)| (*u, *k, *v)))
        .filter(|(_, _, v)| v.iter().any(|n| *n != 0))
        .map(|(u, (p, ph, field), v)| {
            (
                f::program_id.eq(p),
                f::union_id.eq(u),
                f::phase_id.eq(ph),
                f::field_id.eq(field),
                f::submitted.eq(int(v[0])),
                f::approved.eq(int(v[1])),
            )
        })
        .collect();
    for chunk in fields.chunks(CHUNK) {
        crate::on_backend!(conn, |x| diesel::insert_into(f::table)
            .values(chunk)
            .on_conflict((f::program_id, f::union_id, f::phase_id, f::field_id))
            .do_update()
            .set((
                f::submitted.eq(f::submitted + excluded(f::submitted)),
                f::approved.eq(f::approved + excluded(f::approved)),
            ))
            .execute(x))?;
    }
    Ok(())
}

/// The tree over time, as a recount places each day's figures: a union's chain of ancestors
/// on any day, from its versions (a union without versions has always sat where it sits).
/// Between reorganisations the chain is fixed, so it is worked out once per union and period.
pub struct TreeHistory {
    versions: HashMap<i64, Vec<VersionRow>>,
    parents_now: HashMap<i64, Option<i64>>,
    /// The reorganisations' effective dates, ascending.
    dates: Vec<NaiveDate>,
    memo: HashMap<(i64, usize), Vec<i64>>,
}

impl TreeHistory {
    /// Reads the versions (all unions' current parents too, when any reorganisation exists).
    pub fn load(conn: &mut DbConn) -> QueryResult<Self> {
        let rows = super::reorganisations::versions(conn, None)?;
        let mut dates: Vec<NaiveDate> = rows
            .iter()
            .filter(|v| v.reorganisation_id.is_some())
            .filter_map(|v| v.valid_from)
            .collect();
        dates.sort_unstable();
        dates.dedup();
        let parents_now = if dates.is_empty() {
            HashMap::new()
        } else {
            unions::table
                .select((unions::id, unions::parent_id))
                .load::<(i64, Option<i64>)>(conn)?
                .into_iter()
                .collect()
        };
        let mut versions: HashMap<i64, Vec<VersionRow>> = HashMap::new();
        for v in rows {
            versions.entry(v.union_id).or_default().push(v);
        }
        Ok(Self {
            versions,
            parents_now,
            dates,
            memo: HashMap::new(),
        })
    }

    /// The reorganisations' effective dates, ascending.
    pub fn dates(&self) -> &[NaiveDate] {
        &self.dates
    }

    /// Whether the tree never changed (every figure sits on the current path).
    pub fn is_flat(&self) -> bool {
        self.dates.is_empty()
    }

    /// The period a day falls in: how many reorganisations took effect on or before it.
    fn period(&self, day: NaiveDate) -> usize {
        self.dates.partition_point(|d| *d <= day)
    }

    /// A day within a period.
    fn day_of(&self, period: usize) -> NaiveDate {
        match period.checked_sub(1).and_then(|i| self.dates.get(i)) {
            Some(d) => *d,
            None => self
                .dates
                .first()
                .map_or(NaiveDate::MIN, |d| *d - chrono::TimeDelta::days(1)),
        }
    }

    fn parent_on(&self, union: i64, day: NaiveDate) -> Option<i64> {
        match self.versions.get(&union) {
            Some(vs) => vs
                .iter()
                .find(|v| v.holds_on(day))
                .or_else(|| vs.first())
                .and_then(|v| v.parent_id),
            None => self.parents_now.get(&union).copied().flatten(),
        }
    }

    /// The union and its ancestors (root first) in a period.
    fn chain(&mut self, union: i64, period: usize) -> Vec<i64> {
        if let Some(c) = self.memo.get(&(union, period)) {
            return c.clone();
        }
        let day = self.day_of(period);
        let mut out = vec![union];
        let mut at = union;
        while let Some(p) = self.parent_on(at, day) {
            if out.contains(&p) || out.len() > 64 {
                break;
            }
            out.push(p);
            at = p;
        }
        out.reverse();
        self.memo.insert((union, period), out.clone());
        out
    }

    /// Places one event of a union's initiative on `day`: `add(union, day, sign)` for each
    /// union that counts it on that day, then, at each later reorganisation that changed its
    /// chain, -1 for those that stopped counting it and +1 for those that started.
    pub fn place(&mut self, union: i64, day: NaiveDate, mut add: impl FnMut(i64, NaiveDate, i64)) {
        let first = self.period(day);
        let mut prev = self.chain(union, first);
        for u in &prev {
            add(*u, day, 1);
        }
        for period in first + 1..=self.dates.len() {
            let next = self.chain(union, period);
            if next != prev {
                let on = self.day_of(period);
                for u in prev.iter().filter(|u| !next.contains(u)) {
                    add(*u, on, -1);
                }
                for u in next.iter().filter(|u| !prev.contains(u)) {
                    add(*u, on, 1);
                }
                prev = next;
            }
        }
    }
}
