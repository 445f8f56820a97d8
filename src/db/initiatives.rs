//! Queries on initiatives, their authors and attachments.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{
    attachments, initiative_authors, initiative_versions, initiatives, unions, users,
};
use super::{DbConn, path_range};

/// Initiatives with their union. An initiative's place in the tree is its union's: its union
/// path is read from `unions`, never kept on the initiative, so that moving a union (a
/// reorganisation) moves its initiatives without rewriting them.
pub type WithUnion = diesel::dsl::InnerJoinOn<
    initiatives::table,
    unions::table,
    diesel::dsl::Eq<unions::id, initiatives::union_id>,
>;

/// [`WithUnion`]: what every read of an [`InitiativeRow`] or a [`ListedRow`] selects from.
pub fn with_union() -> WithUnion {
    initiatives::table.inner_join(unions::table.on(unions::id.eq(initiatives::union_id)))
}

/// An initiative row (read from [`with_union`]).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = initiatives)]
pub struct InitiativeRow {
    pub id: i64,
    pub program_id: i64,
    pub phase_id: Option<i64>,
    pub field_id: Option<i64>,
    pub union_id: i64,
    /// Its union's path, as the tree stands now.
    #[diesel(select_expression = unions::path)]
    pub union_path: String,
    pub author_id: i64,
    pub title: String,
    pub current_situation: String,
    pub solution: String,
    pub scope: String,
    pub benefits: String,
    pub first_applied_on: Option<NaiveDate>,
    pub estimated_benefit_vnd: Option<i64>,
    pub confidential: bool,
    pub status: String,
    pub version: i32,
    pub receipt_no: Option<String>,
    pub submitted_at: Option<NaiveDateTime>,
    pub decided_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The content an author writes; inserted on create and replaced on update.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = initiatives, treat_none_as_null = true)]
pub struct InitiativeContent {
    pub phase_id: Option<i64>,
    pub field_id: Option<i64>,
    pub title: String,
    pub current_situation: String,
    pub solution: String,
    pub scope: String,
    pub benefits: String,
    pub first_applied_on: Option<NaiveDate>,
    pub estimated_benefit_vnd: Option<i64>,
    pub confidential: bool,
}

/// An author of an initiative, with their share.
#[derive(Debug, Clone, Queryable)]
pub struct AuthorRow {
    pub user_id: i64,
    pub full_name: String,
    pub share_percent: i32,
    pub position: i32,
    /// What the author signs in with: the member code, or the email when there is none.
    pub member_code: Option<String>,
    pub email: String,
}

/// An attachment row.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = attachments)]
pub struct AttachmentRow {
    pub id: i64,
    pub initiative_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_by: i64,
    pub created_at: NaiveDateTime,
}

/// Inserts a draft.
pub fn insert(
    conn: &mut DbConn,
    program_id: i64,
    union_id: i64,
    author_id: i64,
    content: &InitiativeContent,
    now: NaiveDateTime,
) -> QueryResult<InitiativeRow> {
    diesel::insert_into(initiatives::table)
        .values((
            content,
            initiatives::program_id.eq(program_id),
            initiatives::union_id.eq(union_id),
            initiatives::author_id.eq(author_id),
            initiatives::status.eq("draft"),
            initiatives::version.eq(1),
            initiatives::created_at.eq(now),
            initiatives::updated_at.eq(now),
        ))
        .returning(initiatives::id)
        .get_result::<i64>(conn)
        .and_then(|id| {
            with_union()
                .filter(initiatives::id.eq(id))
                .select(InitiativeRow::as_select())
                .first(conn)
        })
}

/// An initiative by id.
pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<InitiativeRow>> {
    with_union()
        .filter(initiatives::id.eq(id))
        .select(InitiativeRow::as_select())
        .first(conn)
        .optional()
}

/// Replaces the content if the row is still at `expected_version`; returns false when it is
/// not (someone saved in between).
pub fn update_content(
    conn: &mut DbConn,
    id: i64,
    expected_version: i32,
    content: &InitiativeContent,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        initiatives::table
            .filter(initiatives::id.eq(id))
            .filter(initiatives::version.eq(expected_version)),
    )
    .set((
        content,
        initiatives::version.eq(expected_version + 1),
        initiatives::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Moves the initiative from `from` to `to` if it is still at `expected_version` and in
/// `from`; returns false otherwise.
#[expect(
    clippy::too_many_arguments,
    reason = "the guarded columns of one transition"
)]
pub fn transition(
    conn: &mut DbConn,
    id: i64,
    expected_version: i32,
    from: &str,
    to: &str,
    submitted_at: Option<NaiveDateTime>,
    receipt_no: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let target = initiatives::table
        .filter(initiatives::id.eq(id))
        .filter(initiatives::version.eq(expected_version))
        .filter(initiatives::status.eq(from));
    let n = match (submitted_at, receipt_no) {
        (Some(at), Some(no)) => diesel::update(target)
            .set((
                initiatives::status.eq(to),
                initiatives::version.eq(expected_version + 1),
                initiatives::submitted_at.eq(at),
                initiatives::receipt_no.eq(no),
                initiatives::updated_at.eq(now),
            ))
            .execute(conn)?,
        (Some(at), None) => diesel::update(target)
            .set((
                initiatives::status.eq(to),
                initiatives::version.eq(expected_version + 1),
                initiatives::submitted_at.eq(at),
                initiatives::updated_at.eq(now),
            ))
            .execute(conn)?,
        _ => {
            let decided = ["approved", "rejected", "duplicate", "revoked"]
                .contains(&to)
                .then_some(now);
            diesel::update(target)
                .set((
                    initiatives::status.eq(to),
                    initiatives::version.eq(expected_version + 1),
                    initiatives::decided_at.eq(decided),
                    initiatives::updated_at.eq(now),
                ))
                .execute(conn)?
        }
    };
    if n == 1 {
        super::counts::moved(conn, id, from, to, now)?;
    }
    Ok(n == 1)
}

/// The authors of an initiative, submitting author first.
pub fn authors(conn: &mut DbConn, initiative_id: i64) -> QueryResult<Vec<AuthorRow>> {
    initiative_authors::table
        .inner_join(users::table.on(users::id.eq(initiative_authors::user_id)))
        .filter(initiative_authors::initiative_id.eq(initiative_id))
        .order(initiative_authors::position)
        .select((
            initiative_authors::user_id,
            users::full_name,
            initiative_authors::share_percent,
            initiative_authors::position,
            users::member_code,
            users::email,
        ))
        .load(conn)
}

/// Replaces the authors of an initiative.
pub fn set_authors(
    conn: &mut DbConn,
    initiative_id: i64,
    entries: &[(i64, i32)],
) -> QueryResult<()> {
    diesel::delete(
        initiative_authors::table.filter(initiative_authors::initiative_id.eq(initiative_id)),
    )
    .execute(conn)?;
    let rows: Vec<_> = entries
        .iter()
        .enumerate()
        .map(|(pos, (user, share))| {
            (
                initiative_authors::initiative_id.eq(initiative_id),
                initiative_authors::user_id.eq(*user),
                initiative_authors::share_percent.eq(*share),
                initiative_authors::position.eq(i32::try_from(pos).unwrap_or(i32::MAX)),
            )
        })
        .collect();
    for row in rows {
        diesel::insert_into(initiative_authors::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

/// Filters for listing initiatives.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub program_id: Option<i64>,
    pub phase_id: Option<i64>,
    pub field_id: Option<i64>,
    /// Only initiatives of this union subtree.
    pub subtree: Option<String>,
    pub status: Option<String>,
    /// Only initiatives this user authored or co-authored.
    pub author_id: Option<i64>,
}

/// What the caller may see, applied as a filter.
#[derive(Debug, Clone)]
pub struct Visibility {
    /// Everything (system administrators).
    pub all: bool,
    /// The caller's own (as author or co-author), in any status.
    pub user_id: i64,
    /// Non-draft initiatives under these paths (officers, program administrators).
    pub oversight: Vec<String>,
    /// Non-draft initiatives of (program, path) pairs (reviewers).
    pub reviewing: Vec<(i64, String)>,
    /// Approved, non-confidential initiatives.
    pub published: bool,
}

type Cond<'a> = Box<
    dyn BoxableExpression<
            initiatives::table,
            super::MultiBackend,
            SqlType = diesel::sql_types::Bool,
        > + 'a,
>;

fn in_path(path: &str) -> Cond<'static> {
    let (lo, hi) = path_range(path);
    let under = unions::table
        .filter(unions::path.ge(lo))
        .filter(unions::path.lt(hi))
        .select(unions::id);
    Box::new(initiatives::union_id.eq_any(under))
}

fn visibility_condition(v: &Visibility) -> Cond<'static> {
    if v.all {
        return Box::new(diesel::dsl::sql::<diesel::sql_types::Bool>("1=1"));
    }
    let own = initiative_authors::table
        .filter(initiative_authors::user_id.eq(v.user_id))
        .select(initiative_authors::initiative_id);
    let mut cond: Cond<'static> = Box::new(initiatives::id.eq_any(own));
    let not_draft = || initiatives::status.ne("draft");
    for p in &v.oversight {
        cond = Box::new(cond.or(in_path(p).and(not_draft())));
    }
    for (program, p) in &v.reviewing {
        cond = Box::new(
            cond.or(in_path(p)
                .and(initiatives::program_id.eq(*program))
                .and(not_draft())),
        );
    }
    if v.published {
        cond = Box::new(
            cond.or(initiatives::status
                .eq("approved")
                .and(initiatives::confidential.eq(false))),
        );
    }
    cond
}

/// A page of initiatives matching `filter` that the caller may see, newest first, with the
/// total count.
pub fn list(
    conn: &mut DbConn,
    filter: &ListFilter,
    visibility: &Visibility,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<InitiativeRow>, i64)> {
    let build = || {
        let mut q = initiatives::table.into_boxed();
        q = q.filter(visibility_condition(visibility));
        if let Some(p) = filter.program_id {
            q = q.filter(initiatives::program_id.eq(p));
        }
        if let Some(p) = filter.phase_id {
            q = q.filter(initiatives::phase_id.eq(p));
        }
        if let Some(f) = filter.field_id {
            q = q.filter(initiatives::field_id.eq(f));
        }
        if let Some(path) = &filter.subtree {
            q = q.filter(in_path(path));
        }
        if let Some(s) = &filter.status {
            q = q.filter(initiatives::status.eq(s.clone()));
        }
        if let Some(a) = filter.author_id {
            let theirs = initiative_authors::table
                .filter(initiative_authors::user_id.eq(a))
                .select(initiative_authors::initiative_id);
            q = q.filter(initiatives::id.eq_any(theirs));
        }
        q
    };
    let total: i64 = build().count().get_result(conn)?;
    let ids: Vec<i64> = build()
        .order(initiatives::id.desc())
        .limit(limit)
        .offset(offset)
        .select(initiatives::id)
        .load(conn)?;
    let mut rows = find_many(conn, &ids)?;
    rows.sort_by_key(|r| std::cmp::Reverse(r.id));
    Ok((rows, total))
}

/// Inserts an attachment's metadata.
#[expect(clippy::too_many_arguments, reason = "one column each")]
pub fn insert_attachment(
    conn: &mut DbConn,
    initiative_id: i64,
    file_name: &str,
    content_type: &str,
    size_bytes: i64,
    sha256: &str,
    uploaded_by: i64,
    now: NaiveDateTime,
) -> QueryResult<AttachmentRow> {
    diesel::insert_into(attachments::table)
        .values((
            attachments::initiative_id.eq(initiative_id),
            attachments::file_name.eq(file_name),
            attachments::content_type.eq(content_type),
            attachments::size_bytes.eq(size_bytes),
            attachments::sha256.eq(sha256),
            attachments::uploaded_by.eq(uploaded_by),
            attachments::created_at.eq(now),
        ))
        .returning(attachments::id)
        .get_result::<i64>(conn)
        .and_then(|id| {
            attachments::table
                .find(id)
                .select(AttachmentRow::as_select())
                .first(conn)
        })
}

/// The attachments of an initiative, oldest first.
pub fn attachments(conn: &mut DbConn, initiative_id: i64) -> QueryResult<Vec<AttachmentRow>> {
    attachments::table
        .filter(attachments::initiative_id.eq(initiative_id))
        .order(attachments::id)
        .select(AttachmentRow::as_select())
        .load(conn)
}

/// An attachment by id.
pub fn find_attachment(conn: &mut DbConn, id: i64) -> QueryResult<Option<AttachmentRow>> {
    attachments::table
        .find(id)
        .select(AttachmentRow::as_select())
        .first(conn)
        .optional()
}

/// How many initiatives there are.
pub fn count(conn: &mut DbConn) -> QueryResult<i64> {
    initiatives::table.count().get_result(conn)
}

/// Initiatives with these ids.
pub fn find_many(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<InitiativeRow>> {
    with_union()
        .filter(initiatives::id.eq_any(ids))
        .select(InitiativeRow::as_select())
        .load(conn)
}

/// The next batch of submitted (non-draft) initiatives after `after_id`, by id.
pub fn submitted_after(
    conn: &mut DbConn,
    after_id: i64,
    limit: i64,
) -> QueryResult<Vec<InitiativeRow>> {
    with_union()
        .filter(initiatives::id.gt(after_id))
        .filter(initiatives::status.ne("draft"))
        .order(initiatives::id)
        .limit(limit)
        .select(InitiativeRow::as_select())
        .load(conn)
}

/// How many submitted (non-draft) initiatives there are, in one program or in all.
pub fn count_submitted(conn: &mut DbConn, program_id: Option<i64>) -> QueryResult<i64> {
    let mut q = initiatives::table
        .filter(initiatives::status.ne("draft"))
        .into_boxed();
    if let Some(p) = program_id {
        q = q.filter(initiatives::program_id.eq(p));
    }
    q.count().get_result(conn)
}

/// Submitted initiatives of a program, earliest-filed first, after position `offset`.
pub fn program_submitted_page(
    conn: &mut DbConn,
    program_id: i64,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<InitiativeRow>> {
    with_union()
        .filter(initiatives::program_id.eq(program_id))
        .filter(initiatives::status.ne("draft"))
        .order((initiatives::submitted_at.asc(), initiatives::id.asc()))
        .offset(offset)
        .limit(limit)
        .select(InitiativeRow::as_select())
        .load(conn)
}

/// Which index walks a union's initiatives: the subtree's path range (sorted afterwards), or
/// the program's initiatives newest first (kept when under the path). See
/// [`subtree_page`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubtreePlan {
    /// A small subtree: read its range of `initiatives_program_path_idx`, then sort.
    ByPath,
    /// A large share of the program: walk `initiatives_program_time_idx` newest first.
    ByTime,
}

impl SubtreePlan {
    /// The cheaper walk for a page ending at `end` (offset + limit) of a subtree holding
    /// `in_subtree` of the program's `in_program` matching initiatives: the path range reads
    /// about `in_subtree` entries, the time order about `end × in_program ÷ in_subtree`.
    pub fn choose(in_subtree: i64, in_program: i64, end: i64) -> Self {
        let by_path = i128::from(in_subtree.max(1)) * i128::from(in_subtree.max(1));
        let by_time = i128::from(end.max(1)) * i128::from(in_program.max(1));
        if by_path <= by_time {
            Self::ByPath
        } else {
            Self::ByTime
        }
    }
}

/// Ids of a program's initiatives under `path` in one of `statuses` (and one phase), newest
/// submitted first (then by id), `limit` from `offset`.
///
/// PostgreSQL's planner chooses between the two indexes of migration 8 by its statistics;
/// SQLite (which has none unless `ANALYZE` ran) is told which one by `plan`.
#[expect(clippy::too_many_arguments, reason = "one query's filters and window")]
pub fn subtree_page(
    conn: &mut DbConn,
    program_id: i64,
    path: &str,
    statuses: &[&'static str],
    phase_id: Option<i64>,
    plan: SubtreePlan,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<i64>> {
    use diesel::sql_types::{BigInt, Text};

    #[derive(QueryableByName)]
    struct IdRow {
        #[diesel(sql_type = BigInt)]
        id: i64,
    }

    let (lo, hi) = path_range(path);
    // The statuses are the fixed names of the counting rules, never user text.
    let statuses = statuses
        .iter()
        .filter(|s| s.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        .map(|s| format!("'{s}'"))
        .collect::<Vec<_>>()
        .join(", ");
    if statuses.is_empty() {
        return Ok(Vec::new());
    }
    let sql = |hint: &str, p: &dyn Fn(usize) -> String| {
        let phase = if phase_id.is_some() {
            format!(" AND phase_id = {}", p(4))
        } else {
            String::new()
        };
        let n = if phase_id.is_some() { 5 } else { 4 };
        format!(
            "SELECT id FROM initiatives{hint} WHERE program_id = {} AND union_id IN \
             (SELECT id FROM unions WHERE path >= {} AND path < {}) \
             AND status IN ({statuses}){phase} \
             ORDER BY submitted_at DESC, id DESC LIMIT {} OFFSET {}",
            p(1),
            p(2),
            p(3),
            p(n),
            p(n + 1)
        )
    };
    let rows: Vec<IdRow> = match conn {
        DbConn::Pg(c) => {
            let q = diesel::sql_query(sql("", &|i| format!("${i}")))
                .into_boxed::<diesel::pg::Pg>()
                .bind::<BigInt, _>(program_id)
                .bind::<Text, _>(lo)
                .bind::<Text, _>(hi);
            let q = match phase_id {
                Some(ph) => q.bind::<BigInt, _>(ph),
                None => q,
            };
            q.bind::<BigInt, _>(limit)
                .bind::<BigInt, _>(offset)
                .load(c)?
        }
        DbConn::Sqlite(c) => {
            let hint = match plan {
                SubtreePlan::ByPath => " INDEXED BY initiatives_program_union_idx",
                SubtreePlan::ByTime => " INDEXED BY initiatives_program_time_idx",
            };
            let q = diesel::sql_query(sql(hint, &|_| "?".to_owned()))
                .into_boxed::<diesel::sqlite::Sqlite>()
                .bind::<BigInt, _>(program_id)
                .bind::<Text, _>(lo)
                .bind::<Text, _>(hi);
            let q = match phase_id {
                Some(ph) => q.bind::<BigInt, _>(ph),
                None => q,
            };
            q.bind::<BigInt, _>(limit)
                .bind::<BigInt, _>(offset)
                .load(c)?
        }
    };
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// What a list of initiatives shows of each one (no content sections; read from
/// [`with_union`]).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = initiatives)]
pub struct ListedRow {
    pub id: i64,
    pub program_id: i64,
    pub field_id: Option<i64>,
    pub union_id: i64,
    #[diesel(select_expression = unions::path)]
    pub union_path: String,
    pub title: String,
    pub confidential: bool,
    pub status: String,
    pub receipt_no: Option<String>,
    pub submitted_at: Option<NaiveDateTime>,
    pub decided_at: Option<NaiveDateTime>,
}

/// The listed columns of these initiatives, in the order of `ids` (read 500 at a time).
pub fn listed(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<ListedRow>> {
    let mut by_id = std::collections::HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let rows: Vec<ListedRow> = with_union()
            .filter(initiatives::id.eq_any(chunk))
            .select(ListedRow::as_select())
            .load(conn)?;
        by_id.extend(rows.into_iter().map(|r| (r.id, r)));
    }
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// The authors (user id and name) of these initiatives, submitting author first, by
/// initiative (read 500 at a time).
pub fn author_names(
    conn: &mut DbConn,
    ids: &[i64],
) -> QueryResult<std::collections::HashMap<i64, Vec<(i64, String)>>> {
    let mut out: std::collections::HashMap<i64, Vec<(i64, String)>> =
        std::collections::HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let rows: Vec<(i64, i64, String)> = initiative_authors::table
            .inner_join(users::table.on(users::id.eq(initiative_authors::user_id)))
            .filter(initiative_authors::initiative_id.eq_any(chunk))
            .order((
                initiative_authors::initiative_id,
                initiative_authors::position,
            ))
            .select((
                initiative_authors::initiative_id,
                users::id,
                users::full_name,
            ))
            .load(conn)?;
        for (initiative, user, name) in rows {
            out.entry(initiative).or_default().push((user, name));
        }
    }
    Ok(out)
}

/// Are there initiatives past the draft stage in the union subtree at `path`? (They are
/// counted for every ancestor, so the subtree cannot move.)
pub fn any_counted_under(conn: &mut DbConn, path: &str) -> QueryResult<bool> {
    let (lo, hi) = path_range(path);
    let under = unions::table
        .filter(unions::path.ge(lo))
        .filter(unions::path.lt(hi))
        .select(unions::id);
    initiatives::table
        .filter(initiatives::union_id.eq_any(under))
        .filter(initiatives::status.ne("draft"))
        .select(initiatives::id)
        .first::<i64>(conn)
        .optional()
        .map(|found| found.is_some())
}

/// The submitted initiatives (drafts aside) whose union lies under `path`: what the index
/// re-scopes when a subtree moves.
pub fn counted_ids_under(conn: &mut DbConn, path: &str) -> QueryResult<Vec<i64>> {
    let (lo, hi) = path_range(path);
    let under = unions::table
        .filter(unions::path.ge(lo))
        .filter(unions::path.lt(hi))
        .select(unions::id);
    initiatives::table
        .filter(initiatives::union_id.eq_any(under))
        .filter(initiatives::status.ne("draft"))
        .select(initiatives::id)
        .load(conn)
}

/// How many initiatives (drafts included) these unions have, read 1,000 unions at a time.
pub fn count_of_unions(conn: &mut DbConn, union_ids: &[i64]) -> QueryResult<i64> {
    let mut n = 0;
    for chunk in union_ids.chunks(1_000) {
        n += initiatives::table
            .filter(initiatives::union_id.eq_any(chunk))
            .count()
            .get_result::<i64>(conn)?;
    }
    Ok(n)
}

/// A submitted version of an initiative.
#[derive(Debug, Clone, Queryable)]
pub struct VersionRow {
    pub round: i32,
    pub title: String,
    pub content: String,
    pub submitted_at: NaiveDateTime,
}

/// Stores the content as submitted in `round`.
pub fn insert_version(
    conn: &mut DbConn,
    initiative_id: i64,
    round: i32,
    title: &str,
    content: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(initiative_versions::table)
        .values((
            initiative_versions::initiative_id.eq(initiative_id),
            initiative_versions::round.eq(round),
            initiative_versions::title.eq(title),
            initiative_versions::content.eq(content),
            initiative_versions::submitted_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The submitted versions of an initiative, first round first.
pub fn versions(conn: &mut DbConn, initiative_id: i64) -> QueryResult<Vec<VersionRow>> {
    initiative_versions::table
        .filter(initiative_versions::initiative_id.eq(initiative_id))
        .order(initiative_versions::round)
        .select((
            initiative_versions::round,
            initiative_versions::title,
            initiative_versions::content,
            initiative_versions::submitted_at,
        ))
        .load(conn)
}
