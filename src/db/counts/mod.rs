//! Counts of initiatives by status for every union's subtree (`union_counts`, migration 5)
//! and their activity by day (`union_days`) and by field (`union_fields`, migration 9): what
//! dashboards read instead of counting initiatives. Moved by every status transition ([`moved`], called from
//! `initiatives::transition`), built from the initiatives when empty, and compared with a
//! recount by [`drift`].

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel::upsert::excluded;

use super::DbConn;
use super::schema::{initiatives, union_counts, union_days, union_fields, unions};
use super::unions::Which;
use crate::domain::union::UnionPath;

mod recount;

pub use recount::{build_if_missing, drift, rebuild};

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

/// The calendar day of a stored (UTC) moment in Vietnam (UTC+7 all year).
pub fn vietnam_day(at: NaiveDateTime) -> NaiveDate {
    (at + chrono::TimeDelta::hours(7)).date()
}

/// A status change whose counts are still to be moved.
#[derive(Debug)]
struct Move {
    initiative_id: i64,
    from: String,
    to: String,
    now: NaiveDateTime,
}

thread_local! {
    /// The moves of the write transaction running on this thread, when it defers them.
    static DEFERRED: std::cell::RefCell<Option<Vec<Move>>> = const { std::cell::RefCell::new(None) };
}

/// Ends deferral on this thread however `deferring` is left (an error, a panic).
struct DeferralScope;

impl Drop for DeferralScope {
    fn drop(&mut self) {
        DEFERRED.set(None);
    }
}

/// Runs a write transaction's body with its count moves deferred to its end, then applies
/// them in order, just before the commit. Every transition of a program moves the same
/// ancestor rows (the program's root union at least), and a moved row stays locked until
/// the commit on PostgreSQL: taken last, the lock is held for the moves and the commit only,
/// not for the rest of the transaction (audit, outbox, review case, email, the answer).
pub fn deferring<T, E: From<diesel::result::Error>>(
    conn: &mut DbConn,
    body: impl FnOnce(&mut DbConn) -> Result<T, E>,
) -> Result<T, E> {
    let _scope = DeferralScope;
    DEFERRED.set(Some(Vec::new()));
    let value = body(conn)?;
    let moves = DEFERRED.take().unwrap_or_default();
    for m in moves {
        moved_now(conn, m.initiative_id, &m.from, &m.to, m.now)?;
    }
    Ok(value)
}

/// Applies the count moves deferred so far in this transaction, and goes on deferring: for a
/// transaction that changes the tree part-way (the demo seeder runs its first phase under
/// the old tree, then reorganises it), so that the moves count where their initiatives were.
pub fn apply_deferred(conn: &mut DbConn) -> QueryResult<()> {
    let moves = DEFERRED.with_borrow_mut(|d| d.as_mut().map(std::mem::take).unwrap_or_default());
    for m in moves {
        moved_now(conn, m.initiative_id, &m.from, &m.to, m.now)?;
    }
    Ok(())
}

/// An initiative moved from one status to another at `now`: its subtree counts and the day's
/// activity follow, in the caller's transaction, at its end (every write transaction of
/// `Db` defers them: [`deferring`]); at once only for a statement outside a transaction.
pub fn moved(
    conn: &mut DbConn,
    initiative_id: i64,
    from: &str,
    to: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let deferred = DEFERRED.with_borrow_mut(|d| match d {
        Some(moves) => {
            moves.push(Move {
                initiative_id,
                from: from.to_owned(),
                to: to.to_owned(),
                now,
            });
            true
        }
        None => false,
    });
    if deferred {
        return Ok(());
    }
    moved_now(conn, initiative_id, from, to, now)
}

/// Moves the counts now (one statement for the missing count rows, one for the change, one
/// upsert of each activity summary).
fn moved_now(
    conn: &mut DbConn,
    initiative_id: i64,
    from: &str,
    to: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let (from_status, to_status) = (from, to);
    let (from, to) = (column(from), column(to));
    if from == to {
        return Ok(());
    }
    let (program_id, phase_id, field_id, path): (i64, Option<i64>, Option<i64>, String) =
        initiatives::table
            .inner_join(unions::table.on(unions::id.eq(initiatives::union_id)))
            .filter(initiatives::id.eq(initiative_id))
            .select((
                initiatives::program_id,
                initiatives::phase_id,
                initiatives::field_id,
                unions::path,
            ))
            .first(conn)?;
    let phase_id = phase_id.unwrap_or(0);
    let unions = UnionPath::from_stored(path).ids();
    if unions.is_empty() {
        return Ok(());
    }
    let net = |status: &str| i32::from(to_status == status) - i32::from(from_status == status);
    let deltas = [
        i32::from(to.is_some()) - i32::from(from.is_some()),
        net("approved"),
        net("rejected"),
        net("duplicate"),
        net("revoked"),
    ];
    if deltas.iter().any(|d| *d != 0) {
        record_activity(
            conn,
            &ActivityKey {
                program_id,
                phase_id,
                field_id: field_id.unwrap_or(0),
                day: vietnam_day(now),
            },
            &unions,
            deltas,
        )?;
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

/// Where a change is recorded in `union_days` and `union_fields`, for each union of a path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct ActivityKey {
    program_id: i64,
    phase_id: i64,
    field_id: i64,
    day: NaiveDate,
}

/// Adds to the day's and the field's activity of every union in `unions` (one upsert each):
/// `deltas` are (submitted, approved, rejected, duplicate, revoked), the field's the first two.
fn record_activity(
    conn: &mut DbConn,
    key: &ActivityKey,
    unions: &[i64],
    deltas: [i32; 5],
) -> QueryResult<()> {
    let [submitted, approved, rejected, duplicate, revoked] = deltas;
    use union_days as d;
    use union_fields as f;
    let days: Vec<_> = unions
        .iter()
        .map(|u| {
            (
                d::program_id.eq(key.program_id),
                d::union_id.eq(*u),
                d::phase_id.eq(key.phase_id),
                d::day.eq(key.day),
                d::submitted.eq(submitted),
                d::approved.eq(approved),
                d::rejected.eq(rejected),
                d::duplicate.eq(duplicate),
                d::revoked.eq(revoked),
            )
        })
        .collect();
    crate::on_backend!(conn, |c| diesel::insert_into(d::table)
        .values(&days)
        .on_conflict((d::program_id, d::union_id, d::phase_id, d::day))
        .do_update()
        .set((
            d::submitted.eq(d::submitted + excluded(d::submitted)),
            d::approved.eq(d::approved + excluded(d::approved)),
            d::rejected.eq(d::rejected + excluded(d::rejected)),
            d::duplicate.eq(d::duplicate + excluded(d::duplicate)),
            d::revoked.eq(d::revoked + excluded(d::revoked)),
        ))
        .execute(c))?;
    if submitted == 0 && approved == 0 {
        return Ok(());
    }
    let fields: Vec<_> = unions
        .iter()
        .map(|u| {
            (
                f::program_id.eq(key.program_id),
                f::union_id.eq(*u),
                f::phase_id.eq(key.phase_id),
                f::field_id.eq(key.field_id),
                f::submitted.eq(submitted),
                f::approved.eq(approved),
            )
        })
        .collect();
    crate::on_backend!(conn, |c| diesel::insert_into(f::table)
        .values(&fields)
        .on_conflict((f::program_id, f::union_id, f::phase_id, f::field_id))
        .do_update()
        .set((
            f::submitted.eq(f::submitted + excluded(f::submitted)),
            f::approved.eq(f::approved + excluded(f::approved)),
        ))
        .execute(c))
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

/// The counts of the given unions' subtrees in a program, summed over phases (or of one
/// phase), by union.
pub fn of_unions(
    conn: &mut DbConn,
    program_id: i64,
    phase_id: Option<i64>,
    which: Which<'_>,
) -> QueryResult<BTreeMap<i64, Counts>> {
    let mut q = union_counts::table
        .filter(union_counts::program_id.eq(program_id))
        .into_boxed();
    q = match which {
        Which::One(id) => q.filter(union_counts::union_id.eq(id)),
        Which::ChildrenOf(parent) => q.filter(
            union_counts::union_id.eq_any(
                unions::table
                    .filter(unions::parent_id.eq(parent))
                    .select(unions::id),
            ),
        ),
        Which::Family(id) => q.filter(
            union_counts::union_id.eq_any(
                unions::table
                    .filter(unions::id.eq(id).nullable().or(unions::parent_id.eq(id)))
                    .select(unions::id),
            ),
        ),
        Which::These(ids) => q.filter(union_counts::union_id.eq_any(ids)),
    };
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

/// One union subtree's activity in a program (or one phase), per day: (day, submitted, net
/// approved), oldest first.
pub fn daily(
    conn: &mut DbConn,
    program_id: i64,
    phase_id: Option<i64>,
    union_id: i64,
) -> QueryResult<Vec<(NaiveDate, i64, i64)>> {
    use union_days as a;
    let base = a::table
        .filter(a::program_id.eq(program_id))
        .filter(a::union_id.eq(union_id))
        .into_boxed();
    let q = match phase_id {
        Some(p) => base.filter(a::phase_id.eq(p)),
        None => base,
    };
    // PostgreSQL sends dates in binary; SQLite stores them as text, which chrono's general
    // parser reads several times slower than `iso_day` (a year of rows on every dashboard).
    let rows: Vec<(NaiveDate, i32, i32)> = match conn {
        DbConn::Pg(_) => q.select((a::day, a::submitted, a::approved)).load(conn)?,
        DbConn::Sqlite(_) => {
            let text: Vec<(String, i32, i32)> = q
                .select((sql::<Text>("day"), a::submitted, a::approved))
                .load(conn)?;
            text.into_iter()
                .map(|(day, s, ap)| match iso_day(&day) {
                    Some(d) => Ok((d, s, ap)),
                    None => Err(diesel::result::Error::DeserializationError(
                        format!("union_days.day is not a date: {day:?}").into(),
                    )),
                })
                .collect::<QueryResult<_>>()?
        }
    };
    let mut by_day: BTreeMap<NaiveDate, (i64, i64)> = BTreeMap::new();
    for (day, s, ap) in rows {
        let d = by_day.entry(day).or_default();
        d.0 += i64::from(s);
        d.1 += i64::from(ap);
    }
    Ok(by_day.into_iter().map(|(d, (s, ap))| (d, s, ap)).collect())
}

/// A date written `YYYY-MM-DD`.
fn iso_day(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0_u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let year = i32::try_from(num(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(year, num(5..7)?, num(8..10)?)
}

/// One union subtree's totals per field (0: none) in a program (or one phase): (submitted,
/// net approved).
pub fn by_field(
    conn: &mut DbConn,
    program_id: i64,
    phase_id: Option<i64>,
    union_id: i64,
) -> QueryResult<BTreeMap<i64, (i64, i64)>> {
    use union_fields as a;
    let mut q = a::table
        .filter(a::program_id.eq(program_id))
        .filter(a::union_id.eq(union_id))
        .into_boxed();
    if let Some(p) = phase_id {
        q = q.filter(a::phase_id.eq(p));
    }
    let rows: Vec<(i64, i32, i32)> = q
        .select((a::field_id, a::submitted, a::approved))
        .load(conn)?;
    let mut out: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for (field, s, ap) in rows {
        let f = out.entry(field).or_default();
        f.0 += i64::from(s);
        f.1 += i64::from(ap);
    }
    Ok(out)
}

/// Each union's subtree figures in a program (or one phase) up to the end of `day`, from the
/// activity by day: (submitted, net approved, rejected, duplicate, revoked), as they stood
/// that evening in the tree of that day.
pub fn as_of(
    conn: &mut DbConn,
    program_id: i64,
    phase_id: Option<i64>,
    unions: &[i64],
    day: NaiveDate,
) -> QueryResult<BTreeMap<i64, [i64; 5]>> {
    use union_days as a;
    let mut out: BTreeMap<i64, [i64; 5]> = BTreeMap::new();
    for chunk in unions.chunks(500) {
        use diesel::dsl::sum;
        type Row = (
            i64,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<i64>,
        );
        let mut q = a::table
            .filter(a::program_id.eq(program_id))
            .filter(a::union_id.eq_any(chunk))
            .filter(a::day.le(day))
            .group_by(a::union_id)
            .select((
                a::union_id,
                sum(a::submitted),
                sum(a::approved),
                sum(a::rejected),
                sum(a::duplicate),
                sum(a::revoked),
            ))
            .into_boxed();
        if let Some(p) = phase_id {
            q = q.filter(a::phase_id.eq(p));
        }
        let rows: Vec<Row> = q.load(conn)?;
        for (u, s, ap, r, d, v) in rows {
            out.insert(u, [s, ap, r, d, v].map(|n| n.unwrap_or(0)));
        }
    }
    Ok(out)
}

/// Net approvals of each union's subtree in a program between two days (both included).
pub fn approved_between(
    conn: &mut DbConn,
    program_id: i64,
    unions: &[i64],
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<BTreeMap<i64, i64>> {
    use union_days as a;
    let rows: Vec<(i64, i32)> = a::table
        .filter(a::program_id.eq(program_id))
        .filter(a::union_id.eq_any(unions))
        .filter(a::day.ge(from))
        .filter(a::day.le(to))
        .select((a::union_id, a::approved))
        .load(conn)?;
    let mut out: BTreeMap<i64, i64> = BTreeMap::new();
    for (u, ap) in rows {
        *out.entry(u).or_default() += i64::from(ap);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_days_parse_and_nonsense_does_not() {
        assert_eq!(iso_day("2026-03-09"), NaiveDate::from_ymd_opt(2026, 3, 9));
        assert_eq!(iso_day("2024-02-29"), NaiveDate::from_ymd_opt(2024, 2, 29));
        for bad in [
            "2026-02-30",
            "2026-3-09",
            "2026/03/09",
            "20a6-03-09",
            "",
            "2026-03-09 ",
        ] {
            assert_eq!(iso_day(bad), None, "{bad}");
        }
    }
}
