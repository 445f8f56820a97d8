//! The audit log: every state change, who made it, when, from what to what.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::audit_log;

/// One audit entry.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    pub id: i64,
    pub actor_id: Option<i64>,
    pub entity_type: String,
    pub entity_id: i64,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub comment: Option<String>,
    pub created_at: NaiveDateTime,
}

/// An entry to record.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = audit_log, treat_none_as_default_value = false)]
pub struct NewAudit<'a> {
    pub actor_id: Option<i64>,
    pub entity_type: &'a str,
    pub entity_id: i64,
    pub action: &'a str,
    pub from_state: Option<&'a str>,
    pub to_state: Option<&'a str>,
    pub comment: Option<&'a str>,
    pub created_at: NaiveDateTime,
}

/// Records an entry (inside the caller's transaction).
pub fn record(conn: &mut DbConn, entry: &NewAudit<'_>) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values(entry)
        .execute(conn)
        .map(|_| ())
}

/// The history of one entity, oldest first.
pub fn for_entity(
    conn: &mut DbConn,
    entity_type: &str,
    entity_id: i64,
) -> QueryResult<Vec<AuditRow>> {
    audit_log::table
        .filter(audit_log::entity_type.eq(entity_type))
        .filter(audit_log::entity_id.eq(entity_id))
        .order(audit_log::id)
        .select(AuditRow::as_select())
        .load(conn)
}

/// The latest entries of one kind of entity over several entities, newest first, with the
/// name of who made each.
pub fn latest_for_entities(
    conn: &mut DbConn,
    entity_type: &str,
    entity_ids: &[i64],
    limit: i64,
) -> QueryResult<Vec<(AuditRow, Option<String>)>> {
    use super::schema::users;
    audit_log::table
        .left_join(users::table.on(audit_log::actor_id.eq(users::id.nullable())))
        .filter(audit_log::entity_type.eq(entity_type))
        .filter(audit_log::entity_id.eq_any(entity_ids))
        .order(audit_log::id.desc())
        .limit(limit)
        .select((AuditRow::as_select(), users::full_name.nullable()))
        .load(conn)
}
