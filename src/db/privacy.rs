//! Queries over everything stored about one person: the data export a member may ask for,
//! and anonymisation (ẩn danh hoá) on request.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::DbConn;
use super::schema::{
    audit_log, coauthor_invitations, committee_members, initiative_authors, initiatives,
    mail_outbox, mail_preferences, review_assignments, review_conflicts, role_grants, sessions,
    unions, users,
};

/// An initiative the person (co-)authored, with their share.
#[derive(Debug, Clone, Serialize, Queryable)]
pub struct AuthoredInitiative {
    pub id: i64,
    pub program_id: i64,
    pub title: String,
    pub current_situation: String,
    pub solution: String,
    pub scope: String,
    pub benefits: String,
    pub status: String,
    pub confidential: bool,
    pub submitted_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub share_percent: i32,
    pub first_author: bool,
}

/// A review the person wrote.
#[derive(Debug, Clone, Serialize, Queryable)]
pub struct WrittenReview {
    pub case_id: i64,
    pub state: String,
    pub scores: String,
    pub total: Option<f64>,
    pub recommendation: Option<String>,
    pub comment: Option<String>,
    pub assigned_at: NaiveDateTime,
    pub scored_at: Option<NaiveDateTime>,
}

/// A declared conflict of interest.
#[derive(Debug, Clone, Serialize, Queryable)]
pub struct DeclaredConflict {
    pub initiative_id: i64,
    pub reason_code: String,
    pub note: Option<String>,
    pub recorded_at: NaiveDateTime,
}

/// An email addressed to the person.
#[derive(Debug, Clone, Serialize, Queryable)]
pub struct EmailSent {
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

/// A session, live or ended.
#[derive(Debug, Clone, Serialize, Queryable)]
pub struct SessionRecord {
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    pub client_address: String,
    pub user_agent: String,
}

/// An audit entry by or about the person.
#[derive(Debug, Clone, Serialize, Queryable)]
pub struct AuditRecord {
    pub actor_id: Option<i64>,
    pub entity_type: String,
    pub entity_id: i64,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub comment: Option<String>,
    pub created_at: NaiveDateTime,
}

/// An invitation to co-author that the person has not accepted (pending or declined).
#[derive(Debug, Clone, Serialize, Queryable)]
pub struct InvitationReceived {
    pub initiative_id: i64,
    /// The member code or email the inviting author typed.
    pub invited_as: String,
    pub share_percent: i32,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub answered_at: Option<NaiveDateTime>,
}

/// A role held.
#[derive(Debug, Clone, Serialize, Queryable)]
pub struct RoleHeld {
    pub role: String,
    pub union_code: String,
    pub union_name: String,
    pub program_id: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// Everything stored about one person but their password hash.
#[derive(Debug, Clone, Serialize)]
pub struct PersonalData {
    pub roles: Vec<RoleHeld>,
    pub initiatives: Vec<AuthoredInitiative>,
    pub coauthor_invitations: Vec<InvitationReceived>,
    pub reviews: Vec<WrittenReview>,
    pub conflicts_declared: Vec<DeclaredConflict>,
    pub digests: Option<bool>,
    pub emails: Vec<EmailSent>,
    pub sessions: Vec<SessionRecord>,
    pub audit: Vec<AuditRecord>,
}

/// Reads everything about `user_id` (its profile is read by the caller).
pub fn personal_data(conn: &mut DbConn, user_id: i64) -> QueryResult<PersonalData> {
    let roles = role_grants::table
        .inner_join(unions::table.on(unions::id.eq(role_grants::union_id)))
        .filter(role_grants::user_id.eq(user_id))
        .order(role_grants::id)
        .select((
            role_grants::role,
            unions::code,
            unions::name,
            role_grants::program_id,
            role_grants::created_at,
        ))
        .load(conn)?;
    let initiatives = initiative_authors::table
        .inner_join(initiatives::table)
        .filter(initiative_authors::user_id.eq(user_id))
        .order(initiatives::id)
        .select((
            initiatives::id,
            initiatives::program_id,
            initiatives::title,
            initiatives::current_situation,
            initiatives::solution,
            initiatives::scope,
            initiatives::benefits,
            initiatives::status,
            initiatives::confidential,
            initiatives::submitted_at,
            initiatives::created_at,
            initiative_authors::share_percent,
            initiatives::author_id.eq(user_id),
        ))
        .load(conn)?;
    let coauthor_invitations = coauthor_invitations::table
        .filter(coauthor_invitations::user_id.eq(user_id))
        .order(coauthor_invitations::id)
        .select((
            coauthor_invitations::initiative_id,
            coauthor_invitations::invited_as,
            coauthor_invitations::share_percent,
            coauthor_invitations::status,
            coauthor_invitations::created_at,
            coauthor_invitations::answered_at,
        ))
        .load(conn)?;
    let reviews = review_assignments::table
        .filter(review_assignments::reviewer_id.eq(user_id))
        .order(review_assignments::id)
        .select((
            review_assignments::case_id,
            review_assignments::state,
            review_assignments::scores,
            review_assignments::total,
            review_assignments::recommendation,
            review_assignments::comment,
            review_assignments::assigned_at,
            review_assignments::scored_at,
        ))
        .load(conn)?;
    let conflicts_declared = review_conflicts::table
        .filter(review_conflicts::user_id.eq(user_id))
        .order(review_conflicts::recorded_at)
        .select((
            review_conflicts::initiative_id,
            review_conflicts::reason_code,
            review_conflicts::note,
            review_conflicts::recorded_at,
        ))
        .load(conn)?;
    let digests = mail_preferences::table
        .find(user_id)
        .select(mail_preferences::digests)
        .first(conn)
        .optional()?;
    let emails = mail_outbox::table
        .filter(mail_outbox::user_id.eq(user_id))
        .order(mail_outbox::id)
        .select((
            mail_outbox::kind,
            mail_outbox::recipient,
            mail_outbox::subject,
            mail_outbox::status,
            mail_outbox::created_at,
            mail_outbox::sent_at,
        ))
        .load(conn)?;
    let sessions = sessions::table
        .filter(sessions::user_id.eq(user_id))
        .order(sessions::created_at)
        .select((
            sessions::created_at,
            sessions::expires_at,
            sessions::revoked_at,
            sessions::client_address,
            sessions::user_agent,
        ))
        .load(conn)?;
    let audit = audit_log::table
        .filter(
            audit_log::actor_id.eq(user_id).or(audit_log::entity_type
                .eq("user")
                .and(audit_log::entity_id.eq(user_id))),
        )
        .order(audit_log::id)
        .select((
            audit_log::actor_id,
            audit_log::entity_type,
            audit_log::entity_id,
            audit_log::action,
            audit_log::from_state,
            audit_log::to_state,
            audit_log::comment,
            audit_log::created_at,
        ))
        .load(conn)?;
    Ok(PersonalData {
        roles,
        initiatives,
        coauthor_invitations,
        reviews,
        conflicts_declared,
        digests,
        emails,
        sessions,
        audit,
    })
}

/// The name an anonymised person is shown by.
pub fn anonymous_name(user_id: i64) -> String {
    format!("Đoàn viên đã ẩn danh #{user_id}")
}

/// Removes what identifies `user_id`: name, email, member code and phone are replaced or
/// cleared, the password, sessions, roles, committee seats, preferences and emails are
/// deleted, the account is disabled. What the person contributed (initiatives, reviews,
/// decisions, audit entries) stays, so that counts, quotas and past decisions do not change;
/// it now names nobody.
pub fn anonymise(conn: &mut DbConn, user_id: i64, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set((
            users::full_name.eq(anonymous_name(user_id)),
            users::email.eq(format!("an-danh-{user_id}@an-danh.invalid")),
            users::member_code.eq(None::<String>),
            users::phone.eq(None::<String>),
            users::password_hash.eq(None::<String>),
            users::status.eq("disabled"),
            users::updated_at.eq(now),
        ))
        .execute(conn)?;
    diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(conn)?;
    diesel::delete(role_grants::table.filter(role_grants::user_id.eq(user_id))).execute(conn)?;
    diesel::delete(committee_members::table.filter(committee_members::user_id.eq(user_id)))
        .execute(conn)?;
    diesel::delete(mail_preferences::table.find(user_id)).execute(conn)?;
    diesel::delete(mail_outbox::table.filter(mail_outbox::user_id.eq(user_id))).execute(conn)?;
    // An invitation to co-author keeps the code or email the author typed: gone with it.
    super::coauthors::forget_user(conn, user_id)?;
    super::idempotency::forget_user(conn, user_id)?;
    diesel::update(review_conflicts::table.filter(review_conflicts::user_id.eq(user_id)))
        .set(review_conflicts::note.eq(None::<String>))
        .execute(conn)?;
    diesel::update(unions::table.filter(unions::head_user_id.eq(user_id)))
        .set(unions::head_user_id.eq(None::<i64>))
        .execute(conn)?;
    Ok(())
}
