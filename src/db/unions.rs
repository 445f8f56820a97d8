//! Queries on the union tree.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::unions;
use super::{DbConn, path_range};

/// Which unions a query is about. Children are selected by `parent_id` in the statement
/// itself, so that the statement stays the same (and prepared) whatever the family's size;
/// a list of ids is written out in the statement and prepared each time on SQLite.
#[derive(Debug, Clone, Copy)]
pub enum Which<'a> {
    /// One union.
    One(i64),
    /// The direct children of a union (inactive ones included).
    ChildrenOf(i64),
    /// A union and its direct children.
    Family(i64),
    /// Unions with these ids.
    These(&'a [i64]),
}

/// A union row (its timestamps are not read: nothing shows them).
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = unions)]
pub struct UnionRow {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub level: i32,
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    pub path: String,
    pub cluster: Option<String>,
    pub member_count: i32,
    pub active: bool,
}

/// A union to insert (its path is set from its id).
#[derive(Debug, Clone)]
pub struct NewUnion<'a> {
    pub parent: Option<&'a UnionRow>,
    pub level: i32,
    pub code: &'a str,
    pub name: &'a str,
    pub short_name: Option<&'a str>,
    pub cluster: Option<&'a str>,
    pub member_count: i32,
    pub now: NaiveDateTime,
}

/// Inserts a union and sets its materialised path.
pub fn insert(conn: &mut DbConn, new: &NewUnion<'_>) -> QueryResult<UnionRow> {
    let placeholder = format!("pending:{}", new.code);
    let id: i64 = diesel::insert_into(unions::table)
        .values((
            unions::parent_id.eq(new.parent.map(|p| p.id)),
            unions::level.eq(new.level),
            unions::code.eq(new.code),
            unions::name.eq(new.name),
            unions::short_name.eq(new.short_name),
            unions::path.eq(&placeholder),
            unions::cluster.eq(new.cluster),
            unions::member_count.eq(new.member_count),
            unions::active.eq(true),
            unions::created_at.eq(new.now),
            unions::updated_at.eq(new.now),
        ))
        .returning(unions::id)
        .get_result(conn)?;
    let path = match new.parent {
        Some(p) => format!("{}{id}/", p.path),
        None => format!("/{id}/"),
    };
    diesel::update(unions::table.find(id))
        .set(unions::path.eq(&path))
        .execute(conn)?;
    unions::table
        .find(id)
        .select(UnionRow::as_select())
        .first(conn)
}

/// A union by id.
pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<UnionRow>> {
    unions::table
        .find(id)
        .select(UnionRow::as_select())
        .first(conn)
        .optional()
}

/// A union by code.
pub fn find_by_code(conn: &mut DbConn, code: &str) -> QueryResult<Option<UnionRow>> {
    unions::table
        .filter(unions::code.eq(code))
        .select(UnionRow::as_select())
        .first(conn)
        .optional()
}

/// Unions with these ids.
pub fn find_many(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<UnionRow>> {
    unions::table
        .filter(unions::id.eq_any(ids))
        .select(UnionRow::as_select())
        .load(conn)
}

/// The unions among `ids` that have stopped operating (`active` false), in `ids`' order: with
/// the ids of a path, the closed unions on it from the top down.
pub fn inactive_among(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<UnionRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut rows = unions::table
        .filter(unions::id.eq_any(ids))
        .filter(unions::active.eq(false))
        .select(UnionRow::as_select())
        .load(conn)?;
    rows.sort_by_key(|r| ids.iter().position(|id| *id == r.id));
    Ok(rows)
}

/// The root union(s).
pub fn roots(conn: &mut DbConn) -> QueryResult<Vec<UnionRow>> {
    unions::table
        .filter(unions::parent_id.is_null())
        .order(unions::id)
        .select(UnionRow::as_select())
        .load(conn)
}

/// Direct children, by name.
pub fn children(conn: &mut DbConn, id: i64) -> QueryResult<Vec<UnionRow>> {
    unions::table
        .filter(unions::parent_id.eq(id))
        .order((unions::name, unions::id))
        .select(UnionRow::as_select())
        .load(conn)
}

/// The union at `path` and everything below it, in path order, down to `max_level`.
pub fn subtree(conn: &mut DbConn, path: &str, max_level: i32) -> QueryResult<Vec<UnionRow>> {
    let (lo, hi) = path_range(path);
    unions::table
        .filter(unions::path.ge(lo))
        .filter(unions::path.lt(hi))
        .filter(unions::level.le(max_level))
        .order(unions::path)
        .select(UnionRow::as_select())
        .load(conn)
}

/// Changes a union's descriptive fields.
#[expect(clippy::too_many_arguments, reason = "one column each")]
pub fn update(
    conn: &mut DbConn,
    id: i64,
    name: &str,
    short_name: Option<&str>,
    cluster: Option<&str>,
    member_count: i32,
    active: bool,
    now: NaiveDateTime,
) -> QueryResult<UnionRow> {
    diesel::update(unions::table.find(id))
        .set((
            unions::name.eq(name),
            unions::short_name.eq(short_name),
            unions::cluster.eq(cluster),
            unions::member_count.eq(member_count),
            unions::active.eq(active),
            unions::updated_at.eq(now),
        ))
        .execute(conn)?;
    unions::table
        .find(id)
        .select(UnionRow::as_select())
        .first(conn)
}

/// How many unions there are.
pub fn count(conn: &mut DbConn) -> QueryResult<i64> {
    unions::table.count().get_result(conn)
}

/// Members recorded in the subtree at `path` (the union and everything below it).
pub fn subtree_members(conn: &mut DbConn, path: &str) -> QueryResult<i64> {
    let (lo, hi) = path_range(path);
    let total: Option<i64> = unions::table
        .filter(unions::path.ge(lo))
        .filter(unions::path.lt(hi))
        .select(diesel::dsl::sum(unions::member_count))
        .first(conn)?;
    Ok(total.unwrap_or(0))
}

/// Moves a union under another parent: its parent id here, the paths with [`set_path`].
pub fn set_parent(
    conn: &mut DbConn,
    id: i64,
    parent_id: i64,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(unions::table.find(id))
        .set((unions::parent_id.eq(parent_id), unions::updated_at.eq(now)))
        .execute(conn)
        .map(|_| ())
}

/// Sets a union's materialised path.
pub fn set_path(conn: &mut DbConn, id: i64, path: &str) -> QueryResult<()> {
    diesel::update(unions::table.find(id))
        .set(unions::path.eq(path))
        .execute(conn)
        .map(|_| ())
}

/// The head (thủ trưởng) recorded for a union.
pub fn head_of(conn: &mut DbConn, union_id: i64) -> QueryResult<Option<i64>> {
    unions::table
        .find(union_id)
        .select(unions::head_user_id)
        .first(conn)
        .optional()
        .map(Option::flatten)
}

/// Records (or clears) the head of a union.
pub fn set_head(conn: &mut DbConn, union_id: i64, user_id: Option<i64>) -> QueryResult<()> {
    diesel::update(unions::table.find(union_id))
        .set(unions::head_user_id.eq(user_id))
        .execute(conn)
        .map(|_| ())
}

/// The union ids and levels along a path, root first.
pub fn ancestry(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<(i64, i32)>> {
    let mut rows: Vec<(i64, i32)> = unions::table
        .filter(unions::id.eq_any(ids))
        .select((unions::id, unions::level))
        .load(conn)?;
    rows.sort_by_key(|(id, _)| ids.iter().position(|x| x == id));
    Ok(rows)
}

/// Replaces the prefix `old` of a path column by `new` on every row whose path starts with
/// `old` (one statement, served by the column's index: paths sort by byte), and says how many
/// rows changed.
fn replace_path_prefix(
    conn: &mut DbConn,
    table: &str,
    column: &str,
    old: &str,
    new: &str,
) -> QueryResult<usize> {
    use diesel::sql_types::{Integer, Text};
    let (lo, hi) = path_range(old);
    // substr() counts from 1; paths are ASCII, so characters are bytes.
    let rest = i32::try_from(old.len() + 1).unwrap_or(i32::MAX);
    match conn {
        DbConn::Pg(c) => diesel::sql_query(format!(
            "UPDATE {table} SET {column} = $1 || substr({column}, $2) \
             WHERE {column} >= $3 AND {column} < $4"
        ))
        .bind::<Text, _>(new)
        .bind::<Integer, _>(rest)
        .bind::<Text, _>(&lo)
        .bind::<Text, _>(&hi)
        .execute(c),
        DbConn::Sqlite(c) => diesel::sql_query(format!(
            "UPDATE {table} SET {column} = ? || substr({column}, ?) \
             WHERE {column} >= ? AND {column} < ?"
        ))
        .bind::<Text, _>(new)
        .bind::<Integer, _>(rest)
        .bind::<Text, _>(&lo)
        .bind::<Text, _>(&hi)
        .execute(c),
    }
}

/// Moves whole subtrees' paths: for each `(old, new)`, every union whose path starts with
/// `old` gets `new` in its place, one statement per subtree, in the order given (a subtree
/// moved out of another moved one must come first). Returns the unions rewritten.
pub fn rewrite_subtree_paths(conn: &mut DbConn, moves: &[(&str, &str)]) -> QueryResult<usize> {
    let mut n = 0;
    for (old, new) in moves {
        n += replace_path_prefix(conn, "unions", "path", old, new)?;
    }
    Ok(n)
}
