//! Queries on users and their role grants.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{role_grants, unions, users};
use super::{DbConn, lower, path_range};

/// A user row.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: i64,
    pub member_code: Option<String>,
    pub full_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub union_id: i64,
    pub password_hash: Option<String>,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A user to insert.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = users, treat_none_as_default_value = false)]
pub struct NewUser<'a> {
    pub member_code: Option<&'a str>,
    pub full_name: &'a str,
    pub email: &'a str,
    pub phone: Option<&'a str>,
    pub union_id: i64,
    pub password_hash: Option<&'a str>,
    pub status: &'a str,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A grant row with the path of the union it covers.
#[derive(Debug, Clone)]
pub struct GrantRow {
    pub id: i64,
    pub user_id: i64,
    pub role: String,
    pub union_id: i64,
    pub union_path: String,
    pub union_code: String,
    pub program_id: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// Inserts a user.
pub fn insert(conn: &mut DbConn, new: &NewUser<'_>) -> QueryResult<UserRow> {
    diesel::insert_into(users::table)
        .values(new)
        .returning(users::id)
        .get_result::<i64>(conn)
        .and_then(|id| {
            users::table
                .find(id)
                .select(UserRow::as_select())
                .first(conn)
        })
}

/// A user by id.
pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<UserRow>> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

/// A user by email (case-insensitive) or member code.
pub fn find_by_login(conn: &mut DbConn, login: &str) -> QueryResult<Option<UserRow>> {
    let email = login.to_lowercase();
    users::table
        .filter(users::email.eq(&email).or(users::member_code.eq(login)))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

/// The users `ids` (unknown ids are skipped).
pub fn by_ids(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<UserRow>> {
    users::table
        .filter(users::id.eq_any(ids))
        .select(UserRow::as_select())
        .load(conn)
}

/// Replaces a user's password hash if it is still `old` (so that of two uses of one link
/// only the first changes it); `false` when it had changed.
pub fn replace_password(
    conn: &mut DbConn,
    id: i64,
    old: Option<&str>,
    new: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let q = users::table.filter(users::id.eq(id));
    let n = match old {
        Some(h) => diesel::update(q.filter(users::password_hash.eq(h)))
            .set((
                users::password_hash.eq(Some(new)),
                users::updated_at.eq(now),
            ))
            .execute(conn)?,
        None => diesel::update(q.filter(users::password_hash.is_null()))
            .set((
                users::password_hash.eq(Some(new)),
                users::updated_at.eq(now),
            ))
            .execute(conn)?,
    };
    Ok(n > 0)
}

/// A user by exact email.
pub fn find_by_email(conn: &mut DbConn, email: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::email.eq(email))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

/// Users whose union lies under one of `paths` (all users when `paths` is `None`), filtered
/// by a union subtree and a text query on name, email or member code; newest first.
pub fn list(
    conn: &mut DbConn,
    paths: Option<&[String]>,
    subtree: Option<&str>,
    q: Option<&str>,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<(UserRow, String)>, i64)> {
    // The same filters build the page query and the count query.
    macro_rules! filtered {
        () => {{
            let mut query = users::table.inner_join(unions::table).into_boxed();
            if let Some(paths) = paths {
                if paths.is_empty() {
                    query = query.filter(users::id.lt(0));
                } else {
                    let mut ors: Vec<(String, String)> =
                        paths.iter().map(|p| path_range(p)).collect();
                    let (lo, hi) = ors.remove(0);
                    let mut cond = Box::new(unions::path.ge(lo).and(unions::path.lt(hi)))
                        as Box<dyn BoxableExpression<_, _, SqlType = diesel::sql_types::Bool>>;
                    for (lo, hi) in ors {
                        cond = Box::new(cond.or(unions::path.ge(lo).and(unions::path.lt(hi))));
                    }
                    query = query.filter(cond);
                }
            }
            if let Some(sub) = subtree {
                let (lo, hi) = path_range(sub);
                query = query
                    .filter(unions::path.ge(lo))
                    .filter(unions::path.lt(hi));
            }
            if let Some(q) = q {
                // Names match with or without marks, Đ as D (`users.name_folded`).
                let typed = q.replace(['%', '_'], "");
                let pattern = format!("%{}%", typed.to_lowercase());
                let folded = format!("%{}%", crate::domain::text::fold_name(&typed));
                query = query.filter(
                    users::name_folded
                        .like(folded)
                        .or(users::email.like(pattern.clone()))
                        .or(lower(users::member_code.assume_not_null()).like(pattern)),
                );
            }
            query
        }};
    }
    let total: i64 = filtered!().count().get_result(conn)?;
    // Names holding the text as typed (marks and all) first.
    let exact = format!(
        "%{}%",
        crate::domain::text::clean_line(q.unwrap_or_default()).replace(['%', '_'], "")
    );
    let rows = filtered!()
        .select((UserRow::as_select(), unions::path))
        .order((users::full_name.like(exact).desc(), users::id.desc()))
        .limit(limit)
        .offset(offset)
        .load(conn)?;
    Ok((rows, total))
}

type GrantTuple = (
    i64,
    i64,
    String,
    i64,
    String,
    String,
    Option<i64>,
    NaiveDateTime,
);

/// The grants of a user, with the paths they cover.
pub fn grants(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<GrantRow>> {
    let rows: Vec<GrantTuple> = role_grants::table
        .inner_join(unions::table.on(unions::id.eq(role_grants::union_id)))
        .filter(role_grants::user_id.eq(user_id))
        .order(role_grants::id)
        .select((
            role_grants::id,
            role_grants::user_id,
            role_grants::role,
            role_grants::union_id,
            unions::path,
            unions::code,
            role_grants::program_id,
            role_grants::created_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, user_id, role, union_id, union_path, union_code, program_id, created_at)| {
                GrantRow {
                    id,
                    user_id,
                    role,
                    union_id,
                    union_path,
                    union_code,
                    program_id,
                    created_at,
                }
            },
        )
        .collect())
}

/// Adds a grant unless the same one exists; returns its id.
pub fn grant(
    conn: &mut DbConn,
    user_id: i64,
    role: &str,
    union_id: i64,
    program_id: Option<i64>,
    granted_by: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    let mut existing = role_grants::table
        .filter(role_grants::user_id.eq(user_id))
        .filter(role_grants::role.eq(role))
        .filter(role_grants::union_id.eq(union_id))
        .select(role_grants::id)
        .into_boxed();
    existing = match program_id {
        Some(p) => existing.filter(role_grants::program_id.eq(p)),
        None => existing.filter(role_grants::program_id.is_null()),
    };
    if let Some(id) = existing.first::<i64>(conn).optional()? {
        return Ok(id);
    }
    diesel::insert_into(role_grants::table)
        .values((
            role_grants::user_id.eq(user_id),
            role_grants::role.eq(role),
            role_grants::union_id.eq(union_id),
            role_grants::program_id.eq(program_id),
            role_grants::granted_by.eq(granted_by),
            role_grants::created_at.eq(now),
        ))
        .returning(role_grants::id)
        .get_result(conn)
}

/// Removes a grant of a user; returns whether one was removed.
pub fn revoke(conn: &mut DbConn, user_id: i64, grant_id: i64) -> QueryResult<bool> {
    let n = diesel::delete(
        role_grants::table
            .filter(role_grants::id.eq(grant_id))
            .filter(role_grants::user_id.eq(user_id)),
    )
    .execute(conn)?;
    Ok(n > 0)
}

/// Changes a user's status.
pub fn set_status(conn: &mut DbConn, id: i64, status: &str, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set((users::status.eq(status), users::updated_at.eq(now)))
        .execute(conn)
        .map(|_| ())
}

/// How many users there are.
pub fn count(conn: &mut DbConn) -> QueryResult<i64> {
    users::table.count().get_result(conn)
}

/// Changes a user's profile.
#[expect(clippy::too_many_arguments, reason = "one column each")]
pub fn update_profile(
    conn: &mut DbConn,
    id: i64,
    full_name: &str,
    email: &str,
    phone: Option<&str>,
    member_code: Option<&str>,
    union_id: i64,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set((
            users::full_name.eq(full_name),
            users::email.eq(email),
            users::phone.eq(phone),
            users::member_code.eq(member_code),
            users::union_id.eq(union_id),
            users::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Moves a user's member grant from one union to another (the member changed union).
pub fn move_member_grant(
    conn: &mut DbConn,
    user_id: i64,
    from: i64,
    to: i64,
) -> QueryResult<usize> {
    diesel::update(
        role_grants::table
            .filter(role_grants::user_id.eq(user_id))
            .filter(role_grants::role.eq("member"))
            .filter(role_grants::union_id.eq(from)),
    )
    .set(role_grants::union_id.eq(to))
    .execute(conn)
}

/// Moves every member of one union to another, their member grants along; returns how many
/// accounts moved.
pub fn move_union_members(conn: &mut DbConn, from: i64, to: i64) -> QueryResult<usize> {
    diesel::update(
        role_grants::table
            .filter(role_grants::role.eq("member"))
            .filter(role_grants::union_id.eq(from)),
    )
    .set(role_grants::union_id.eq(to))
    .execute(conn)?;
    diesel::update(users::table.filter(users::union_id.eq(from)))
        .set(users::union_id.eq(to))
        .execute(conn)
}
