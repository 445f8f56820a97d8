//! Bulk reads and writes of the organisation import: unions and members looked up by code in
//! chunks, multi-row inserts per backend, the paths of new unions set in one statement per
//! level.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::audit::NewAudit;
use super::schema::{audit_log, role_grants, unions, users};
use super::unions::UnionRow;
use super::users::{NewUser, UserRow};

/// Values bound per statement stay well under SQLite's limit (32,766).
const CHUNK: usize = 1_000;

/// The unions with these codes.
pub fn unions_by_codes(conn: &mut DbConn, codes: &[&str]) -> QueryResult<Vec<UnionRow>> {
    let mut out = Vec::new();
    for chunk in codes.chunks(CHUNK) {
        out.extend(
            unions::table
                .filter(unions::code.eq_any(chunk))
                .select(UnionRow::as_select())
                .load(conn)?,
        );
    }
    Ok(out)
}

/// The unions with these ids.
pub fn unions_by_ids(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<UnionRow>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        out.extend(
            unions::table
                .filter(unions::id.eq_any(chunk))
                .select(UnionRow::as_select())
                .load(conn)?,
        );
    }
    Ok(out)
}

/// The users with these member codes.
pub fn users_by_member_codes(conn: &mut DbConn, codes: &[&str]) -> QueryResult<Vec<UserRow>> {
    let mut out = Vec::new();
    for chunk in codes.chunks(CHUNK) {
        out.extend(
            users::table
                .filter(users::member_code.eq_any(chunk))
                .select(UserRow::as_select())
                .load(conn)?,
        );
    }
    Ok(out)
}

/// The users with these (lower-case) emails.
pub fn users_by_emails(conn: &mut DbConn, emails: &[&str]) -> QueryResult<Vec<UserRow>> {
    let mut out = Vec::new();
    for chunk in emails.chunks(CHUNK) {
        out.extend(
            users::table
                .filter(users::email.eq_any(chunk))
                .select(UserRow::as_select())
                .load(conn)?,
        );
    }
    Ok(out)
}

/// A new union of an import; its path is a unique placeholder until [`set_pending_paths`].
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = unions, treat_none_as_default_value = false)]
pub struct NewImportedUnion<'a> {
    pub parent_id: Option<i64>,
    pub level: i32,
    pub code: &'a str,
    pub name: &'a str,
    pub path: String,
    pub cluster: Option<&'a str>,
    pub member_count: i32,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The placeholder path of a union being inserted.
pub fn pending_path(code: &str) -> String {
    format!("pending:{code}")
}

/// Inserts unions (all of one level, whose parents have their paths) in multi-row statements;
/// returns `(id, code)` of each.
pub fn insert_unions(
    conn: &mut DbConn,
    rows: &[NewImportedUnion<'_>],
) -> QueryResult<Vec<(i64, String)>> {
    let mut out = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(CHUNK / 10) {
        out.extend(crate::on_backend!(conn, |c| diesel::insert_into(
            unions::table
        )
        .values(chunk)
        .returning((unions::id, unions::code))
        .get_results::<(i64, String)>(c))?);
    }
    Ok(out)
}

/// Gives every union still holding a placeholder path its materialised path, from its parent's
/// (one statement; call after each level, parents first).
pub fn set_pending_paths(conn: &mut DbConn) -> QueryResult<usize> {
    const SQL: &str = "UPDATE unions SET path = COALESCE((SELECT p.path FROM unions p \
                       WHERE p.id = unions.parent_id), '/') || CAST(unions.id AS TEXT) || '/' \
                       WHERE unions.path LIKE 'pending:%'";
    crate::on_backend!(conn, |c| diesel::sql_query(SQL).execute(c))
}

/// Changes a union's name, cluster and member count.
pub fn update_union(
    conn: &mut DbConn,
    id: i64,
    name: &str,
    cluster: Option<&str>,
    member_count: i32,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(unions::table.find(id))
        .set((
            unions::name.eq(name),
            unions::cluster.eq(cluster),
            unions::member_count.eq(member_count),
            unions::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Inserts members (accounts without a password) in multi-row statements, each with the
/// member role over their union, granted by `granted_by`; returns the new accounts' ids.
pub fn insert_members(
    conn: &mut DbConn,
    rows: &[NewUser<'_>],
    granted_by: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<Vec<i64>> {
    let mut created = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(CHUNK / 2) {
        let ids: Vec<(i64, i64)> = crate::on_backend!(conn, |c| diesel::insert_into(users::table)
            .values(chunk)
            .returning((users::id, users::union_id))
            .get_results(c))?;
        created.extend(ids.iter().map(|(id, _)| *id));
        let grants: Vec<_> = ids
            .into_iter()
            .map(|(user_id, union_id)| {
                (
                    role_grants::user_id.eq(user_id),
                    role_grants::role.eq(crate::domain::Role::Member.as_str()),
                    role_grants::union_id.eq(union_id),
                    role_grants::granted_by.eq(granted_by),
                    role_grants::created_at.eq(now),
                )
            })
            .collect();
        crate::on_backend!(conn, |c| diesel::insert_into(role_grants::table)
            .values(&grants)
            .execute(c))?;
    }
    Ok(created)
}

/// Changes a member's name, email, phone and union (moving their member role along).
#[expect(clippy::too_many_arguments, reason = "one column each")]
pub fn update_member(
    conn: &mut DbConn,
    id: i64,
    full_name: &str,
    email: &str,
    phone: Option<&str>,
    old_union_id: i64,
    union_id: i64,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set((
            users::full_name.eq(full_name),
            users::email.eq(email),
            users::phone.eq(phone),
            users::union_id.eq(union_id),
            users::updated_at.eq(now),
        ))
        .execute(conn)?;
    if old_union_id != union_id {
        diesel::update(
            role_grants::table
                .filter(role_grants::user_id.eq(id))
                .filter(role_grants::role.eq(crate::domain::Role::Member.as_str()))
                .filter(role_grants::union_id.eq(old_union_id)),
        )
        .set(role_grants::union_id.eq(union_id))
        .execute(conn)?;
    }
    Ok(())
}

/// Records audit entries in multi-row statements.
pub fn record_audits(conn: &mut DbConn, entries: &[NewAudit<'_>]) -> QueryResult<()> {
    for chunk in entries.chunks(CHUNK / 10) {
        crate::on_backend!(conn, |c| diesel::insert_into(audit_log::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

/// Refreshes the planner's statistics of the tables an import wrote (PostgreSQL; SQLite
/// needs none). Without it, a database loaded by its first import keeps the plans its pooled
/// connections cached while the tables were empty: PostgreSQL then scans 100,000 members
/// sequentially for every chunk of codes looked up, and re-importing that file took 90 s
/// instead of 3 s. `ANALYZE` also invalidates those cached plans. Only the written tables:
/// statistics of a table analysed while empty would mislead the next import's lookups.
pub fn analyze_after_import(conn: &mut DbConn, tables: &'static str) -> QueryResult<()> {
    if matches!(conn, DbConn::Pg(_)) {
        diesel::sql_query(format!("ANALYZE {tables}")).execute(conn)?;
    }
    Ok(())
}
