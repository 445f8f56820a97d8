//! An attachment streamed in (size and type checked as it arrives, nothing left behind when
//! it is cut) and sent back out: shared by the API and the pages.

use actix_files::NamedFile;
use actix_multipart::Multipart;
use actix_web::http::header::{
    self, Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};
use actix_web::{HttpRequest, HttpResponse, Responder};
use futures_util::TryStreamExt;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::domain::Actor;
use crate::error::{AppError, ErrorCode};
use crate::service;
use crate::service::attachments::{
    AttachmentView, ReceivedFile, SNIFF_BYTES, clean_file_name, content_type_of, extension,
};
use crate::state::AppState;

/// Bytes read and thrown away after an upload went over the limit, so that the client gets
/// the 413 answer instead of a reset connection.
const DRAIN_LIMIT: u64 = 64 * 1024 * 1024;

/// Receives one uploaded file (multipart field `file`) for an initiative and stores it; shared
/// by the API and the pages.
/// Temporary files removed when dropped.
struct TempFiles(Vec<std::path::PathBuf>);

impl Drop for TempFiles {
    fn drop(&mut self) {
        for path in &self.0 {
            // Gone already when it was kept (renamed) or removed.
            let _ = std::fs::remove_file(path);
        }
    }
}

pub async fn receive(
    state: &AppState,
    actor: &Actor,
    initiative_id: i64,
    mut payload: Multipart,
) -> Result<AttachmentView, AppError> {
    let limits = &state.settings.uploads;
    service::attachments::authorize_upload(
        &state.db,
        actor,
        initiative_id,
        limits.max_files_per_initiative,
    )
    .await?;
    let tmp_dir = state.uploads_dir.join("tmp");
    tokio::fs::create_dir_all(&tmp_dir)
        .await
        .map_err(|e| AppError::failed(format!("creating {}", tmp_dir.display()), e))?;
    // Every temporary file of this request goes when the request ends, whichever way it
    // ends (a stream cut part-way included); the one kept has been renamed away by then.
    let mut temps = TempFiles(Vec::new());
    let mut received: Option<ReceivedFile> = None;
    let mut too_large = false;
    let mut drained: u64 = 0;
    while let Some(mut field) = payload.try_next().await.map_err(bad_multipart)? {
        let is_file = field.name() == Some("file");
        if !is_file || received.is_some() || too_large {
            while let Some(chunk) = field.try_next().await.map_err(bad_multipart)? {
                drained += chunk.len() as u64;
                if drained > DRAIN_LIMIT {
                    return Err(AppError::new(ErrorCode::PayloadTooLarge));
                }
            }
            continue;
        }
        let raw_name = field
            .content_disposition()
            .and_then(|cd| cd.get_filename().map(str::to_owned))
            .unwrap_or_default();
        let file_name = clean_file_name(&raw_name);
        let ext = extension(&file_name).unwrap_or_default();
        if !limits
            .allowed_extensions
            .iter()
            .any(|a| a.eq_ignore_ascii_case(&ext))
        {
            return Err(AppError::new(ErrorCode::UnsupportedMediaType).with_details(
                serde_json::json!({ "allowed_extensions": limits.allowed_extensions }),
            ));
        }
        let temp_path = tmp_dir.join(uuid::Uuid::new_v4().to_string());
        temps.0.push(temp_path.clone());
        let mut file = tokio::fs::File::create(&temp_path)
            .await
            .map_err(|e| AppError::failed("creating a temporary file", e))?;
        let mut hasher = Sha256::new();
        let mut size: u64 = 0;
        let mut head: Vec<u8> = Vec::new();
        while let Some(chunk) = field.try_next().await.map_err(bad_multipart)? {
            size += chunk.len() as u64;
            if size > limits.max_bytes {
                too_large = true;
                drained = size;
                // Thrown away, not kept; still, stop reading a body far past the limit.
                if size > limits.max_bytes.saturating_add(DRAIN_LIMIT) {
                    let _ = tokio::fs::remove_file(&temp_path).await;
                    return Err(AppError::new(ErrorCode::PayloadTooLarge)
                        .with_details(serde_json::json!({ "max_bytes": limits.max_bytes })));
                }
                continue;
            }
            if head.len() < SNIFF_BYTES {
                let take = (SNIFF_BYTES - head.len()).min(chunk.len());
                head.extend_from_slice(&chunk[..take]);
            }
            hasher.update(&chunk);
            file.write_all(&chunk)
                .await
                .map_err(|e| AppError::failed("writing an upload", e))?;
        }
        file.flush()
            .await
            .map_err(|e| AppError::failed("writing an upload", e))?;
        drop(file);
        if too_large {
            let _ = tokio::fs::remove_file(&temp_path).await;
            continue;
        }
        let Some(content_type) = content_type_of(&ext, &head) else {
            let _ = tokio::fs::remove_file(&temp_path).await;
            return Err(AppError::new(ErrorCode::UnsupportedMediaType)
                .with_message(format!(
                    "Nội dung tệp không phải là tệp .{ext} như tên tệp cho biết."
                ))
                .with_details(
                    serde_json::json!({ "reason": "content_does_not_match_extension" }),
                ));
        };
        let content_type = content_type.to_owned();
        received = Some(ReceivedFile {
            temp_path,
            file_name,
            content_type,
            sha256: hex::encode(hasher.finalize()),
            size_bytes: i64::try_from(size).unwrap_or(i64::MAX),
        });
    }
    if too_large {
        return Err(AppError::new(ErrorCode::PayloadTooLarge)
            .with_details(serde_json::json!({ "max_bytes": limits.max_bytes })));
    }
    let file = received
        .ok_or_else(|| AppError::field("file", "Cần chọn một tệp để tải lên (trường \"file\")."))?;
    if file.size_bytes == 0 {
        let _ = tokio::fs::remove_file(&file.temp_path).await;
        return Err(AppError::field("file", "Tệp rỗng."));
    }
    service::attachments::store(
        &state.db,
        &state.uploads_dir,
        actor,
        initiative_id,
        limits.max_files_per_initiative,
        file,
    )
    .await
}

fn bad_multipart(e: actix_multipart::MultipartError) -> AppError {
    AppError::new(ErrorCode::ValidationFailed)
        .with_message("Dữ liệu tải lên không đúng định dạng multipart/form-data.")
        .with_details(serde_json::json!({ "reason": e.to_string() }))
}

/// Answers with an attachment's bytes, as a download, if the actor may see its initiative;
/// shared by the API and the pages.
pub async fn send(
    req: &HttpRequest,
    state: &AppState,
    actor: &Actor,
    attachment_id: i64,
) -> Result<HttpResponse, AppError> {
    let (view, file_path) =
        service::attachments::open(&state.db, &state.uploads_dir, actor, attachment_id).await?;
    let file = NamedFile::open_async(&file_path)
        .await
        .map_err(|e| AppError::failed(format!("opening {}", file_path.display()), e))?;
    let ascii: String = view
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![
            DispositionParam::Filename(ascii),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".to_owned()),
                language_tag: None,
                value: view.file_name.clone().into_bytes(),
            }),
        ],
    };
    let mut response = file
        .set_content_type(mime_of(&view.content_type))
        .set_content_disposition(disposition)
        .respond_to(req);
    response.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        header::HeaderValue::from_static("nosniff"),
    );
    Ok(response.map_into_boxed_body())
}

fn mime_of(s: &str) -> mime::Mime {
    s.parse().unwrap_or(mime::APPLICATION_OCTET_STREAM)
}
