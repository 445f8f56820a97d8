//! The one error type of the service: a catalogue of stable snake_case codes, each with its
//! HTTP status and a Vietnamese message, rendered as `{"error":{"code","message","details"}}`.
//!
//! Lower layers convert into it; a 5xx logs the full chain and shows only a generic message.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

/// Stable, machine-readable error codes. Adding one is fine; renaming one breaks clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The body is not valid JSON or does not match the expected shape.
    InvalidJson,
    /// One or more fields are invalid; `details` maps each field to its problem.
    ValidationFailed,
    /// A query-string parameter is invalid.
    InvalidQuery,
    /// No valid credentials were presented.
    Unauthenticated,
    /// Wrong login or password (the same answer whether or not the account exists).
    InvalidCredentials,
    /// The account is disabled (said only to the right password).
    AccountDisabled,
    /// The account's union, or a union above it, has stopped operating, so the account may
    /// not sign in (said only to the right password).
    UnionInactive,
    /// Authenticated, but not allowed to do this.
    Forbidden,
    /// No such resource (or not visible to the caller).
    NotFound,
    /// The path exists but not with this method; the `Allow` header lists those it has.
    MethodNotAllowed,
    /// The resource changed since the caller read it (stale `version`).
    VersionConflict,
    /// The action is not possible in the resource's current state.
    InvalidState,
    /// A unique value (code, email, member code) is already taken.
    AlreadyExists,
    /// A change to the rules of a program that has run (phase windows, eligibility, owner)
    /// would change past decisions; `details.reason` explains, `details.field` names it.
    RuleChangeRefused,
    /// The same author already filed this initiative (and it was not rejected).
    DuplicateSubmission,
    /// The phase is not open for submissions.
    PhaseClosed,
    /// The program is not open.
    ProgramNotOpen,
    /// The initiative lacks required content for submission.
    IncompleteInitiative,
    /// Invitations to co-author are not yet answered: the submission waits for them (or the
    /// author removes them); `details.pending` counts them.
    CoauthorsPending,
    /// The reviewer has a conflict of interest with this initiative.
    ConflictOfInterest,
    /// Not enough reviews have been scored for this decision.
    ReviewsIncomplete,
    /// A form came without the page's CSRF token (or from another site).
    CsrfRejected,
    /// The request body or upload is too large.
    PayloadTooLarge,
    /// The upload's type is not accepted.
    UnsupportedMediaType,
    /// An import file is not a spreadsheet (XLSX or UTF-8 CSV), judged by its content.
    NotASpreadsheet,
    /// An import spreadsheet has the wrong shape: empty, missing columns, too many rows;
    /// `details.reason` says which.
    SpreadsheetInvalid,
    /// Rows of an import are invalid; `details` is the report with every bad row.
    ImportRowsInvalid,
    /// A reorganisation plan has bad rows; `details.rows` lists each with its line and reason,
    /// and nothing was changed.
    PlanInvalid,
    /// A link from an email (password reset, invitation, unsubscribe) is malformed, expired
    /// or already used.
    InvalidLink,
    /// Too many failed sign-ins for this login or from this address; `details.retry_after_seconds`
    /// (and the `Retry-After` header) says when to try again.
    TooManyAttempts,
    /// An `Idempotency-Key` already used for a different request (another operation or body).
    IdempotencyKeyReused,
    /// A dependency (the database) is unavailable; try again.
    ServiceUnavailable,
    /// An unexpected failure on our side.
    Internal,
}

impl ErrorCode {
    /// The HTTP status this code is answered with.
    pub fn status(self) -> StatusCode {
        match self {
            Self::InvalidJson | Self::ValidationFailed | Self::InvalidQuery | Self::InvalidLink => {
                StatusCode::BAD_REQUEST
            }
            Self::Unauthenticated | Self::InvalidCredentials => StatusCode::UNAUTHORIZED,
            Self::AccountDisabled | Self::UnionInactive | Self::Forbidden | Self::CsrfRejected => {
                StatusCode::FORBIDDEN
            }
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::VersionConflict
            | Self::InvalidState
            | Self::AlreadyExists
            | Self::RuleChangeRefused
            | Self::DuplicateSubmission
            | Self::CoauthorsPending
            | Self::ConflictOfInterest => StatusCode::CONFLICT,
            Self::PhaseClosed
            | Self::ProgramNotOpen
            | Self::IncompleteInitiative
            | Self::ReviewsIncomplete
            | Self::SpreadsheetInvalid
            | Self::ImportRowsInvalid
            | Self::PlanInvalid
            | Self::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType | Self::NotASpreadsheet => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            Self::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
            Self::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The default Vietnamese message for this code.
    pub fn message(self) -> &'static str {
        match self {
            Self::InvalidJson => "Dữ liệu gửi lên không đúng định dạng JSON.",
            Self::ValidationFailed => "Một số trường chưa hợp lệ, vui lòng kiểm tra lại.",
            Self::InvalidQuery => "Tham số truy vấn không hợp lệ.",
            Self::Unauthenticated => "Bạn cần đăng nhập để tiếp tục.",
            Self::InvalidCredentials => "Tên đăng nhập hoặc mật khẩu không đúng.",
            Self::AccountDisabled => "Tài khoản đã bị khoá.",
            Self::UnionInactive => {
                "Đơn vị công đoàn của bạn đã ngừng hoạt động nên tài khoản không đăng nhập được. Vui lòng liên hệ công đoàn cấp trên."
            }
            Self::Forbidden => "Bạn không có quyền thực hiện thao tác này.",
            Self::NotFound => "Không tìm thấy dữ liệu yêu cầu.",
            Self::MethodNotAllowed => "Đường dẫn này không hỗ trợ phương thức yêu cầu.",
            Self::VersionConflict => {
                "Dữ liệu đã được thay đổi ở nơi khác. Vui lòng tải lại trước khi lưu."
            }
            Self::InvalidState => "Không thể thực hiện thao tác ở trạng thái hiện tại.",
            Self::AlreadyExists => "Giá trị này đã được sử dụng.",
            Self::RuleChangeRefused => {
                "Không thể thay đổi quy định này của chương trình đã diễn ra, vì sẽ làm thay đổi các quyết định đã có."
            }
            Self::DuplicateSubmission => {
                "Bạn đã nộp sáng kiến này trước đây; không thể nộp trùng lặp."
            }
            Self::PhaseClosed => "Đợt thi đua không trong thời gian nhận sáng kiến.",
            Self::ProgramNotOpen => "Chương trình chưa mở hoặc đã kết thúc.",
            Self::IncompleteInitiative => "Sáng kiến chưa đủ thông tin để nộp.",
            Self::CoauthorsPending => {
                "Còn đồng tác giả chưa xác nhận lời mời. Sáng kiến chỉ nộp được khi mọi đồng tác giả đã xác nhận; bạn có thể bỏ tên người chưa xác nhận."
            }
            Self::ConflictOfInterest => {
                "Bạn có xung đột lợi ích với sáng kiến này nên không được chấm hoặc quyết định."
            }
            Self::ReviewsIncomplete => "Chưa đủ số phiếu chấm cần thiết để quyết định.",
            Self::CsrfRejected => {
                "Biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang rồi thử lại."
            }
            Self::PayloadTooLarge => "Dữ liệu hoặc tệp đính kèm vượt quá dung lượng cho phép.",
            Self::UnsupportedMediaType => "Loại tệp này không được chấp nhận.",
            Self::NotASpreadsheet => {
                "Tệp không phải bảng tính XLSX hoặc CSV (UTF-8), không thể đọc được."
            }
            Self::SpreadsheetInvalid => "Bảng tính không đúng mẫu nhập dữ liệu.",
            Self::ImportRowsInvalid => {
                "Có dòng dữ liệu không hợp lệ; chưa nhập dòng nào. Hãy sửa tệp rồi tải lên lại."
            }
            Self::PlanInvalid => {
                "Phương án sắp xếp có dòng không hợp lệ; chưa thực hiện thao tác nào. Hãy sửa từng dòng theo lý do bên cạnh."
            }
            Self::InvalidLink => {
                "Đường dẫn không hợp lệ, đã hết hạn hoặc đã được sử dụng. Vui lòng yêu cầu gửi lại."
            }
            Self::TooManyAttempts => "Bạn đã thử quá nhiều lần. Vui lòng thử lại sau ít phút.",
            Self::IdempotencyKeyReused => {
                "Mã Idempotency-Key này đã được dùng cho một yêu cầu khác; hãy dùng mã mới cho mỗi yêu cầu."
            }
            Self::ServiceUnavailable => "Hệ thống đang bận, vui lòng thử lại sau ít phút.",
            Self::Internal => "Đã có lỗi xảy ra phía máy chủ. Vui lòng thử lại sau.",
        }
    }
}

pub use crate::domain::FieldErrors;

/// The service's error: a code, a message, optional details, and (for 5xx) the hidden cause.
#[derive(Debug)]
pub struct AppError {
    /// The stable code.
    pub code: ErrorCode,
    /// A Vietnamese message for people.
    pub message: String,
    /// Machine-readable details (per-field problems, the current state, …).
    pub details: Option<serde_json::Value>,
    /// The underlying cause, logged and never shown.
    pub source: Option<anyhow::Error>,
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.code, self.message)?;
        if let Some(src) = &self.source {
            write!(f, " ({src:#})")?;
        }
        Ok(())
    }
}

impl std::error::Error for AppError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|e| e.as_ref() as &(dyn std::error::Error + 'static))
    }
}

impl AppError {
    /// An error with the code's default message.
    pub fn new(code: ErrorCode) -> Self {
        Self {
            code,
            message: code.message().to_owned(),
            details: None,
            source: None,
        }
    }

    /// Replaces the message.
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    /// Attaches machine-readable details.
    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.details = Some(details);
        self
    }

    /// `validation_failed` with per-field problems.
    pub fn validation(fields: FieldErrors) -> Self {
        Self::new(ErrorCode::ValidationFailed).with_details(serde_json::json!({ "fields": fields }))
    }

    /// `validation_failed` for one field.
    pub fn field(name: &str, problem: impl Into<String>) -> Self {
        let mut fields = FieldErrors::new();
        fields.insert(name.to_owned(), problem.into());
        Self::validation(fields)
    }

    /// `validation_failed` for one field, with the field's problem as the message too (what a
    /// page shows).
    pub fn bad_field(name: &str, problem: &str) -> Self {
        Self::field(name, problem).with_message(problem)
    }

    /// `not_found`.
    pub fn not_found() -> Self {
        Self::new(ErrorCode::NotFound)
    }

    /// `forbidden`.
    pub fn forbidden() -> Self {
        Self::new(ErrorCode::Forbidden)
    }

    /// `internal`, keeping the cause and its chain of sources for the log.
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        let mut e = Self::new(ErrorCode::Internal);
        e.source = Some(cause.into());
        e
    }

    /// `internal` while `doing` something: the cause keeps its chain under that context.
    pub fn failed(
        doing: impl std::fmt::Display + Send + Sync + 'static,
        cause: impl Into<anyhow::Error>,
    ) -> Self {
        Self::internal(cause.into().context(doing))
    }

    /// `internal` for a state that should not happen, described by `what`.
    pub fn unexpected(what: impl std::fmt::Display) -> Self {
        Self::internal(anyhow::anyhow!("{what}"))
    }

    /// Seconds to wait before trying again, when the error says so
    /// (`details.retry_after_seconds`): the `Retry-After` header of the answer.
    pub fn retry_after(&self) -> Option<i64> {
        self.details
            .as_ref()?
            .get("retry_after_seconds")?
            .as_i64()
            .filter(|s| *s > 0)
    }

    /// `service_unavailable`, keeping the cause and its chain for the log.
    pub fn unavailable(cause: impl Into<anyhow::Error>) -> Self {
        let mut e = Self::new(ErrorCode::ServiceUnavailable);
        e.source = Some(cause.into());
        e
    }
}

impl From<crate::domain::UnknownStored> for AppError {
    fn from(e: crate::domain::UnknownStored) -> Self {
        Self::internal(e)
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match &e {
            Error::NotFound => Self::not_found(),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                Self::new(ErrorCode::AlreadyExists)
            }
            _ if transient(&e) => Self::unavailable(e),
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                Self::new(ErrorCode::VersionConflict)
            }
            _ => Self::internal(e),
        }
    }
}

/// Did the database go away (restarted, shutting down, starting up, connection dropped), or
/// break a deadlock by aborting this transaction? Such a failure is answered 503
/// `service_unavailable`: nothing was changed (or, for a dropped connection, perhaps
/// everything was), and the client may retry, with its `Idempotency-Key` where it has one.
fn transient(e: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    /// What libpq and the PostgreSQL server say when the connection is gone or refused, or
    /// when a deadlock was broken.
    const GONE: [&str; 13] = [
        "deadlock detected",
        "terminating connection",
        "server closed the connection",
        "connection to server",
        "no connection to the server",
        "the database system is shutting down",
        "the database system is starting up",
        "the database system is in recovery mode",
        "could not receive data from server",
        "could not send data to server",
        "connection not open",
        "broken pipe",
        "connection reset",
    ];
    match e {
        Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _)
        | Error::BrokenTransactionManager => true,
        Error::DatabaseError(_, info) => {
            let message = info.message().to_lowercase();
            GONE.iter().any(|g| message.contains(g))
        }
        Error::RollbackErrorOnCommit { commit_error, .. } => transient(commit_error),
        _ => false,
    }
}

/// The JSON body of every error answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorPayload,
}

/// The error inside [`ErrorBody`].
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorPayload {
    /// Stable machine-readable code.
    pub code: ErrorCode,
    /// Vietnamese message for people.
    pub message: String,
    /// Details such as per-field problems (`{"fields": {"title": "…"}}`).
    #[schema(value_type = Option<Object>)]
    pub details: Option<serde_json::Value>,
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        self.code.status()
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        if status.is_server_error() {
            tracing::error!(code = ?self.code, error = %self, "request failed");
        }
        let mut response = HttpResponse::build(status);
        if let Some(seconds) = self.retry_after() {
            response.insert_header((actix_web::http::header::RETRY_AFTER, seconds.to_string()));
        }
        response.json(ErrorBody {
            error: ErrorPayload {
                code: self.code,
                message: self.message.clone(),
                details: self.details.clone(),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use diesel::result::{DatabaseErrorKind, Error};

    use super::*;

    fn db_error(kind: DatabaseErrorKind, message: &str) -> Error {
        Error::DatabaseError(kind, Box::new(message.to_owned()))
    }

    #[test]
    fn a_database_that_went_away_is_a_503() {
        for message in [
            "terminating connection due to administrator command",
            "server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally",
            "FATAL:  the database system is shutting down",
            "the database system is starting up",
            "no connection to the server\n",
            "deadlock detected",
        ] {
            let e = AppError::from(db_error(DatabaseErrorKind::Unknown, message));
            assert_eq!(e.code, ErrorCode::ServiceUnavailable, "{message}");
        }
        let commit = Error::RollbackErrorOnCommit {
            rollback_error: Box::new(Error::BrokenTransactionManager),
            commit_error: Box::new(db_error(
                DatabaseErrorKind::Unknown,
                "server closed the connection unexpectedly",
            )),
        };
        assert_eq!(AppError::from(commit).code, ErrorCode::ServiceUnavailable);
    }

    #[test]
    fn an_internal_error_keeps_its_chain_of_causes() {
        let io = std::io::Error::other("disk full");
        let e = AppError::failed("writing an upload", io);
        assert_eq!(e.code, ErrorCode::Internal);
        // what the 5xx log line shows: every cause, outermost first
        assert!(
            e.to_string().contains("writing an upload: disk full"),
            "{e}"
        );
        let source = std::error::Error::source(&e).map(ToString::to_string);
        assert_eq!(source.as_deref(), Some("writing an upload"));
        assert_eq!(
            AppError::unexpected("a case went missing").code,
            ErrorCode::Internal
        );
    }

    #[test]
    fn other_database_errors_keep_their_meaning() {
        let unique = db_error(DatabaseErrorKind::UniqueViolation, "duplicate key value");
        assert_eq!(AppError::from(unique).code, ErrorCode::AlreadyExists);
        let other = db_error(DatabaseErrorKind::Unknown, "division by zero");
        assert_eq!(AppError::from(other).code, ErrorCode::Internal);
    }
}
