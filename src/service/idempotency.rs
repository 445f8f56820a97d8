//! `Idempotency-Key`: a client that retries a request whose answer it lost (a timeout, a
//! restarted server, a dropped connection) gets the first answer again, and the change is
//! made once. The key is claimed and the answer remembered inside the change's own
//! transaction (`db::idempotency`), so a crash at any point leaves either both or neither.

use chrono::TimeDelta;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::{self, DbConn, idempotency};
use crate::error::{AppError, ErrorCode};

/// How long an answer is remembered.
pub const KEEP_FOR: TimeDelta = TimeDelta::hours(24);

/// The longest key accepted (a UUID is 36 characters).
pub const MAX_KEY_LEN: usize = 255;

/// A key presented with a request, with the hash of what was asked under it.
#[derive(Debug, Clone)]
pub struct IdempotentRequest {
    key: String,
    request_hash: String,
}

impl IdempotentRequest {
    /// Checks a header value: 1–255 visible ASCII characters.
    pub fn parse_key(raw: &[u8]) -> Result<String, AppError> {
        let ok =
            !raw.is_empty() && raw.len() <= MAX_KEY_LEN && raw.iter().all(u8::is_ascii_graphic);
        if ok {
            Ok(String::from_utf8_lossy(raw).into_owned())
        } else {
            Err(AppError::new(ErrorCode::ValidationFailed)
                .with_message(
                    "Tiêu đề Idempotency-Key phải gồm từ 1 đến 255 ký tự ASCII nhìn thấy được.",
                )
                .with_details(serde_json::json!({"fields": {
                    "Idempotency-Key": "Từ 1 đến 255 ký tự ASCII nhìn thấy được (ví dụ một UUID)."
                }})))
        }
    }

    /// The key with the hash of `operation` (e.g. `POST /initiatives/7/submit`) and `body`.
    pub fn new(key: String, operation: &str, body: &impl Serialize) -> Self {
        let mut h = Sha256::new();
        h.update(operation.as_bytes());
        h.update(b"\n");
        h.update(serde_json::to_vec(body).unwrap_or_default());
        Self {
            key,
            request_hash: hex::encode(h.finalize()),
        }
    }

    /// The key as presented.
    pub fn key(&self) -> &str {
        &self.key
    }
}

/// A fresh result, or the answer remembered for the key.
#[derive(Debug)]
pub enum Answer<T> {
    /// The change was made now.
    Fresh(T),
    /// The change was made by an earlier request with the same key; this was its answer.
    Replayed {
        /// Its HTTP status.
        status: u16,
        /// Its JSON body.
        body: String,
    },
}

impl<T> Answer<T> {
    /// The fresh value: for callers that presented no key, so nothing can be replayed.
    pub fn into_fresh(self) -> Result<T, AppError> {
        match self {
            Self::Fresh(v) => Ok(v),
            Self::Replayed { .. } => Err(AppError::unexpected("an answer replayed without a key")),
        }
    }
}

/// Runs `work` in the caller's transaction under `request`'s key (or plainly without one):
/// a key used before with the same request answers as it did then; with another request it
/// is refused (`idempotency_key_reused`); otherwise `work` runs and its answer, with
/// `status`, is remembered in the same transaction.
pub fn run_in<T: Serialize>(
    conn: &mut DbConn,
    user_id: i64,
    request: Option<&IdempotentRequest>,
    status: u16,
    work: impl FnOnce(&mut DbConn) -> Result<T, AppError>,
) -> Result<Answer<T>, AppError> {
    let Some(request) = request else {
        return work(conn).map(Answer::Fresh);
    };
    let now = db::now();
    match idempotency::claim(
        conn,
        user_id,
        &request.key,
        &request.request_hash,
        now,
        now - KEEP_FOR,
    )? {
        idempotency::Claim::Used(r) => replay(r, &request.request_hash),
        idempotency::Claim::Fresh => {
            let value = work(conn)?;
            let body = serde_json::to_string(&value)
                .map_err(|e| AppError::failed("serialising the answer", e))?;
            idempotency::remember(conn, user_id, &request.key, status, &body)?;
            Ok(Answer::Fresh(value))
        }
    }
}

/// The remembered answer for `request`, if its key was used before (a read, before any work:
/// a retry costs one query).
pub fn recall<T>(
    conn: &mut DbConn,
    user_id: i64,
    request: &IdempotentRequest,
) -> Result<Option<Answer<T>>, AppError> {
    let since = db::now() - KEEP_FOR;
    match idempotency::find(conn, user_id, &request.key)? {
        Some(r) if r.created_at >= since && r.status_code != 0 => {
            replay(r, &request.request_hash).map(Some)
        }
        _ => Ok(None),
    }
}

fn replay<T>(r: idempotency::Remembered, request_hash: &str) -> Result<Answer<T>, AppError> {
    if r.request_hash != request_hash {
        return Err(AppError::new(ErrorCode::IdempotencyKeyReused));
    }
    let status = u16::try_from(r.status_code)
        .ok()
        .filter(|s| *s >= 200)
        .ok_or_else(|| AppError::new(ErrorCode::IdempotencyKeyReused))?;
    Ok(Answer::Replayed {
        status,
        body: r.response_body,
    })
}

/// Deletes answers older than a day; returns how many.
pub async fn prune(db: &db::Db) -> Result<usize, AppError> {
    let before = db::now() - KEEP_FOR;
    db.write(move |conn| Ok(idempotency::prune(conn, before)?))
        .await
}

/// Prunes old answers every `period`, for as long as the server runs.
pub async fn prune_every(db: db::Db, period: std::time::Duration) {
    loop {
        match prune(&db).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(pruned = n, "old idempotency keys deleted"),
            Err(e) => tracing::warn!(error = %e, "pruning idempotency keys failed; will retry"),
        }
        tokio::time::sleep(period).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_visible_ascii_of_bounded_length() {
        assert!(IdempotentRequest::parse_key(b"3f2b9c1e-5a7d-4c1b-9e2f-0a1b2c3d4e5f").is_ok());
        assert!(IdempotentRequest::parse_key(b"").is_err());
        assert!(IdempotentRequest::parse_key("có dấu".as_bytes()).is_err());
        assert!(IdempotentRequest::parse_key(b"a b").is_err());
        assert!(IdempotentRequest::parse_key("k".repeat(256).as_bytes()).is_err());
        assert!(IdempotentRequest::parse_key("k".repeat(255).as_bytes()).is_ok());
    }

    #[test]
    fn the_hash_covers_operation_and_body() {
        let a = IdempotentRequest::new("k".into(), "POST /a", &serde_json::json!({"x": 1}));
        let b = IdempotentRequest::new("k".into(), "POST /a", &serde_json::json!({"x": 2}));
        let c = IdempotentRequest::new("k".into(), "POST /b", &serde_json::json!({"x": 1}));
        let a2 = IdempotentRequest::new("k".into(), "POST /a", &serde_json::json!({"x": 1}));
        assert_eq!(a.request_hash, a2.request_hash);
        assert_ne!(a.request_hash, b.request_hash);
        assert_ne!(a.request_hash, c.request_hash);
    }
}
