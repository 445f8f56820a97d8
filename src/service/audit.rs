//! The audit log as its readers see it: who changed what and when, filterable. System
//! administrators read all of it; officers and program administrators read the entries
//! whose object is in their subtrees (its unions, members, programs and initiatives), under
//! the same rule as reading the object.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::Serialize;

use crate::db::audit::{self, AuditFilter};
use crate::db::{Db, programs, unions, users};
use crate::domain::Actor;
use crate::error::AppError;
use crate::service::{Page, PageRequest};

/// One entry.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    /// Who acted (empty: the system, an import or the command line).
    pub actor_name: Option<String>,
    pub entity_type: String,
    pub entity_id: i64,
    /// The object's name or code when it is a union, user or program.
    pub entity_name: Option<String>,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub comment: Option<String>,
}

/// A search of the audit log: who, what action, what object, which Vietnam dates.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// The actor's email or member code.
    pub actor: Option<String>,
    pub action: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<i64>,
    /// First day (Vietnam time), inclusive.
    pub from: Option<NaiveDate>,
    /// Last day (Vietnam time), inclusive.
    pub to: Option<NaiveDate>,
}

/// May the actor read the audit log at all (and of which subtrees: `None` = everything)?
pub fn scope_of(actor: &Actor) -> Result<Option<Vec<String>>, AppError> {
    let Some(paths) = actor.oversight_scope() else {
        return Ok(None);
    };
    let paths: Vec<String> = paths.into_iter().map(|p| p.as_str().to_owned()).collect();
    if paths.is_empty() {
        return Err(AppError::forbidden()
            .with_message("Chỉ cán bộ công đoàn và quản trị viên mới xem được nhật ký thay đổi."));
    }
    Ok(Some(paths))
}

/// The start of a Vietnam day, in UTC.
fn vietnam_midnight(d: NaiveDate) -> NaiveDateTime {
    crate::format::from_vietnam(d.and_time(chrono::NaiveTime::MIN))
}

/// Entries matching the query, newest first.
pub async fn list(
    db: &Db,
    actor: &Actor,
    query: AuditQuery,
    page: PageRequest,
) -> Result<Page<AuditEntry>, AppError> {
    let scope = scope_of(actor)?;
    let (limit, offset, page_no, per_page) = page.resolve()?;
    let (rows, total, names) = db
        .read(move |conn| {
            let actor_id = match query.actor.as_deref() {
                Some(login) => match users::find_by_login(conn, login)? {
                    Some(u) => Some(u.id),
                    // Nobody by that login: nothing matches.
                    None => Some(-1),
                },
                None => None,
            };
            let filter = AuditFilter {
                actor_id,
                action: query.action.clone(),
                entity_type: query.entity_type.clone(),
                entity_id: query.entity_id,
                from: query.from.map(vietnam_midnight),
                until: query.to.and_then(|d| d.succ_opt()).map(vietnam_midnight),
            };
            let (rows, total) = audit::list(conn, scope.as_deref(), &filter, limit, offset)?;
            let mut names: HashMap<(String, i64), String> = HashMap::new();
            let mut user_ids: Vec<i64> = rows.iter().filter_map(|r| r.actor_id).collect();
            let mut union_ids = Vec::new();
            let mut program_ids = Vec::new();
            for r in &rows {
                match r.entity_type.as_str() {
                    "user" => user_ids.push(r.entity_id),
                    "union" => union_ids.push(r.entity_id),
                    "program" => program_ids.push(r.entity_id),
                    _ => {}
                }
            }
            user_ids.sort_unstable();
            user_ids.dedup();
            for u in users::by_ids(conn, &user_ids)? {
                names.insert(("user".to_owned(), u.id), u.full_name);
            }
            for u in unions::find_many(conn, &union_ids)? {
                names.insert(
                    ("union".to_owned(), u.id),
                    format!("{} ({})", u.name, u.code),
                );
            }
            for id in program_ids {
                if let Some(p) = programs::find(conn, id)? {
                    names.insert(("program".to_owned(), id), p.name);
                }
            }
            Ok((rows, total, names))
        })
        .await?;
    let items = rows
        .into_iter()
        .map(|r| AuditEntry {
            actor_name: r
                .actor_id
                .and_then(|a| names.get(&("user".to_owned(), a)).cloned()),
            entity_name: names.get(&(r.entity_type.clone(), r.entity_id)).cloned(),
            id: r.id,
            at: r.created_at.and_utc(),
            actor_id: r.actor_id,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
            action: r.action,
            from_state: r.from_state,
            to_state: r.to_state,
            comment: r.comment,
        })
        .collect();
    Ok(Page {
        items,
        total,
        page: page_no,
        per_page,
    })
}
