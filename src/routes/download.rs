//! Exported files as HTTP downloads, for the API and the pages alike: an attachment named in
//! UTF-8 (`filename*`) with an ASCII fallback, the format's media type, `nosniff`, no caching.

use actix_web::HttpResponse;
use actix_web::http::header::{
    self, Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};

use crate::service::export::Download;

/// The response that downloads `file`.
pub fn attachment(file: Download) -> HttpResponse {
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![
            DispositionParam::Filename(file.ascii_file_name()),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".to_owned()),
                language_tag: None,
                value: file.file_name.into_bytes(),
            }),
        ],
    };
    HttpResponse::Ok()
        .content_type(file.format.content_type())
        .insert_header(disposition)
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(file.bytes)
}

/// The download of one person's data export, as pretty JSON.
pub fn personal_data(
    export: &crate::service::privacy::PersonalExport,
    user_id: i64,
) -> Result<HttpResponse, crate::error::AppError> {
    let bytes = serde_json::to_vec_pretty(export).map_err(crate::error::AppError::internal)?;
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![DispositionParam::Filename(format!(
            "du-lieu-ca-nhan-{user_id}.json"
        ))],
    };
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header(disposition)
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(bytes))
}
