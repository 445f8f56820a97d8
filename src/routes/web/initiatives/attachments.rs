//! An initiative's attachments: upload (the CSRF token in the URL) and download.

use super::*;

/// Query of the upload form: the CSRF token travels in the URL because the file comes first
/// in a multipart body that is streamed to disk.
#[derive(Debug, Deserialize)]
pub struct UploadQuery {
    #[serde(default)]
    pub csrf: String,
}

/// `POST /sang-kien/{id}/tep`: attaches a file, then back to the form.
#[post("/sang-kien/{id}/tep")]
pub async fn upload(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<i64>,
    query: web::Query<UploadQuery>,
    payload: Multipart,
) -> Result<HttpResponse, PageError> {
    let me = visitor.require()?;
    visitor.check_csrf(&query.csrf)?;
    let id = path.into_inner();
    match crate::routes::upload::attachment::receive(&state, &me.actor, id, payload).await {
        Ok(_) => Ok(see_other(&format!("/sang-kien/{id}/sua?da_tai=1"))),
        Err(e)
            if matches!(
                e.code,
                ErrorCode::PayloadTooLarge
                    | ErrorCode::UnsupportedMediaType
                    | ErrorCode::ValidationFailed
                    | ErrorCode::InvalidState
            ) =>
        {
            let reason = match e.code {
                ErrorCode::PayloadTooLarge => "qua-lon",
                ErrorCode::UnsupportedMediaType => "sai-loai",
                ErrorCode::InvalidState => "qua-nhieu",
                _ => "khong-co-tep",
            };
            Ok(see_other(&format!("/sang-kien/{id}/sua?loi_tep={reason}")))
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /sang-kien/{id}/tep/{attachment}`: downloads an attachment.
#[get("/sang-kien/{id}/tep/{attachment}")]
pub async fn download(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, PageError> {
    let me = visitor.require()?;
    let (_, attachment) = path.into_inner();
    Ok(crate::routes::upload::attachment::send(&req, &state, &me.actor, attachment).await?)
}
