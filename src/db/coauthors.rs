//! Queries on invitations to co-author (lời mời đồng tác giả): open (pending) or declined.
//! An accepted invitation is no longer here: the co-author is a row of `initiative_authors`,
//! which therefore holds only people who agreed to be named.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::{
    coauthor_invitations, initiative_authors, initiatives, programs, unions, users,
};

/// An invitation row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = coauthor_invitations)]
pub struct InvitationRow {
    pub id: i64,
    pub initiative_id: i64,
    pub user_id: i64,
    /// The member code or email the author typed (or `#id` for an id given to the API).
    pub invited_as: String,
    pub share_percent: i32,
    /// `pending` or `declined`.
    pub status: String,
    pub invited_by: i64,
    pub created_at: NaiveDateTime,
    pub answered_at: Option<NaiveDateTime>,
}

/// The invitations of an initiative, oldest first.
pub fn for_initiative(conn: &mut DbConn, initiative_id: i64) -> QueryResult<Vec<InvitationRow>> {
    coauthor_invitations::table
        .filter(coauthor_invitations::initiative_id.eq(initiative_id))
        .order(coauthor_invitations::id)
        .select(InvitationRow::as_select())
        .load(conn)
}

/// The invitation of `user_id` to co-author `initiative_id`, if any.
pub fn find(
    conn: &mut DbConn,
    initiative_id: i64,
    user_id: i64,
) -> QueryResult<Option<InvitationRow>> {
    coauthor_invitations::table
        .filter(coauthor_invitations::initiative_id.eq(initiative_id))
        .filter(coauthor_invitations::user_id.eq(user_id))
        .select(InvitationRow::as_select())
        .first(conn)
        .optional()
}

/// How many invitations of an initiative wait for an answer.
pub fn count_pending(conn: &mut DbConn, initiative_id: i64) -> QueryResult<i64> {
    coauthor_invitations::table
        .filter(coauthor_invitations::initiative_id.eq(initiative_id))
        .filter(coauthor_invitations::status.eq("pending"))
        .count()
        .get_result(conn)
}

/// Writes a new pending invitation.
pub fn insert(
    conn: &mut DbConn,
    initiative_id: i64,
    user_id: i64,
    invited_as: &str,
    share_percent: i32,
    invited_by: i64,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(coauthor_invitations::table)
        .values((
            coauthor_invitations::initiative_id.eq(initiative_id),
            coauthor_invitations::user_id.eq(user_id),
            coauthor_invitations::invited_as.eq(invited_as),
            coauthor_invitations::share_percent.eq(share_percent),
            coauthor_invitations::status.eq("pending"),
            coauthor_invitations::invited_by.eq(invited_by),
            coauthor_invitations::created_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Changes the proposed share of an invitation.
pub fn set_share(conn: &mut DbConn, id: i64, share_percent: i32) -> QueryResult<()> {
    diesel::update(coauthor_invitations::table.find(id))
        .set(coauthor_invitations::share_percent.eq(share_percent))
        .execute(conn)
        .map(|_| ())
}

/// Sets an invitation's status (`pending` again when re-invited, `declined` when answered);
/// `false` when it was not in status `from`.
pub fn set_status(
    conn: &mut DbConn,
    id: i64,
    from: &str,
    to: &str,
    answered_at: Option<NaiveDateTime>,
) -> QueryResult<bool> {
    diesel::update(
        coauthor_invitations::table
            .find(id)
            .filter(coauthor_invitations::status.eq(from)),
    )
    .set((
        coauthor_invitations::status.eq(to),
        coauthor_invitations::answered_at.eq(answered_at),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

/// Deletes an invitation (withdrawn, or accepted and moved to the authors); `false` when it
/// was already gone.
pub fn delete(conn: &mut DbConn, id: i64) -> QueryResult<bool> {
    diesel::delete(coauthor_invitations::table.find(id))
        .execute(conn)
        .map(|n| n == 1)
}

/// Adds an author after the others (an accepted invitation).
pub fn add_author(
    conn: &mut DbConn,
    initiative_id: i64,
    user_id: i64,
    share_percent: i32,
) -> QueryResult<()> {
    let last: Option<i32> = initiative_authors::table
        .filter(initiative_authors::initiative_id.eq(initiative_id))
        .select(diesel::dsl::max(initiative_authors::position))
        .first(conn)?;
    diesel::insert_into(initiative_authors::table)
        .values((
            initiative_authors::initiative_id.eq(initiative_id),
            initiative_authors::user_id.eq(user_id),
            initiative_authors::share_percent.eq(share_percent),
            initiative_authors::position.eq(last.map_or(0, |p| p.saturating_add(1))),
        ))
        .execute(conn)
        .map(|_| ())
}

/// An open invitation as its invitee sees it: the minimal facts of the initiative.
#[derive(Debug, Clone, Queryable)]
pub struct OpenInvitationRow {
    pub initiative_id: i64,
    pub title: String,
    pub program_name: String,
    pub author_name: String,
    pub union_name: String,
    pub share_percent: i32,
    pub created_at: NaiveDateTime,
}

/// The pending invitations of `user_id`, newest first.
pub fn pending_for(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<OpenInvitationRow>> {
    coauthor_invitations::table
        .inner_join(initiatives::table.on(initiatives::id.eq(coauthor_invitations::initiative_id)))
        .inner_join(programs::table.on(programs::id.eq(initiatives::program_id)))
        .inner_join(users::table.on(users::id.eq(initiatives::author_id)))
        .inner_join(unions::table.on(unions::id.eq(initiatives::union_id)))
        .filter(coauthor_invitations::user_id.eq(user_id))
        .filter(coauthor_invitations::status.eq("pending"))
        .order(coauthor_invitations::id.desc())
        .select((
            initiatives::id,
            initiatives::title,
            programs::name,
            users::full_name,
            unions::name,
            coauthor_invitations::share_percent,
            coauthor_invitations::created_at,
        ))
        .limit(200)
        .load(conn)
}

/// Deletes every invitation of `user_id` (anonymisation: they carry what identified them).
pub fn forget_user(conn: &mut DbConn, user_id: i64) -> QueryResult<()> {
    diesel::delete(coauthor_invitations::table.filter(coauthor_invitations::user_id.eq(user_id)))
        .execute(conn)
        .map(|_| ())
}
