//! The one auth extractor: a bearer token becomes an [`Identity`] (the user and their grants),
//! loaded fresh on every request with its session, so that a disabled account or an ended
//! session stops at once.

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};

use crate::db::users::UserRow;
use crate::domain::Actor;
use crate::error::{AppError, ErrorCode};
use crate::service;
use crate::state::AppState;

/// An authenticated, active user.
#[derive(Debug, Clone)]
pub struct Identity {
    /// Who acts, with their grants, for `can()`.
    pub actor: Actor,
    /// The user's row.
    pub user: UserRow,
    /// The session the token belongs to (what signing out ends).
    pub session_id: String,
}

fn bearer(req: &HttpRequest) -> Option<String> {
    let header = req.headers().get(actix_web::http::header::AUTHORIZATION)?;
    let value = header.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

impl FromRequest for Identity {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer(req);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let state = state.ok_or_else(|| AppError::unexpected("application state missing"))?;
            let token = token.ok_or_else(|| AppError::new(ErrorCode::Unauthenticated))?;
            let subject = state.keys.verify(&token)?;
            let session_id = subject.session_id.clone();
            let (user, actor) =
                service::auth::load_session_actor(&state.db, &state.settings.auth, subject)
                    .await?
                    .ok_or_else(|| {
                        AppError::new(ErrorCode::Unauthenticated)
                            .with_message("Phiên đăng nhập không hợp lệ hoặc đã hết hạn.")
                    })?;
            Ok(Identity {
                actor,
                user,
                session_id,
            })
        })
    }
}
