//! Counting afresh from the initiatives: the rebuild (`sangkien recount`) and the check
//! (`sangkien recount --verify`) that the stored counts and activity agree with a recount,
//! the activity by day in the tree of each day.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::{ActivityKey, COUNTED, CountRow, Counts, Key, vietnam_day};
use crate::db::DbConn;
use crate::db::schema::{initiatives, union_counts, union_days, union_fields, unions};
use crate::domain::union::UnionPath;

/// Activity per (program, union, phase, day) and per (program, union, phase, field), in the
/// tables' key order: by day (submitted, net approved, rejected, duplicate, revoked), by field
/// (submitted, net approved).
#[derive(Debug, Default)]
struct Activity {
    days: BTreeMap<(i64, i64, i64, NaiveDate), [i64; 5]>,
    fields: BTreeMap<[i64; 4], (i64, i64)>,
}

/// The column of `union_days` a decided status adds to, after submitted.
fn decided_column(status: &str) -> Option<usize> {
    ["approved", "rejected", "duplicate", "revoked"]
        .iter()
        .position(|s| *s == status)
        .map(|i| i + 1)
}

impl Activity {
    /// Adds `sign` to a union's day: one initiative's submission (`column` 0) or decision
    /// (1 approved … 4 revoked), or its carrying by a reorganisation.
    fn add_day(&mut self, key: &ActivityKey, union_id: i64, column: usize, sign: i64) {
        let d = self
            .days
            .entry((key.program_id, union_id, key.phase_id, key.day))
            .or_default();
        d[column] += sign;
    }

    /// Adds one initiative's submission (`column` 0) or approval (1) to a union's field.
    fn add_field(&mut self, key: &ActivityKey, union_id: i64, column: usize) {
        let (submitted, approved) = (i64::from(column == 0), i64::from(column == 1));
        if submitted == 0 && approved == 0 {
            return;
        }
        let f = self
            .fields
            .entry([key.program_id, union_id, key.phase_id, key.field_id])
            .or_default();
        f.0 += submitted;
        f.1 += approved;
    }
}

/// Counts every initiative afresh: per (program, phase, union) of its subtree, and the
/// activity by day (each submission on its submission day, each standing approval on its
/// decision day).
fn recount(conn: &mut DbConn) -> QueryResult<(BTreeMap<Key, Counts>, Activity, Vec<NaiveDate>)> {
    type Row = (
        i64,
        i64,
        Option<i64>,
        Option<i64>,
        String,
        String,
        Option<NaiveDateTime>,
        Option<NaiveDateTime>,
        NaiveDateTime,
    );
    let rows: Vec<Row> = initiatives::table
        .inner_join(unions::table.on(unions::id.eq(initiatives::union_id)))
        .filter(initiatives::status.ne("draft"))
        .select((
            initiatives::union_id,
            initiatives::program_id,
            initiatives::phase_id,
            initiatives::field_id,
            unions::path,
            initiatives::status,
            initiatives::submitted_at,
            initiatives::decided_at,
            initiatives::created_at,
        ))
        .load(conn)?;
    let mut out: BTreeMap<Key, Counts> = BTreeMap::new();
    let mut activity = Activity::default();
    // Each day's figures sit where the union sat that day, carried on by reorganisations.
    let mut history = crate::db::ledger::TreeHistory::load(conn)?;
    for (
        union,
        program_id,
        phase_id,
        field_id,
        path,
        status,
        submitted_at,
        decided_at,
        created_at,
    ) in rows
    {
        let Some(k) = COUNTED.iter().position(|c| *c == status) else {
            continue;
        };
        let phase_id = phase_id.unwrap_or(0);
        let submitted_on = vietnam_day(submitted_at.unwrap_or(created_at));
        let at = |day| ActivityKey {
            program_id,
            phase_id,
            field_id: field_id.unwrap_or(0),
            day,
        };
        let mut events = vec![(submitted_on, 0)];
        if let Some(column) = decided_column(&status) {
            events.push((
                vietnam_day(decided_at.or(submitted_at).unwrap_or(created_at)),
                column,
            ));
        }
        let ids = UnionPath::from_stored(path).ids();
        for union_id in &ids {
            let key = Key {
                program_id,
                phase_id,
                union_id: *union_id,
            };
            out.entry(key).or_insert([0; 7])[k] += 1;
            for (day, column) in &events {
                activity.add_field(&at(*day), *union_id, *column);
                if history.is_flat() {
                    activity.add_day(&at(*day), *union_id, *column, 1);
                }
            }
        }
        if !history.is_flat() {
            for (day, column) in events {
                history.place(union, day, |u, on, sign| {
                    activity.add_day(&at(on), u, column, sign);
                });
            }
        }
    }
    Ok((out, activity, history.dates().to_vec()))
}

/// A (program, union, phase, day) of the activity by day, with one of its numbers.
type DayFigure = ((i64, i64, i64, NaiveDate), i64);

/// The submissions of each (program, union, phase) per period between reorganisations
/// (period `i` ends the day before the `i`-th date): what the tree as of any day counts.
fn submitted_by_period(
    days: impl Iterator<Item = DayFigure>,
    dates: &[NaiveDate],
) -> BTreeMap<[i64; 4], i64> {
    let mut out: BTreeMap<[i64; 4], i64> = BTreeMap::new();
    for ((program, union, phase, day), n) in days {
        let period = i64::try_from(dates.partition_point(|d| *d <= day)).unwrap_or(i64::MAX);
        *out.entry([program, union, phase, period]).or_default() += n;
    }
    out.retain(|_, n| *n != 0);
    out
}

/// The stored submissions by day.
fn stored_submitted_days(conn: &mut DbConn) -> QueryResult<Vec<DayFigure>> {
    use union_days as d;
    let rows: Vec<(i64, i64, i64, NaiveDate, i32)> = d::table
        .filter(d::submitted.ne(0))
        .select((
            d::program_id,
            d::union_id,
            d::phase_id,
            d::day,
            d::submitted,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(p, u, ph, day, n)| ((p, u, ph, day), i64::from(n)))
        .collect())
}

fn stored(conn: &mut DbConn) -> QueryResult<BTreeMap<Key, Counts>> {
    let rows: Vec<CountRow> = union_counts::table
        .select(CountRow::as_select())
        .load(conn)?;
    Ok(rows.iter().map(|r| (r.key(), r.counts())).collect())
}

/// Replaces every stored count and the activity with a recount; returns how many count rows
/// were written.
pub fn rebuild(conn: &mut DbConn) -> QueryResult<usize> {
    let (counts, activity, _) = recount(conn)?;
    diesel::delete(union_counts::table).execute(conn)?;
    diesel::delete(union_days::table).execute(conn)?;
    diesel::delete(union_fields::table).execute(conn)?;
    let clamp = |n: i64| i32::try_from(n).unwrap_or(i32::MAX);
    let rows: Vec<_> = counts
        .iter()
        .map(|(k, c)| {
            (
                union_counts::program_id.eq(k.program_id),
                union_counts::union_id.eq(k.union_id),
                union_counts::phase_id.eq(k.phase_id),
                union_counts::submitted.eq(clamp(c[0])),
                union_counts::under_review.eq(clamp(c[1])),
                union_counts::returned.eq(clamp(c[2])),
                union_counts::approved.eq(clamp(c[3])),
                union_counts::rejected.eq(clamp(c[4])),
                union_counts::duplicate.eq(clamp(c[5])),
                union_counts::revoked.eq(clamp(c[6])),
            )
        })
        .collect();
    for chunk in rows.chunks(500) {
        crate::on_backend!(conn, |c| diesel::insert_into(union_counts::table)
            .values(chunk)
            .execute(c))?;
    }
    // In key order (program, union, …): a union's rows land together.
    let days: Vec<_> = activity
        .days
        .iter()
        .map(|((program_id, union_id, phase_id, day), v)| {
            (
                union_days::program_id.eq(*program_id),
                union_days::union_id.eq(*union_id),
                union_days::phase_id.eq(*phase_id),
                union_days::day.eq(*day),
                union_days::submitted.eq(clamp(v[0])),
                union_days::approved.eq(clamp(v[1])),
                union_days::rejected.eq(clamp(v[2])),
                union_days::duplicate.eq(clamp(v[3])),
                union_days::revoked.eq(clamp(v[4])),
            )
        })
        .collect();
    for chunk in days.chunks(500) {
        crate::on_backend!(conn, |c| diesel::insert_into(union_days::table)
            .values(chunk)
            .execute(c))?;
    }
    let fields: Vec<_> = activity
        .fields
        .iter()
        .map(
            |([program_id, union_id, phase_id, field_id], (submitted, approved))| {
                (
                    union_fields::program_id.eq(*program_id),
                    union_fields::union_id.eq(*union_id),
                    union_fields::phase_id.eq(*phase_id),
                    union_fields::field_id.eq(*field_id),
                    union_fields::submitted.eq(clamp(*submitted)),
                    union_fields::approved.eq(clamp(*approved)),
                )
            },
        )
        .collect();
    for chunk in fields.chunks(500) {
        crate::on_backend!(conn, |c| diesel::insert_into(union_fields::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(rows.len())
}

/// Builds the counts when none are stored yet but initiatives were submitted (a database
/// from before the counts, or rows written by bulk loads); true if it built them.
pub fn build_if_missing(conn: &mut DbConn) -> QueryResult<bool> {
    let any_count: bool = diesel::select(diesel::dsl::exists(
        union_counts::table.select(union_counts::program_id),
    ))
    .get_result(conn)?;
    let any_submitted: bool = diesel::select(diesel::dsl::exists(
        initiatives::table
            .filter(initiatives::status.ne("draft"))
            .select(initiatives::id),
    ))
    .get_result(conn)?;
    if any_count || !any_submitted {
        return Ok(false);
    }
    rebuild(conn)?;
    Ok(true)
}

/// The stored activity by field: per (program, union, phase, field), (submitted, net approved).
fn stored_fields(conn: &mut DbConn) -> QueryResult<BTreeMap<[i64; 4], (i64, i64)>> {
    use union_fields as f;
    let rows: Vec<(i64, i64, i64, i64, i32, i32)> = f::table
        .select((
            f::program_id,
            f::union_id,
            f::phase_id,
            f::field_id,
            f::submitted,
            f::approved,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(p, u, ph, fi, s, ap)| ([p, u, ph, fi], (i64::from(s), i64::from(ap))))
        .collect())
}

/// The stored activity by day summed over days: per (program, union, phase), (submitted, net
/// approved, rejected, duplicate, revoked).
fn stored_day_totals(conn: &mut DbConn) -> QueryResult<BTreeMap<[i64; 3], [i64; 5]>> {
    use diesel::dsl::sum;
    use union_days as d;
    type Row = (
        i64,
        i64,
        i64,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
    );
    let rows: Vec<Row> = d::table
        .group_by((d::program_id, d::union_id, d::phase_id))
        .select((
            d::program_id,
            d::union_id,
            d::phase_id,
            sum(d::submitted),
            sum(d::approved),
            sum(d::rejected),
            sum(d::duplicate),
            sum(d::revoked),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(p, u, ph, a, b, c, d, e)| ([p, u, ph], [a, b, c, d, e].map(|n| n.unwrap_or(0))))
        .collect())
}

/// Lines for the keys where `stored` and `counted` differ (a key missing on one side counts as
/// zero).
fn compare<K: Ord + std::fmt::Debug, V: PartialEq + Default + std::fmt::Debug>(
    what: &str,
    counted: &BTreeMap<K, V>,
    mut stored: BTreeMap<K, V>,
    out: &mut Vec<String>,
) {
    for (k, c) in counted {
        let s = stored.remove(k).unwrap_or_default();
        if s != *c {
            out.push(format!("{what} {k:?}: stored {s:?}; counted {c:?}"));
        }
    }
    for (k, s) in stored {
        if s != V::default() {
            out.push(format!("{what} {k:?}: stored {s:?}; counted nothing"));
        }
    }
}

/// Where the stored counts, or the activity's totals, differ from a recount, one line each
/// (none when all agree). The activity by field is compared as it is; the activity by day is
/// compared summed over days: a rebuild dates an approval on its decision day and forgets one
/// that was later revoked, so only its totals are the same whichever way it was kept.
pub fn drift(conn: &mut DbConn) -> QueryResult<Vec<String>> {
    let (counted, activity, dates) = recount(conn)?;
    let mut out = Vec::new();
    // The readings as of a past day: submissions are dated exactly either way, so each
    // period between reorganisations must hold the same ones in the same tree.
    if !dates.is_empty() {
        let counted_periods =
            submitted_by_period(activity.days.iter().map(|(k, v)| (*k, v[0])), &dates);
        let stored_periods = submitted_by_period(stored_submitted_days(conn)?.into_iter(), &dates);
        compare(
            "submissions by period between reorganisations of [program, union, phase, period]",
            &counted_periods,
            stored_periods,
            &mut out,
        );
    }
    compare(
        "activity by field of [program, union, phase, field]",
        &activity.fields,
        stored_fields(conn)?,
        &mut out,
    );
    let mut day_totals: BTreeMap<[i64; 3], [i64; 5]> = BTreeMap::new();
    for ((program_id, union_id, phase_id, _), v) in &activity.days {
        let t = day_totals
            .entry([*program_id, *union_id, *phase_id])
            .or_default();
        for (a, b) in t.iter_mut().zip(v) {
            *a += b;
        }
    }
    compare(
        "activity by day of [program, union, phase]",
        &day_totals,
        stored_day_totals(conn)?,
        &mut out,
    );
    let mut stored = stored(conn)?;
    let describe = |c: &Counts| {
        COUNTED
            .iter()
            .zip(c)
            .map(|(name, n)| format!("{name} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (k, c) in &counted {
        let s = stored.remove(k).unwrap_or([0; 7]);
        if s != *c {
            out.push(format!(
                "program {}, phase {}, union {}: stored {}; counted {}",
                k.program_id,
                k.phase_id,
                k.union_id,
                describe(&s),
                describe(c)
            ));
        }
    }
    for (k, s) in stored {
        if s != [0; 7] {
            out.push(format!(
                "program {}, phase {}, union {}: stored {}; counted nothing",
                k.program_id,
                k.phase_id,
                k.union_id,
                describe(&s)
            ));
        }
    }
    Ok(out)
}
