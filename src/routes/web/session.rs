//! Who is looking at a page: the session cookie (the same JWT the API takes as a bearer
//! token, kept in an HttpOnly, SameSite cookie) and the CSRF token every form carries.
//!
//! CSRF uses a double-submit token: a random value in the `sk_csrf` cookie (SameSite=Strict)
//! that each form and script must echo; a cross-site page can neither read the cookie nor
//! guess the value. Requests whose `Origin` names another host are refused as well.

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use rand::RngCore;

use crate::error::{AppError, ErrorCode};
use crate::routes::identity::Identity;
use crate::service;
use crate::state::AppState;

use super::PageError;

/// The cookie that carries the session's token.
pub const SESSION_COOKIE: &str = "sk_session";
/// The cookie that carries the CSRF token.
pub const CSRF_COOKIE: &str = "sk_csrf";
/// The form field (and `X-CSRF-Token` header) that must echo it.
pub const CSRF_FIELD: &str = "csrf";

/// A CSRF token generated for a visitor who had none; the middleware sets its cookie.
#[derive(Debug, Clone)]
pub struct NewCsrfToken(pub String);

/// A fresh random token.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Are cookies to be `Secure`: the service's public address is `https`, or this request came
/// over TLS (directly or through a proxy that says so)?
fn is_secure(req: &HttpRequest) -> bool {
    req.app_data::<web::Data<AppState>>()
        .is_some_and(|s| s.settings.server.public_url.starts_with("https://"))
        || req.connection_info().scheme() == "https"
}

/// The CSRF cookie for `token`.
pub fn csrf_cookie(req: &HttpRequest, token: &str) -> Cookie<'static> {
    Cookie::build(CSRF_COOKIE, token.to_owned())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(is_secure(req))
        .finish()
}

/// The session cookie for a freshly issued token: a browser session cookie (no `Max-Age`,
/// no `Expires`), gone when the browser closes, so that it does not outlive the visit on a
/// shared computer. The server ends the session itself after `auth.idle_timeout_minutes`
/// without a request, and at the token's expiry at the latest.
pub fn session_cookie(req: &HttpRequest, token: &str) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, token.to_owned())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(is_secure(req))
        .finish()
}

/// A cookie that removes the session.
pub fn session_removal(req: &HttpRequest) -> Cookie<'static> {
    let mut c = session_cookie(req, "");
    c.make_removal();
    c
}

/// The visitor of a page: their identity when signed in, and their CSRF token.
#[derive(Debug, Clone)]
pub struct Visitor {
    /// The signed-in user, if any (an expired or revoked session counts as none).
    pub identity: Option<Identity>,
    /// The token forms must echo.
    pub csrf: String,
    /// The token the browser sent in its cookie (empty when it sent none).
    sent_csrf: String,
    /// Whether the request came from another site, by its `Origin` header.
    cross_origin: bool,
    /// The page asked for (path and query), to come back to after signing in.
    here: String,
}

impl Visitor {
    /// The signed-in identity, or a redirect to the sign-in page.
    pub fn require(&self) -> Result<&Identity, PageError> {
        self.identity
            .as_ref()
            .ok_or_else(|| PageError::SignIn(self.here.clone()))
    }

    /// Checks the token a form or script echoed.
    pub fn check_csrf(&self, echoed: &str) -> Result<(), PageError> {
        let sent = self.sent_csrf.as_bytes();
        let ok = !self.cross_origin
            && !sent.is_empty()
            && sent.len() == echoed.len()
            && sent
                .iter()
                .zip(echoed.as_bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        if ok {
            Ok(())
        } else {
            Err(PageError::App(AppError::new(ErrorCode::CsrfRejected)))
        }
    }
}

fn cross_origin(req: &HttpRequest) -> bool {
    let Some(origin) = req
        .headers()
        .get(actix_web::http::header::ORIGIN)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let host = req.connection_info().host().to_owned();
    let origin_host = origin
        .split_once("://")
        .map_or(origin, |(_, rest)| rest)
        .trim_end_matches('/');
    origin_host != host
}

impl FromRequest for Visitor {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, PageError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned());
        let sent_csrf = req
            .cookie(CSRF_COOKIE)
            .map(|c| c.value().to_owned())
            .unwrap_or_default();
        let csrf = if sent_csrf.is_empty() {
            req.extensions()
                .get::<NewCsrfToken>()
                .map(|t| t.0.clone())
                .unwrap_or_default()
        } else {
            sent_csrf.clone()
        };
        let cross_origin = cross_origin(req);
        let here = req
            .uri()
            .path_and_query()
            .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned());
        Box::pin(async move {
            let state = state.ok_or_else(|| AppError::unexpected("application state missing"))?;
            let identity = match token.filter(|t| !t.is_empty()) {
                Some(token) => match state.keys.verify(&token) {
                    Ok(subject) => {
                        let session_id = subject.session_id.clone();
                        service::auth::load_session_actor(&state.db, &state.settings.auth, subject)
                            .await?
                            .map(|(user, actor)| Identity {
                                actor,
                                user,
                                session_id,
                            })
                    }
                    Err(_) => None,
                },
                None => None,
            };
            Ok(Visitor {
                identity,
                csrf,
                sent_csrf,
                cross_origin,
                here,
            })
        })
    }
}
