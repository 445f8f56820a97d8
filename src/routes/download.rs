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
