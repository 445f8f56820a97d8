//! Attachments: metadata in the database, bytes on disk under the data folder by content hash.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::db::initiatives::{self, AttachmentRow};
use crate::db::{self, Db, audit, outbox};
use crate::domain::Stored;
use crate::domain::{Action, Actor, InitiativeStatus, text};
use crate::error::{AppError, ErrorCode};
use crate::service::shared::initiative::{authorize, load};

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

/// How many leading bytes of an upload [`content_type_of`] looks at.
pub const SNIFF_BYTES: usize = 64 * 1024;

/// The media type an upload is stored and served with, judged by its content: its leading
/// bytes must be what its extension says (a PDF starts `%PDF-`, an Office document is a ZIP
/// or an OLE compound file, a text file is UTF-8 without NUL bytes). `None` when they are
/// not, so a page or script renamed `.pdf` is refused, whatever the browser declared.
pub fn content_type_of(ext: &str, head: &[u8]) -> Option<&'static str> {
    const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    let zip = infer::archive::is_zip(head);
    let ole = head.starts_with(OLE);
    let (ok, media_type) = match ext {
        "pdf" => (infer::archive::is_pdf(head), "application/pdf"),
        "png" => (infer::image::is_png(head), "image/png"),
        "jpg" | "jpeg" => (infer::image::is_jpeg(head), "image/jpeg"),
        "zip" => (zip, "application/zip"),
        "docx" => (
            zip,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        "xlsx" => (
            zip,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        "pptx" => (
            zip,
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        "odt" => (zip, "application/vnd.oasis.opendocument.text"),
        "ods" => (zip, "application/vnd.oasis.opendocument.spreadsheet"),
        "doc" => (ole, "application/msword"),
        "xls" => (ole, "application/vnd.ms-excel"),
        "ppt" => (ole, "application/vnd.ms-powerpoint"),
        "txt" => {
            let utf8 = match std::str::from_utf8(head) {
                Ok(_) => true,
                // Cut in the middle of a character at the end of the sample: fine.
                Err(e) => e.error_len().is_none() && head.len() >= SNIFF_BYTES - 4,
            };
            (utf8 && !head.contains(&0), "text/plain; charset=utf-8")
        }
        _ => (false, "application/octet-stream"),
    };
    ok.then_some(media_type)
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
    let status = InitiativeStatus::from_stored(&row.status)?;
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
    moved.map_err(|e| AppError::failed("storing an attachment", e))?;
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
    fn uploads_are_judged_by_their_content() {
        let pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj";
        assert_eq!(content_type_of("pdf", pdf), Some("application/pdf"));
        let html = b"<!doctype html><script>alert(1)</script>";
        assert_eq!(content_type_of("pdf", html), None, "a page renamed .pdf");
        assert_eq!(content_type_of("png", pdf), None);
        let zip = b"PK\x03\x04\x14\x00\x06\x00\x08\x00";
        assert!(content_type_of("docx", zip).is_some());
        assert!(content_type_of("xlsx", zip).is_some());
        assert_eq!(content_type_of("doc", zip), None);
        let ole = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0];
        assert_eq!(content_type_of("doc", &ole), Some("application/msword"));
        let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR";
        assert_eq!(content_type_of("png", png), Some("image/png"));
        assert_eq!(
            content_type_of("jpg", &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
            Some("image/jpeg")
        );
        assert_eq!(
            content_type_of("txt", "Sáng kiến tiết kiệm điện".as_bytes()),
            Some("text/plain; charset=utf-8")
        );
        assert_eq!(
            content_type_of("txt", b"MZ\x90\x00\x03\x00"),
            None,
            "binary"
        );
        assert_eq!(content_type_of("exe", b"MZ"), None);
    }

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
