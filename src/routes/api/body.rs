//! Optional JSON bodies. A request may leave its body out (`None`); a body that is present
//! must parse, or the request is refused with 400 `invalid_json`. `Option<web::Json<T>>`
//! would instead turn a malformed body into "no body", and so change what a write does.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::{FutureExt, LocalBoxFuture, ready};
use serde::de::DeserializeOwned;

/// A JSON body that may be absent but never malformed.
#[derive(Debug)]
pub struct OptionalJson<T>(pub Option<T>);

impl<T> OptionalJson<T> {
    /// The body, if one was sent.
    pub fn into_inner(self) -> Option<T> {
        self.0
    }
}

/// Whether the request carries no body at all: `Content-Length: 0`, or neither a length nor
/// a transfer encoding.
fn has_no_body(req: &HttpRequest) -> bool {
    let headers = req.headers();
    match headers.get(header::CONTENT_LENGTH) {
        Some(len) => len.to_str().is_ok_and(|l| l.trim() == "0"),
        None => !headers.contains_key(header::TRANSFER_ENCODING),
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for OptionalJson<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if has_no_body(req) {
            return ready(Ok(Self(None))).boxed_local();
        }
        // The same extractor, limits and catalogued errors as a required body.
        web::Json::<T>::from_request(req, payload)
            .map(|body| body.map(|b| Self(Some(b.into_inner()))))
            .boxed_local()
    }
}
