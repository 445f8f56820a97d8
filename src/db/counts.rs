//! Counts of initiatives by status for every union's subtree (`union_counts`, migration 5):
//! what dashboards read instead of counting initiatives. Moved by every status transition
//! ([`moved`], called from `initiatives::transition`), built from the initiatives when empty,
//! and compared with a recount by [`drift`].

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::DbConn;
use super::schema::{initiatives, union_counts};
use crate::domain::union::UnionPath;

/// The counted statuses, in the order of the columns (a draft is not counted).
pub const COUNTED: [&str; 7] = [
    "submitted",
    "under_review",
    "returned",
    "approved",
    "rejected",
    "duplicate",
    "revoked",
];

/// The column of a counted status (the status names are the column names).
fn column(status: &str) -> Option<&'static str> {
    COUNTED.iter().copied().find(|c| *c == status)
}

/// Where an initiative is counted: (program, phase or 0, ancestor-or-self unions).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Key {
    program_id: i64,
    phase_id: i64,
    union_id: i64,
}

/// Counts per status, in the order of [`COUNTED`].
pub type Counts = [i64; 7];

/// An initiative moved from one status to another: its subtree counts follow, in the caller's
/// transaction (one statement for the missing rows, one for the change).
pub fn moved(conn: &mut DbConn, initiative_id: i64, from: &str, to: &str) -> QueryResult<()> {
    let (from, to) = (column(from), column(to));
    if from == to {
        return Ok(());
    }
    let (program_id, phase_id, path): (i64, Option<i64>, String) = initiatives::table
        .find(initiative_id)
        .select((
            initiatives::program_id,
            initiatives::phase_id,
            initiatives::union_path,
        ))
        .first(conn)?;
    let phase_id = phase_id.unwrap_or(0);
    let unions = UnionPath::from_stored(path).ids();
    if unions.is_empty() {
        return Ok(());
    }
    ensure_rows(conn, program_id, phase_id, &unions)?;
    let mut set = Vec::new();
    if let Some(c) = from {
        set.push(format!("{c} = {c} - 1"));
    }
    if let Some(c) = to {
        set.push(format!("{c} = {c} + 1"));
    }
    // Column names come from COUNTED only; the values are bound.
    let ids = unions
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let (p1, p2) = match conn {
        DbConn::Pg(_) => ("$1", "$2"),
        DbConn::Sqlite(_) => ("?", "?"),
    };
    diesel::sql_query(format!(
        "UPDATE union_counts SET {} WHERE program_id = {p1} AND phase_id = {p2} AND union_id IN ({ids})",
        set.join(", ")
    ))
    .bind::<BigInt, _>(program_id)
    .bind::<BigInt, _>(phase_id)
    .execute(conn)
    .map(|_| ())
}

/// Creates the zero rows an ancestor lacks.
fn ensure_rows(
    conn: &mut DbConn,
    program_id: i64,
    phase_id: i64,
    unions: &[i64],
) -> QueryResult<()> {
    let present: Vec<i64> = union_counts::table
        .filter(union_counts::program_id.eq(program_id))
        .filter(union_counts::phase_id.eq(phase_id))
        .filter(union_counts::union_id.eq_any(unions))
        .select(union_counts::union_id)
        .load(conn)?;
    let rows: Vec<_> = unions
        .iter()
        .filter(|u| !present.contains(u))
        .map(|u| {
            (
                union_counts::program_id.eq(program_id),
                union_counts::union_id.eq(*u),
                union_counts::phase_id.eq(phase_id),
            )
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    // Two transactions may both find a row missing on PostgreSQL: the second one's insert is
    // then a no-op, and its update waits for the first to commit.
    crate::on_backend!(conn, |c| diesel::insert_into(union_counts::table)
        .values(&rows)
        .on_conflict_do_nothing()
        .execute(c))
    .map(|_| ())
}

/// Counts every initiative afresh: per (program, phase, union) of its subtree.
fn recount(conn: &mut DbConn) -> QueryResult<BTreeMap<Key, Counts>> {
    let rows: Vec<(i64, Option<i64>, String, String)> = initiatives::table
        .filter(initiatives::status.ne("draft"))
        .select((
            initiatives::program_id,
            initiatives::phase_id,
            initiatives::union_path,
            initiatives::status,
        ))
        .load(conn)?;
    let mut out: BTreeMap<Key, Counts> = BTreeMap::new();
    for (program_id, phase_id, path, status) in rows {
        let Some(k) = COUNTED.iter().position(|c| *c == status) else {
            continue;
        };
        for union_id in UnionPath::from_stored(path).ids() {
            let key = Key {
                program_id,
                phase_id: phase_id.unwrap_or(0),
                union_id,
            };
            out.entry(key).or_insert([0; 7])[k] += 1;
        }
    }
    Ok(out)
}

/// A stored row of counts.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = union_counts)]
struct CountRow {
    program_id: i64,
    phase_id: i64,
    union_id: i64,
    submitted: i32,
    under_review: i32,
    returned: i32,
    approved: i32,
    rejected: i32,
    duplicate: i32,
    revoked: i32,
}

impl CountRow {
    fn key(&self) -> Key {
        Key {
            program_id: self.program_id,
            phase_id: self.phase_id,
            union_id: self.union_id,
        }
    }

    /// In the order of [`COUNTED`].
    fn counts(&self) -> Counts {
        [
            self.submitted,
            self.under_review,
            self.returned,
            self.approved,
            self.rejected,
            self.duplicate,
            self.revoked,
        ]
        .map(i64::from)
    }
}

fn stored(conn: &mut DbConn) -> QueryResult<BTreeMap<Key, Counts>> {
    let rows: Vec<CountRow> = union_counts::table
        .select(CountRow::as_select())
        .load(conn)?;
    Ok(rows.iter().map(|r| (r.key(), r.counts())).collect())
}

/// Replaces every stored count with a recount; returns how many rows were written.
pub fn rebuild(conn: &mut DbConn) -> QueryResult<usize> {
    let counts = recount(conn)?;
    diesel::delete(union_counts::table).execute(conn)?;
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

/// Where the stored counts differ from a recount, one line each (none when all agree).
pub fn drift(conn: &mut DbConn) -> QueryResult<Vec<String>> {
    let counted = recount(conn)?;
    let mut stored = stored(conn)?;
    let mut out = Vec::new();
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

/// The counts of the given unions' subtrees in a program, summed over phases (or of one
/// phase), by union.
pub fn of_unions(
    conn: &mut DbConn,
    program_id: i64,
    phase_id: Option<i64>,
    unions: &[i64],
) -> QueryResult<BTreeMap<i64, Counts>> {
    let mut q = union_counts::table
        .filter(union_counts::program_id.eq(program_id))
        .filter(union_counts::union_id.eq_any(unions))
        .into_boxed();
    if let Some(p) = phase_id {
        q = q.filter(union_counts::phase_id.eq(p));
    }
    let rows: Vec<CountRow> = q.select(CountRow::as_select()).load(conn)?;
    let mut out: BTreeMap<i64, Counts> = BTreeMap::new();
    for r in rows {
        let sum = out.entry(r.union_id).or_insert([0; 7]);
        for (k, n) in r.counts().into_iter().enumerate() {
            sum[k] += n;
        }
    }
    Ok(out)
}
