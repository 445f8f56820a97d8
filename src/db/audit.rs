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

/// What to look for in the audit log.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Who acted.
    pub actor_id: Option<i64>,
    /// The action (`create`, `move`, `grant_role`, …).
    pub action: Option<String>,
    /// The kind of object (`union`, `user`, `program`, …).
    pub entity_type: Option<String>,
    /// The object's id.
    pub entity_id: Option<i64>,
    /// From this moment (UTC, inclusive).
    pub from: Option<NaiveDateTime>,
    /// Before this moment (UTC, exclusive).
    pub until: Option<NaiveDateTime>,
}

/// Entries matching `filter`, newest first, with the total. `scope` (when given) keeps only
/// entries whose object is in those subtrees: unions, users (and their imports), programs
/// owned there, initiatives of unions there and their review cases. Entries about the mail
/// queue and the system are for system administrators only.
pub fn list(
    conn: &mut DbConn,
    scope: Option<&[String]>,
    filter: &AuditFilter,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<AuditRow>, i64)> {
    use super::path_range;
    use super::schema::{initiatives, programs, review_cases, unions, users};
    use diesel::sql_types::Bool;
    macro_rules! filtered {
        () => {{
            let mut query = audit_log::table.into_boxed();
            if let Some(paths) = scope {
                let mut cond: Option<Box<dyn BoxableExpression<_, _, SqlType = Bool>>> = None;
                for p in paths {
                    let (lo, hi) = path_range(p);
                    let unions_in = || {
                        unions::table
                            .filter(unions::path.ge(lo.clone()))
                            .filter(unions::path.lt(hi.clone()))
                            .select(unions::id)
                    };
                    let users_in = || {
                        users::table
                            .filter(users::union_id.eq_any(unions_in()))
                            .select(users::id)
                    };
                    let initiatives_in = || {
                        initiatives::table
                            .filter(initiatives::union_id.eq_any(unions_in()))
                            .select(initiatives::id)
                    };
                    // Each entry is visible under the rule of its object, never because of
                    // who made it: an officer's reviewer acting on another province's
                    // initiative writes an entry that the officer may not read.
                    let c = audit_log::entity_type
                        .eq("union")
                        .and(audit_log::entity_id.eq_any(unions_in()))
                        .or(audit_log::entity_type
                            .eq_any(["user", "organisation_import"])
                            .and(audit_log::entity_id.eq_any(users_in())))
                        .or(audit_log::entity_type.eq("program").and(
                            audit_log::entity_id.eq_any(
                                programs::table
                                    .filter(programs::owner_union_id.eq_any(unions_in()))
                                    .select(programs::id),
                            ),
                        ))
                        .or(audit_log::entity_type
                            .eq("initiative")
                            .and(audit_log::entity_id.eq_any(initiatives_in())))
                        .or(audit_log::entity_type.eq("review_case").and(
                            audit_log::entity_id.eq_any(
                                review_cases::table
                                    .filter(review_cases::initiative_id.eq_any(initiatives_in()))
                                    .select(review_cases::id),
                            ),
                        ));
                    cond = Some(match cond {
                        None => Box::new(c),
                        Some(prev) => Box::new(prev.or(c)),
                    });
                }
                match cond {
                    Some(c) => query = query.filter(c),
                    None => query = query.filter(audit_log::id.lt(0)),
                }
            }
            if let Some(a) = filter.actor_id {
                query = query.filter(audit_log::actor_id.eq(a));
            }
            if let Some(a) = &filter.action {
                query = query.filter(audit_log::action.eq(a.clone()));
            }
            if let Some(t) = &filter.entity_type {
                query = query.filter(audit_log::entity_type.eq(t.clone()));
            }
            if let Some(i) = filter.entity_id {
                query = query.filter(audit_log::entity_id.eq(i));
            }
            if let Some(f) = filter.from {
                query = query.filter(audit_log::created_at.ge(f));
            }
            if let Some(u) = filter.until {
                query = query.filter(audit_log::created_at.lt(u));
            }
            query
        }};
    }
    let total: i64 = filtered!().count().get_result(conn)?;
    let rows = filtered!()
        .order(audit_log::id.desc())
        .limit(limit)
        .offset(offset)
        .select(AuditRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}
