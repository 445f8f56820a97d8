//! Attachments: metadata in the database, bytes on disk under the data folder by content hash.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::db::initiatives::{self, AttachmentRow};
use crate::db::{self, Db, audit, outbox};
use crate::domain::{Action, Actor, InitiativeStatus, text};
use crate::error::{AppError, ErrorCode};
use crate::service::initiatives::{authorize, load};

/// An attachment as clients see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AttachmentView {
    pub id: i64,
    pub initiative_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub created_at: DateTime<Utc>,
}

impl From<AttachmentRow> for AttachmentView {
    fn from(a: AttachmentRow) -> Self {
        Self {
            id: a.id,
            initiative_id: a.initiative_id,
            file_name: a.file_name,
            content_type: a.content_type,
            size_bytes: a.size_bytes,
            sha256: a.sha256,
            created_at: a.created_at.and_utc(),
        }
    }
}

/// A file name safe to store and show: the last path segment, NFC, no control characters,
/// at most 200 characters.
pub fn clean_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = text::clean_line(base)
        .chars()
        .filter(|c| !matches!(c, '"' | '<' | '>' | ':' | '|' | '?' | '*'))
        .take(200)
        .collect();
    let cleaned = cleaned.trim_start_matches('.').to_owned();
    if cleaned.is_empty() {
        "tep-dinh-kem".to_owned()
    } else {
        cleaned
    }
}

/// The lower-case extension of a file name.
pub fn extension(name: &str) -> Option<String> {
    name.rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
}

/// Where the bytes of a file with this hash live.
pub fn stored_path(uploads_dir: &Path, sha256: &str) -> PathBuf {
    let prefix = sha256.get(..2).unwrap_or("00");
    uploads_dir.join(prefix).join(sha256)
}

/// Checks, before any byte is read, that the actor may attach a file to this initiative.
pub async fn authorize_upload(
    db: &Db,
    actor: &Actor,
    initiative_id: i64,
    max_files: i64,
) -> Result<(), AppError> {
    let actor = actor.clone();
    db.read(move |conn| check_upload(conn, &actor, initiative_id, max_files))
        .await
}

fn check_upload(
    conn: &mut db::DbConn,
    actor: &Actor,
    initiative_id: i64,
    max_files: i64,
) -> Result<(), AppError> {
    let (row, path, authors) = load(conn, initiative_id)?;
    authorize(actor, Action::EditInitiative, &row, &path, &authors)?;
    let status = InitiativeStatus::parse(&row.status).unwrap_or(InitiativeStatus::Rejected);
    if !status.is_editable() {
        return Err(AppError::new(ErrorCode::InvalidState).with_message(format!(
            "Sáng kiến ở trạng thái \"{}\" không thể thêm tệp.",
            status.label()
        )));
    }
    let count =
        i64::try_from(initiatives::attachments(conn, initiative_id)?.len()).unwrap_or(i64::MAX);
    if count >= max_files {
        return Err(AppError::new(ErrorCode::InvalidState)
            .with_message(format!("Mỗi sáng kiến có tối đa {max_files} tệp đính kèm.")));
    }
    Ok(())
}

/// A file received into a temporary path, with its hash and size.
#[derive(Debug)]
pub struct ReceivedFile {
    pub temp_path: PathBuf,
    pub file_name: String,
    pub content_type: String,
    pub sha256: String,
    pub size_bytes: i64,
}

/// Moves a received file into the store and records it.
#[tracing::instrument(skip_all, fields(actor = actor.user_id, initiative = initiative_id))]
pub async fn store(
    db: &Db,
    uploads_dir: &Path,
    actor: &Actor,
    initiative_id: i64,
    max_files: i64,
    file: ReceivedFile,
) -> Result<AttachmentView, AppError> {
    let target = stored_path(uploads_dir, &file.sha256);
    let temp = file.temp_path.clone();
    let moved = tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        if target.exists() {
            std::fs::remove_file(&temp)
        } else {
            std::fs::rename(&temp, &target)
        }
    })
    .await
    .map_err(AppError::internal)?;
    moved.map_err(|e| AppError::internal(format!("storing an attachment: {e}")))?;
    let actor = actor.clone();
    db.write(move |conn| {
        check_upload(conn, &actor, initiative_id, max_files)?;
        let now = db::now();
        let row = initiatives::insert_attachment(
            conn,
            initiative_id,
            &file.file_name,
            &file.content_type,
            file.size_bytes,
            &file.sha256,
            actor.user_id,
            now,
        )?;
        audit::record(
            conn,
            &audit::NewAudit {
                actor_id: Some(actor.user_id),
                entity_type: "initiative",
                entity_id: initiative_id,
                action: "attachment_added",
                from_state: None,
                to_state: None,
                comment: Some(&file.file_name),
                created_at: now,
            },
        )?;
        outbox::append(
            conn,
            "initiative.attachment_added",
            "initiative",
            initiative_id,
            &serde_json::json!({"attachment_id": row.id}),
            now,
        )?;
        Ok(row.into())
    })
    .await
}

/// The attachments of an initiative the actor may see.
pub async fn list(
    db: &Db,
    actor: &Actor,
    initiative_id: i64,
) -> Result<Vec<AttachmentView>, AppError> {
    let actor = actor.clone();
    db.read(move |conn| {
        let (row, path, authors) = load(conn, initiative_id)?;
        authorize(&actor, Action::ViewInitiative, &row, &path, &authors)?;
        Ok(initiatives::attachments(conn, initiative_id)?
            .into_iter()
            .map(AttachmentView::from)
            .collect())
    })
    .await
}

/// An attachment the actor may download, with the path of its bytes.
pub async fn open(
    db: &Db,
    uploads_dir: &Path,
    actor: &Actor,
    attachment_id: i64,
) -> Result<(AttachmentView, PathBuf), AppError> {
    let actor = actor.clone();
    let view = db
        .read(move |conn| {
            let att = initiatives::find_attachment(conn, attachment_id)?
                .ok_or_else(AppError::not_found)?;
            let (row, path, authors) = load(conn, att.initiative_id)?;
            authorize(&actor, Action::ViewInitiative, &row, &path, &authors)?;
            Ok(AttachmentView::from(att))
        })
        .await?;
    let path = stored_path(uploads_dir, &view.sha256);
    Ok((view, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_made_safe() {
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(
            clean_file_name("C:\\Users\\an\\Tờ trình.docx"),
            "Tờ trình.docx"
        );
        assert_eq!(clean_file_name("..."), "tep-dinh-kem");
        assert_eq!(extension("Báo cáo.PDF").as_deref(), Some("pdf"));
        assert_eq!(extension("noext"), None);
    }
}
