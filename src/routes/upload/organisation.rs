//! An organisation file streamed in with its few small fields (counted and bounded as they
//! arrive): shared by the API and the pages.

use std::collections::HashMap;

use actix_multipart::Multipart;
use futures_util::TryStreamExt;

use crate::error::{AppError, ErrorCode};
use crate::service::imports::sheet::MAX_BYTES;

/// Bytes read and thrown away after an upload went over the limit, so that the client gets
/// the 413 answer instead of a reset connection.
const DRAIN_LIMIT: usize = 64 * 1024 * 1024;

/// The largest plain (non-file) field of the form.
const MAX_FIELD: usize = 1_024;

/// The most plain fields kept (the page sends two: the kind and the CSRF token); more are
/// read and thrown away within [`DRAIN_LIMIT`], so that many small fields cannot add up.
const MAX_FIELDS: usize = 16;

/// An uploaded import file with the form's other fields.
#[derive(Debug, Default)]
pub struct Upload {
    /// The name the client gave.
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// Other (small) fields.
    pub fields: HashMap<String, String>,
}

/// Reads a multipart form with one file (`file`, at most 20 MB) and small text fields; shared
/// by the API and the pages.
pub async fn receive(mut payload: Multipart) -> Result<Upload, AppError> {
    let mut upload = Upload::default();
    let mut got_file = false;
    let mut too_large = false;
    let mut drained = 0usize;
    while let Some(mut field) = payload.try_next().await.map_err(bad_multipart)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" && !got_file && !too_large {
            got_file = true;
            upload.file_name = field
                .content_disposition()
                .and_then(|cd| cd.get_filename().map(crate::domain::text::clean_line))
                .unwrap_or_default();
            while let Some(chunk) = field.try_next().await.map_err(bad_multipart)? {
                if too_large || upload.bytes.len() + chunk.len() > MAX_BYTES {
                    too_large = true;
                    drained += chunk.len();
                    if drained > DRAIN_LIMIT {
                        break;
                    }
                    continue;
                }
                upload.bytes.extend_from_slice(&chunk);
            }
            continue;
        }
        // Every byte of a plain field counts: kept (small, few) or thrown away (bounded).
        let keep = upload.fields.len() < MAX_FIELDS;
        let mut value = Vec::new();
        while let Some(chunk) = field.try_next().await.map_err(bad_multipart)? {
            if keep && value.len() + chunk.len() <= MAX_FIELD {
                value.extend_from_slice(&chunk);
            } else {
                drained += chunk.len();
            }
            if drained > DRAIN_LIMIT {
                return Err(AppError::new(ErrorCode::PayloadTooLarge));
            }
        }
        if keep {
            upload
                .fields
                .insert(name, String::from_utf8_lossy(&value).into_owned());
        }
    }
    if too_large {
        return Err(AppError::new(ErrorCode::PayloadTooLarge)
            .with_message(format!(
                "Tệp quá lớn: mỗi lần nhập tối đa {} MB.",
                MAX_BYTES / (1024 * 1024)
            ))
            .with_details(serde_json::json!({ "max_bytes": MAX_BYTES })));
    }
    if !got_file {
        return Err(AppError::field(
            "file",
            "Cần chọn một tệp bảng tính để tải lên (trường \"file\").",
        ));
    }
    Ok(upload)
}

fn bad_multipart(e: actix_multipart::MultipartError) -> AppError {
    AppError::new(ErrorCode::ValidationFailed)
        .with_message("Dữ liệu tải lên không đúng định dạng multipart/form-data.")
        .with_details(serde_json::json!({ "reason": e.to_string() }))
}
