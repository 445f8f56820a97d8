//! Uploaded import files kept between the preview and the officer's "Nhập dữ liệu": under
//! `data/imports/` with a generated name, tied to the officer who uploaded them, expiring after
//! an hour.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::ImportKind;
use crate::error::AppError;

/// How long an uploaded file waits for the officer's decision.
pub const TTL_SECONDS: i64 = 3_600;

/// What is kept beside the file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingImport {
    /// The officer who uploaded it.
    pub user_id: i64,
    pub kind: ImportKind,
    /// The name the browser gave (shown only).
    pub file_name: String,
    /// Unix seconds.
    pub created_at: i64,
}

fn io(e: std::io::Error) -> AppError {
    AppError::failed("import files", e)
}

fn paths(dir: &Path, token: &str) -> Option<(PathBuf, PathBuf)> {
    // Only tokens this module made name files.
    (token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit())).then(|| {
        (
            dir.join(format!("{token}.bin")),
            dir.join(format!("{token}.json")),
        )
    })
}

fn expired() -> AppError {
    AppError::not_found().with_message(
        "Tệp đã tải lên không còn (quá một giờ hoặc đã được nhập). Vui lòng tải tệp lên lại.",
    )
}

/// Keeps an uploaded file; returns its token. Files past their time are removed first.
pub fn save(
    dir: &Path,
    user_id: i64,
    kind: ImportKind,
    file_name: &str,
    bytes: &[u8],
) -> Result<String, AppError> {
    std::fs::create_dir_all(dir).map_err(io)?;
    sweep(dir);
    let token = uuid::Uuid::new_v4().simple().to_string();
    let (bin, meta) = paths(dir, &token).ok_or_else(|| AppError::unexpected("bad token"))?;
    std::fs::write(&bin, bytes).map_err(io)?;
    let info = PendingImport {
        user_id,
        kind,
        file_name: file_name.to_owned(),
        created_at: chrono::Utc::now().timestamp(),
    };
    std::fs::write(
        &meta,
        serde_json::to_vec(&info).map_err(AppError::internal)?,
    )
    .map_err(io)?;
    Ok(token)
}

/// The file behind `token`, if it is the user's and has not expired.
pub fn load(dir: &Path, token: &str, user_id: i64) -> Result<(PendingImport, Vec<u8>), AppError> {
    let (bin, meta) = paths(dir, token).ok_or_else(expired)?;
    let info: PendingImport = std::fs::read(&meta)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(expired)?;
    if info.user_id != user_id || chrono::Utc::now().timestamp() - info.created_at > TTL_SECONDS {
        return Err(expired());
    }
    let bytes = std::fs::read(&bin).map_err(|_| expired())?;
    Ok((info, bytes))
}

/// Forgets the file behind `token`.
pub fn remove(dir: &Path, token: &str) {
    if let Some((bin, meta)) = paths(dir, token) {
        let _ = std::fs::remove_file(bin);
        let _ = std::fs::remove_file(meta);
    }
}

/// Removes files older than their time.
pub fn sweep(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let limit = std::time::Duration::from_secs(TTL_SECONDS.unsigned_abs() + 60);
    for e in entries.filter_map(Result::ok) {
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > limit);
        if old {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_belong_to_their_uploader() {
        let dir = tempfile::tempdir().unwrap();
        let token = save(dir.path(), 7, ImportKind::Members, "ds.csv", b"a,b").unwrap();
        assert!(load(dir.path(), &token, 8).is_err());
        let (info, bytes) = load(dir.path(), &token, 7).unwrap();
        assert_eq!(info.kind, ImportKind::Members);
        assert_eq!(bytes, b"a,b");
        assert!(load(dir.path(), "../../etc/passwd", 7).is_err());
        remove(dir.path(), &token);
        assert!(load(dir.path(), &token, 7).is_err());
    }
}
