//! Signing in and out from the pages: the token goes into an HttpOnly cookie.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

use super::form::{CheckedForm, NoFields};
use super::session::{self, Visitor};
use super::{Chrome, PageError, render, see_other};
use crate::error::ErrorCode;
use crate::service;
use crate::state::AppState;

/// The sign-in page.
#[derive(Template)]
#[template(path = "sign_in.html")]
pub struct SignInPage {
    pub chrome: Chrome,
    pub login: String,
    pub next: String,
    pub error: Option<String>,
}

/// Where to go after signing in: a path on this site only.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.chars().any(char::is_control) =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// Query of the sign-in page.
#[derive(Debug, Deserialize)]
pub struct NextQuery {
    pub next: Option<String>,
}

/// `GET /dang-nhap`.
#[get("/dang-nhap")]
pub async fn sign_in_form(
    visitor: Visitor,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, PageError> {
    let next = safe_next(query.next.as_deref());
    if visitor.identity.is_some() {
        return Ok(see_other(&next));
    }
    render(
        StatusCode::OK,
        &SignInPage {
            chrome: Chrome::of(&visitor, "signin"),
            login: String::new(),
            next,
            error: None,
        },
    )
}

/// The sign-in form.
#[derive(Debug, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    pub login: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub next: String,
}

/// `POST /dang-nhap`: on success the session cookie is set and the CSRF token renewed.
#[post("/dang-nhap")]
pub async fn sign_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    f: CheckedForm<SignInForm>,
) -> Result<HttpResponse, PageError> {
    let CheckedForm { visitor, form } = f;
    let next = safe_next(Some(&form.next));
    let again = |status: StatusCode, message: String| {
        render(
            status,
            &SignInPage {
                chrome: Chrome::of(&visitor, "signin"),
                login: form.login.chars().take(320).collect(),
                next: next.clone(),
                error: Some(message),
            },
        )
    };
    if form.login.trim().is_empty() || form.password.is_empty() {
        return again(
            StatusCode::UNAUTHORIZED,
            "Vui lòng nhập mã đoàn viên (hoặc email) và mật khẩu.".to_owned(),
        );
    }
    if form.login.len() > 320 || form.password.len() > 1024 {
        return again(
            StatusCode::UNAUTHORIZED,
            ErrorCode::InvalidCredentials.message().to_owned(),
        );
    }
    match service::auth::login(
        &state.db,
        &state.keys,
        &state.settings.auth,
        form.login.clone(),
        form.password.clone(),
        &crate::routes::client_of(&req),
    )
    .await
    {
        Ok(token) => {
            let mut response = see_other(&next);
            response
                .add_cookie(&session::session_cookie(&req, &token.access_token))
                .map_err(crate::error::AppError::internal)?;
            response
                .add_cookie(&session::csrf_cookie(&req, &session::new_token()))
                .map_err(crate::error::AppError::internal)?;
            Ok(response)
        }
        Err(e)
            if matches!(
                e.code,
                ErrorCode::InvalidCredentials
                    | ErrorCode::AccountDisabled
                    | ErrorCode::UnionInactive
            ) =>
        {
            again(e.code.status(), e.message)
        }
        Err(e) if e.code == ErrorCode::TooManyAttempts => {
            let mut page = again(e.code.status(), e.message.clone())?;
            if let Some(seconds) = e.retry_after()
                && let Ok(value) =
                    actix_web::http::header::HeaderValue::from_str(&seconds.to_string())
            {
                page.headers_mut()
                    .insert(actix_web::http::header::RETRY_AFTER, value);
            }
            Ok(page)
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /dang-xuat`: ends the session and removes its cookie.
#[post("/dang-xuat")]
pub async fn sign_out(
    req: HttpRequest,
    state: web::Data<AppState>,
    f: CheckedForm<NoFields>,
) -> Result<HttpResponse, PageError> {
    let visitor = f.visitor;
    if let Some(id) = &visitor.identity {
        // Already ended elsewhere is fine: the cookie goes either way.
        let _ = service::auth::sign_out(&state.db, id.user.id, id.session_id.clone()).await;
    }
    let mut response = see_other("/");
    response
        .add_cookie(&session::session_removal(&req))
        .map_err(crate::error::AppError::internal)?;
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_after_sign_in() {
        assert_eq!(safe_next(Some("/sang-kien/5")), "/sang-kien/5");
        assert_eq!(safe_next(Some("//evil.example/x")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
