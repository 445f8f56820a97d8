//! Queries on programs, their phases, fields and quotas.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::DbConn;
use super::schema::{
    fields, initiatives, phases, programs, quota_history, quotas, reorganisations, unions, users,
};
use super::unions::Which;

/// A program row.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = programs)]
pub struct ProgramRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub description: String,
    pub owner_union_id: i64,
    pub applied_from: Option<NaiveDate>,
    pub applied_to: Option<NaiveDate>,
    pub target_count: Option<i64>,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A program to insert.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = programs)]
pub struct NewProgram<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub owner_union_id: i64,
    pub applied_from: Option<NaiveDate>,
    pub applied_to: Option<NaiveDate>,
    pub target_count: Option<i64>,
    pub status: &'a str,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The changeable fields of a program.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = programs, treat_none_as_null = true)]
pub struct ProgramChanges<'a> {
    pub name: &'a str,
    pub owner_union_id: i64,
    pub description: &'a str,
    pub applied_from: Option<NaiveDate>,
    pub applied_to: Option<NaiveDate>,
    pub target_count: Option<i64>,
    pub updated_at: NaiveDateTime,
}

/// A phase row.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = phases)]
pub struct PhaseRow {
    pub id: i64,
    pub program_id: i64,
    pub name: String,
    pub position: i32,
    pub opens_at: NaiveDateTime,
    pub closes_at: NaiveDateTime,
}

/// A field row.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = fields)]
pub struct FieldRow {
    pub id: i64,
    pub program_id: i64,
    pub code: String,
    pub name: String,
}

/// Inserts a program.
pub fn insert(conn: &mut DbConn, new: &NewProgram<'_>) -> QueryResult<ProgramRow> {
    diesel::insert_into(programs::table)
        .values(new)
        .returning(programs::id)
        .get_result::<i64>(conn)
        .and_then(|id| {
            programs::table
                .find(id)
                .select(ProgramRow::as_select())
                .first(conn)
        })
}

/// A program by id.
pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<ProgramRow>> {
    programs::table
        .find(id)
        .select(ProgramRow::as_select())
        .first(conn)
        .optional()
}

/// A program by code.
pub fn find_by_code(conn: &mut DbConn, code: &str) -> QueryResult<Option<ProgramRow>> {
    programs::table
        .filter(programs::code.eq(code))
        .select(ProgramRow::as_select())
        .first(conn)
        .optional()
}

/// Every program, newest first.
pub fn list(conn: &mut DbConn) -> QueryResult<Vec<ProgramRow>> {
    programs::table
        .order(programs::id.desc())
        .select(ProgramRow::as_select())
        .load(conn)
}

/// Applies changes to a program.
pub fn update(conn: &mut DbConn, id: i64, changes: &ProgramChanges<'_>) -> QueryResult<()> {
    diesel::update(programs::table.find(id))
        .set(changes)
        .execute(conn)
        .map(|_| ())
}

/// Sets a program's status.
pub fn set_status(conn: &mut DbConn, id: i64, status: &str, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(programs::table.find(id))
        .set((programs::status.eq(status), programs::updated_at.eq(now)))
        .execute(conn)
        .map(|_| ())
}

/// The phases of a program, in order.
pub fn phases(conn: &mut DbConn, program_id: i64) -> QueryResult<Vec<PhaseRow>> {
    phases::table
        .filter(phases::program_id.eq(program_id))
        .order((phases::position, phases::id))
        .select(PhaseRow::as_select())
        .load(conn)
}

/// Adds a phase.
pub fn insert_phase(
    conn: &mut DbConn,
    program_id: i64,
    name: &str,
    position: i32,
    opens_at: NaiveDateTime,
    closes_at: NaiveDateTime,
) -> QueryResult<PhaseRow> {
    diesel::insert_into(phases::table)
        .values((
            phases::program_id.eq(program_id),
            phases::name.eq(name),
            phases::position.eq(position),
            phases::opens_at.eq(opens_at),
            phases::closes_at.eq(closes_at),
        ))
        .returning(phases::id)
        .get_result::<i64>(conn)
        .and_then(|id| {
            phases::table
                .find(id)
                .select(PhaseRow::as_select())
                .first(conn)
        })
}

/// Changes a phase.
pub fn update_phase(
    conn: &mut DbConn,
    id: i64,
    name: &str,
    opens_at: NaiveDateTime,
    closes_at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(phases::table.find(id))
        .set((
            phases::name.eq(name),
            phases::opens_at.eq(opens_at),
            phases::closes_at.eq(closes_at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// A phase by id.
pub fn find_phase(conn: &mut DbConn, id: i64) -> QueryResult<Option<PhaseRow>> {
    phases::table
        .find(id)
        .select(PhaseRow::as_select())
        .first(conn)
        .optional()
}

/// The fields of a program, by name.
pub fn fields(conn: &mut DbConn, program_id: i64) -> QueryResult<Vec<FieldRow>> {
    fields::table
        .filter(fields::program_id.eq(program_id))
        .order((fields::name, fields::id))
        .select(FieldRow::as_select())
        .load(conn)
}

/// Adds a field.
pub fn insert_field(
    conn: &mut DbConn,
    program_id: i64,
    code: &str,
    name: &str,
) -> QueryResult<FieldRow> {
    diesel::insert_into(fields::table)
        .values((
            fields::program_id.eq(program_id),
            fields::code.eq(code),
            fields::name.eq(name),
        ))
        .returning(fields::id)
        .get_result::<i64>(conn)
        .and_then(|id| {
            fields::table
                .find(id)
                .select(FieldRow::as_select())
                .first(conn)
        })
}

/// Renames a field.
pub fn rename_field(conn: &mut DbConn, id: i64, name: &str) -> QueryResult<()> {
    diesel::update(fields::table.find(id))
        .set(fields::name.eq(name))
        .execute(conn)
        .map(|_| ())
}

/// Deletes a field.
pub fn delete_field(conn: &mut DbConn, id: i64) -> QueryResult<()> {
    diesel::delete(fields::table.find(id))
        .execute(conn)
        .map(|_| ())
}

/// How many initiatives (drafts included) name a field.
pub fn field_uses(conn: &mut DbConn, field_id: i64) -> QueryResult<i64> {
    initiatives::table
        .filter(initiatives::field_id.eq(field_id))
        .count()
        .get_result(conn)
}

/// How many initiatives (drafts included) and quotas name a phase.
pub fn phase_uses(conn: &mut DbConn, phase_id: i64) -> QueryResult<i64> {
    let used: i64 = initiatives::table
        .filter(initiatives::phase_id.eq(phase_id))
        .count()
        .get_result(conn)?;
    let quotas: i64 = quotas::table
        .filter(quotas::phase_id.eq(phase_id))
        .count()
        .get_result(conn)?;
    Ok(used + quotas)
}

/// Deletes a phase (with the history of quotas once set for it) and numbers the program's
/// other phases again from 1.
pub fn delete_phase(conn: &mut DbConn, program_id: i64, id: i64) -> QueryResult<()> {
    // The history of quotas once set for it and removed (none stands: it is unused).
    diesel::delete(quota_history::table.filter(quota_history::phase_id.eq(id))).execute(conn)?;
    diesel::delete(phases::table.find(id)).execute(conn)?;
    let rest: Vec<i64> = phases::table
        .filter(phases::program_id.eq(program_id))
        .order((phases::position, phases::id))
        .select(phases::id)
        .load(conn)?;
    for (i, phase) in rest.into_iter().enumerate() {
        let position = i32::try_from(i + 1).unwrap_or(i32::MAX);
        diesel::update(phases::table.find(phase))
            .set(phases::position.eq(position))
            .execute(conn)?;
    }
    Ok(())
}

/// A field by id.
pub fn find_field(conn: &mut DbConn, id: i64) -> QueryResult<Option<FieldRow>> {
    fields::table
        .find(id)
        .select(FieldRow::as_select())
        .first(conn)
        .optional()
}

/// A stored quota.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = quotas)]
pub struct QuotaRecord {
    pub id: i64,
    pub program_id: i64,
    pub phase_id: Option<i64>,
    pub union_id: i64,
    pub kind: String,
    pub value: i64,
    pub members_as_of: Option<NaiveDate>,
    pub member_basis: Option<i64>,
    pub updated_at: NaiveDateTime,
}

/// A quota to set for a union in a program and optional phase.
#[derive(Debug, Clone)]
pub struct QuotaSet<'a> {
    pub program_id: i64,
    pub phase_id: Option<i64>,
    pub union_id: i64,
    pub kind: &'a str,
    pub value: i64,
    /// The day a share of members was resolved on.
    pub members_as_of: Option<NaiveDate>,
    /// The subtree's members on that day.
    pub member_basis: Option<i64>,
}

/// The quota of a union in a program and optional phase (exactly that phase, or program-wide).
pub fn quota(
    conn: &mut DbConn,
    program_id: i64,
    phase_id: Option<i64>,
    union_id: i64,
) -> QueryResult<Option<QuotaRecord>> {
    let mut q = quotas::table
        .filter(quotas::program_id.eq(program_id))
        .filter(quotas::union_id.eq(union_id))
        .select(QuotaRecord::as_select())
        .into_boxed();
    q = match phase_id {
        Some(p) => q.filter(quotas::phase_id.eq(p)),
        None => q.filter(quotas::phase_id.is_null()),
    };
    q.first(conn).optional()
}

/// Why a quota changed, as its history keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuotaReason {
    /// An officer in the allocation editor.
    Editor,
    /// Read from an imported file.
    Import,
    /// Carried to a successor by a reorganisation.
    Reorganisation(i64),
    /// Set by the system (demo data, tools).
    System,
}

impl QuotaReason {
    /// As stored: `editor`, `import`, `reorganisation` or `system`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Editor => "editor",
            Self::Import => "import",
            Self::Reorganisation(_) => "reorganisation",
            Self::System => "system",
        }
    }

    fn reorganisation_id(self) -> Option<i64> {
        match self {
            Self::Reorganisation(id) => Some(id),
            _ => None,
        }
    }
}

/// Who changed a quota, why, and the day (Vietnam calendar) the change holds from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaCause {
    pub reason: QuotaReason,
    /// The user, or `None` for the system.
    pub by: Option<i64>,
    pub holds_from: NaiveDate,
}

impl QuotaCause {
    /// A change by the system, holding from the day of `now`.
    pub fn system(now: NaiveDateTime) -> Self {
        Self {
            reason: QuotaReason::System,
            by: None,
            holds_from: super::counts::vietnam_day(now),
        }
    }
}

/// Sets (inserts or replaces) a union's quota as the system does, holding from today;
/// returns the one it replaced.
pub fn set_quota(
    conn: &mut DbConn,
    set: &QuotaSet<'_>,
    now: NaiveDateTime,
) -> QueryResult<Option<QuotaRecord>> {
    set_quota_because(conn, set, now, QuotaCause::system(now))
}

/// Sets (inserts or replaces) a union's quota and records it in the history; returns the one
/// it replaced.
pub fn set_quota_because(
    conn: &mut DbConn,
    set: &QuotaSet<'_>,
    now: NaiveDateTime,
    cause: QuotaCause,
) -> QueryResult<Option<QuotaRecord>> {
    let before = quota(conn, set.program_id, set.phase_id, set.union_id)?;
    match &before {
        Some(old) => diesel::update(quotas::table.find(old.id))
            .set((
                quotas::kind.eq(set.kind),
                quotas::value.eq(set.value),
                quotas::members_as_of.eq(set.members_as_of),
                quotas::member_basis.eq(set.member_basis),
                quotas::updated_at.eq(now),
            ))
            .execute(conn)?,
        None => diesel::insert_into(quotas::table)
            .values((
                quotas::program_id.eq(set.program_id),
                quotas::phase_id.eq(set.phase_id),
                quotas::union_id.eq(set.union_id),
                quotas::kind.eq(set.kind),
                quotas::value.eq(set.value),
                quotas::members_as_of.eq(set.members_as_of),
                quotas::member_basis.eq(set.member_basis),
                quotas::created_at.eq(now),
                quotas::updated_at.eq(now),
            ))
            .execute(conn)?,
    };
    record(
        conn,
        (set.program_id, set.phase_id, set.union_id),
        Some(set),
        now,
        cause,
    )?;
    Ok(before)
}

/// Removes a union's quota and records the removal in the history; returns it if there was
/// one.
pub fn delete_quota(
    conn: &mut DbConn,
    program_id: i64,
    phase_id: Option<i64>,
    union_id: i64,
    now: NaiveDateTime,
    cause: QuotaCause,
) -> QueryResult<Option<QuotaRecord>> {
    let before = quota(conn, program_id, phase_id, union_id)?;
    if let Some(old) = &before {
        diesel::delete(quotas::table.find(old.id)).execute(conn)?;
        record(conn, (program_id, phase_id, union_id), None, now, cause)?;
    }
    Ok(before)
}

/// Records in the history the quotas a union holds now at some scopes (program, phase),
/// as they were written by someone else (a reorganisation carrying its predecessors'
/// quotas); a scope without a quota is recorded as removed.
pub fn record_current(
    conn: &mut DbConn,
    union_id: i64,
    scopes: &[(i64, Option<i64>)],
    now: NaiveDateTime,
    cause: QuotaCause,
) -> QueryResult<()> {
    for &(program_id, phase_id) in scopes {
        let q = quota(conn, program_id, phase_id, union_id)?;
        let set = q.as_ref().map(|q| QuotaSet {
            program_id,
            phase_id,
            union_id,
            kind: &q.kind,
            value: q.value,
            members_as_of: q.members_as_of,
            member_basis: q.member_basis,
        });
        record(
            conn,
            (program_id, phase_id, union_id),
            set.as_ref(),
            now,
            cause,
        )?;
    }
    Ok(())
}

/// One history row: `set` is what the quota became (`None`: removed).
fn record(
    conn: &mut DbConn,
    (program_id, phase_id, union_id): (i64, Option<i64>, i64),
    set: Option<&QuotaSet<'_>>,
    now: NaiveDateTime,
    cause: QuotaCause,
) -> QueryResult<()> {
    diesel::insert_into(quota_history::table)
        .values((
            quota_history::program_id.eq(program_id),
            quota_history::phase_id.eq(phase_id),
            quota_history::union_id.eq(union_id),
            quota_history::kind.eq(set.map(|s| s.kind)),
            quota_history::value.eq(set.map(|s| s.value)),
            quota_history::members_as_of.eq(set.and_then(|s| s.members_as_of)),
            quota_history::member_basis.eq(set.and_then(|s| s.member_basis)),
            quota_history::holds_from.eq(cause.holds_from),
            quota_history::reason.eq(cause.reason.as_str()),
            quota_history::reorganisation_id.eq(cause.reason.reorganisation_id()),
            quota_history::changed_by.eq(cause.by),
            quota_history::changed_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// A recorded change of a quota.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = quota_history)]
pub struct QuotaHistoryRow {
    pub id: i64,
    pub program_id: i64,
    pub phase_id: Option<i64>,
    pub union_id: i64,
    /// `None`: the quota was removed.
    pub kind: Option<String>,
    pub value: Option<i64>,
    pub members_as_of: Option<NaiveDate>,
    pub member_basis: Option<i64>,
    pub holds_from: NaiveDate,
    /// `editor`, `import`, `reorganisation`, `system` or `initial`.
    pub reason: String,
    pub reorganisation_id: Option<i64>,
    pub changed_by: Option<i64>,
    pub changed_at: NaiveDateTime,
}

/// A history row with the name of who made it and the reorganisation's decision number.
pub type QuotaHistoryEntry = (QuotaHistoryRow, Option<String>, Option<String>);

/// The history of some unions' quotas in a program, at one scope (a phase, or `None` for
/// program-wide), the latest recorded first; at most `limit` rows.
pub fn quota_history(
    conn: &mut DbConn,
    program_id: i64,
    phase_id: Option<i64>,
    union_ids: &[i64],
    limit: i64,
) -> QueryResult<Vec<QuotaHistoryEntry>> {
    let mut q = quota_history::table
        .left_join(users::table.on(quota_history::changed_by.eq(users::id.nullable())))
        .left_join(
            reorganisations::table
                .on(quota_history::reorganisation_id.eq(reorganisations::id.nullable())),
        )
        .filter(quota_history::program_id.eq(program_id))
        .filter(quota_history::union_id.eq_any(union_ids))
        .into_boxed();
    q = match phase_id {
        Some(p) => q.filter(quota_history::phase_id.eq(p)),
        None => q.filter(quota_history::phase_id.is_null()),
    };
    q.order(quota_history::id.desc())
        .limit(limit)
        .select((
            QuotaHistoryRow::as_select(),
            users::full_name.nullable(),
            reorganisations::decision_no.nullable(),
        ))
        .load(conn)
}

/// Every recorded change of some unions' quotas in a program, every scope, in the order they
/// were recorded.
pub fn quota_history_of(
    conn: &mut DbConn,
    program_id: i64,
    union_ids: &[i64],
) -> QueryResult<Vec<QuotaHistoryRow>> {
    quota_history::table
        .filter(quota_history::program_id.eq(program_id))
        .filter(quota_history::union_id.eq_any(union_ids))
        .order(quota_history::id)
        .select(QuotaHistoryRow::as_select())
        .load(conn)
}

/// The quotas of some unions in a program, every scope, with the day (Vietnam calendar) each
/// was first set.
pub fn quotas_since(
    conn: &mut DbConn,
    program_id: i64,
    union_ids: &[i64],
) -> QueryResult<Vec<(QuotaRecord, NaiveDateTime)>> {
    quotas::table
        .filter(quotas::program_id.eq(program_id))
        .filter(quotas::union_id.eq_any(union_ids))
        .select((QuotaRecord::as_select(), quotas::created_at))
        .load(conn)
}

/// How many quotas a program has.
pub fn quota_count(conn: &mut DbConn, program_id: i64) -> QueryResult<i64> {
    quotas::table
        .filter(quotas::program_id.eq(program_id))
        .count()
        .get_result(conn)
}

/// Quotas of a program for the given unions, program-wide ones (no phase) included.
pub fn quotas_of(
    conn: &mut DbConn,
    program_id: i64,
    which: Which<'_>,
) -> QueryResult<Vec<QuotaRecord>> {
    let q = quotas::table
        .filter(quotas::program_id.eq(program_id))
        .into_boxed();
    let q = match which {
        Which::One(id) => q.filter(quotas::union_id.eq(id)),
        Which::ChildrenOf(parent) => q.filter(
            quotas::union_id.eq_any(
                unions::table
                    .filter(unions::parent_id.eq(parent))
                    .select(unions::id),
            ),
        ),
        Which::Family(id) => q.filter(
            quotas::union_id.eq_any(
                unions::table
                    .filter(unions::id.eq(id).nullable().or(unions::parent_id.eq(id)))
                    .select(unions::id),
            ),
        ),
        Which::These(ids) => q.filter(quotas::union_id.eq_any(ids)),
    };
    q.select(QuotaRecord::as_select()).load(conn)
}
