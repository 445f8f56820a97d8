//! Personal data (dữ liệu cá nhân): a member's export of everything stored about them, the
//! anonymisation of a person on request, and the record of who viewed whose data in the
//! administration views.

use serde::Serialize;

use crate::db::users::UserRow;
use crate::db::{self, Db, DbConn, audit, privacy, unions, users};
use crate::domain::{Action, Actor, Resource, UnionPath, can};
use crate::error::{AppError, ErrorCode};

/// The profile part of an export.
#[derive(Debug, Clone, Serialize)]
pub struct Profile {
    pub id: i64,
    pub full_name: String,
    pub email: String,
    pub member_code: Option<String>,
    pub phone: Option<String>,
    pub status: String,
    pub union_code: String,
    pub union_name: String,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

/// Everything stored about one person (but the password hash), as one document.
#[derive(Debug, Clone, Serialize)]
pub struct PersonalExport {
    /// When the export was made (UTC).
    pub exported_at: chrono::NaiveDateTime,
    /// What this document is.
    pub about: &'static str,
    pub profile: Profile,
    #[serde(flatten)]
    pub data: privacy::PersonalData,
}

/// Records that `actor` looked at `entity_type` `entity_id` in an administration view (inside
/// the caller's transaction). Looking at oneself is not recorded.
pub fn record_view(
    conn: &mut DbConn,
    actor: &Actor,
    entity_type: &str,
    entity_id: i64,
    what: &str,
) -> Result<(), AppError> {
    if entity_type == "user" && entity_id == actor.user_id {
        return Ok(());
    }
    audit::record(
        conn,
        &audit::NewAudit {
            actor_id: Some(actor.user_id),
            entity_type,
            entity_id,
            action: "viewed",
            from_state: None,
            to_state: None,
            comment: Some(what),
            created_at: db::now(),
        },
    )?;
    Ok(())
}

/// The user and their union's path, when `actor` may see them (outsiders get 404).
fn visible(
    conn: &mut DbConn,
    actor: &Actor,
    user_id: i64,
) -> Result<(UserRow, UnionPath, String, String), AppError> {
    let user = users::find(conn, user_id)?.ok_or_else(AppError::not_found)?;
    let union = unions::find(conn, user.union_id)?.ok_or_else(AppError::not_found)?;
    let path = UnionPath::from_stored(union.path.clone());
    let resource = Resource::User {
        id: user_id,
        union_path: &path,
    };
    if user_id != actor.user_id && !can(actor, Action::ViewUser, resource) {
        return Err(AppError::not_found());
    }
    Ok((user, path, union.code, union.name))
}

/// Everything stored about `user_id`: for the person themselves, or for an officer who
/// manages them (a request made on paper); the latter is audited.
pub async fn export(db: &Db, actor: &Actor, user_id: i64) -> Result<PersonalExport, AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        let (user, path, union_code, union_name) = visible(conn, &actor, user_id)?;
        if user_id != actor.user_id {
            let resource = Resource::User {
                id: user_id,
                union_path: &path,
            };
            if !can(&actor, Action::ManageUser, resource) {
                return Err(AppError::forbidden());
            }
            audit::record(
                conn,
                &audit::NewAudit {
                    actor_id: Some(actor.user_id),
                    entity_type: "user",
                    entity_id: user_id,
                    action: "personal_data_exported",
                    from_state: None,
                    to_state: None,
                    comment: None,
                    created_at: db::now(),
                },
            )?;
        }
        let data = privacy::personal_data(conn, user_id)?;
        tracing::info!(user_id, by = actor.user_id, "personal data exported");
        Ok(PersonalExport {
            exported_at: db::now(),
            about: "Dữ liệu cá nhân lưu trên hệ thống Sáng kiến",
            profile: Profile {
                id: user.id,
                full_name: user.full_name,
                email: user.email,
                member_code: user.member_code,
                phone: user.phone,
                status: user.status,
                union_code,
                union_name,
                created_at: user.created_at,
                updated_at: user.updated_at,
            },
            data,
        })
    })
    .await
}

/// Anonymises `user_id` on request: what identifies them is removed for good, what they
/// contributed stays and counts as before (see [`privacy::anonymise`]). Only someone who
/// manages the person, never on oneself; audited.
pub async fn anonymise(db: &Db, actor: &Actor, user_id: i64) -> Result<(), AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        let (user, path, _, _) = visible(conn, &actor, user_id)?;
        let resource = Resource::User {
            id: user_id,
            union_path: &path,
        };
        if !can(&actor, Action::ManageUser, resource) {
            return Err(AppError::forbidden());
        }
        if user_id == actor.user_id {
            return Err(AppError::new(ErrorCode::InvalidState)
                .with_message("Không thể tự ẩn danh tài khoản của chính mình."));
        }
        if user.full_name == privacy::anonymous_name(user_id) && user.password_hash.is_none() {
            return Err(AppError::new(ErrorCode::InvalidState)
                .with_message("Tài khoản này đã được ẩn danh."));
        }
        let now = db::now();
        privacy::anonymise(conn, user_id, now)?;
        audit::record(
            conn,
            &audit::NewAudit {
                actor_id: Some(actor.user_id),
                entity_type: "user",
                entity_id: user_id,
                action: "anonymised",
                from_state: Some(&user.status),
                to_state: Some("disabled"),
                comment: None,
                created_at: now,
            },
        )?;
        tracing::info!(user_id, by = actor.user_id, "user anonymised");
        Ok(())
    })
    .await
}
