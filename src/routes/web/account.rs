//! The member's account (tài khoản): the password, the signed-in sessions with "sign out
//! everywhere", and the download of their personal data.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

use super::form::{NoFields, SignedInForm};
use super::session;
use super::{Chrome, PageError, Visitor, format, render, see_other};
use crate::error::{AppError, ErrorCode};
use crate::routes::identity::Identity;
use crate::service;
use crate::state::AppState;

/// One session as the account page lists it.
#[derive(Debug, Clone)]
pub struct SessionLine {
    pub id: String,
    pub started: String,
    pub ends: String,
    pub address: String,
    pub browser: String,
    pub current: bool,
}

/// The account page.
#[derive(Template)]
#[template(path = "account.html")]
pub struct AccountPage {
    pub chrome: Chrome,
    pub notice: Option<(&'static str, String)>,
    pub full_name: String,
    pub member_code: String,
    pub email: String,
    pub sessions: Vec<SessionLine>,
    /// Problems of the password form, by field.
    pub password_errors: Vec<(String, String)>,
}

impl AccountPage {
    /// The problem of one field of the password form, if any.
    pub fn problem(&self, field: &str) -> Option<&str> {
        self.password_errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, p)| p.as_str())
    }
}

/// A short name for a browser from its `User-Agent`.
fn browser_of(user_agent: &str) -> String {
    let ua = user_agent;
    let name = if ua.is_empty() {
        "Không rõ"
    } else if ua.contains("Edg/") {
        "Edge"
    } else if ua.contains("Firefox/") {
        "Firefox"
    } else if ua.contains("Chrome/") || ua.contains("Chromium/") {
        "Chrome"
    } else if ua.contains("Safari/") {
        "Safari"
    } else {
        return ua.chars().take(40).collect();
    };
    let system = if ua.contains("Android") {
        " · Android"
    } else if ua.contains("iPhone") || ua.contains("iPad") {
        " · iOS"
    } else if ua.contains("Windows") {
        " · Windows"
    } else if ua.contains("Mac OS") {
        " · macOS"
    } else if ua.contains("Linux") {
        " · Linux"
    } else {
        ""
    };
    format!("{name}{system}")
}

async fn page(
    state: &AppState,
    visitor: &Visitor,
    id: &Identity,
    notice: Option<(&'static str, String)>,
    password_errors: Vec<(String, String)>,
) -> Result<AccountPage, PageError> {
    let sessions =
        service::auth::sessions_of(&state.db, &state.settings.auth, id.user.id, &id.session_id)
            .await?
            .into_iter()
            .map(|s| SessionLine {
                started: format::datetime(s.created_at),
                ends: format::datetime(s.expires_at),
                address: s.client_address,
                browser: browser_of(&s.user_agent),
                current: s.current,
                id: s.id,
            })
            .collect();
    Ok(AccountPage {
        chrome: Chrome::of(visitor, ""),
        notice,
        full_name: id.user.full_name.clone(),
        member_code: id.user.member_code.clone().unwrap_or_default(),
        email: id.user.email.clone(),
        sessions,
        password_errors,
    })
}

/// `GET /tai-khoan`.
#[get("/tai-khoan")]
pub async fn show(state: web::Data<AppState>, visitor: Visitor) -> Result<HttpResponse, PageError> {
    let id = visitor.require()?;
    let page = page(&state, &visitor, id, None, Vec::new()).await?;
    render(StatusCode::OK, &page)
}

/// The password form.
#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    pub current_password: String,
    #[serde(default)]
    pub new_password: String,
    #[serde(default)]
    pub confirm_password: String,
}

/// `POST /tai-khoan/mat-khau`: changes the password; other sessions end.
#[post("/tai-khoan/mat-khau")]
pub async fn change_password(
    state: web::Data<AppState>,
    f: SignedInForm<PasswordForm>,
) -> Result<HttpResponse, PageError> {
    let (visitor, id, form) = f.into_parts();
    let id = &id;
    let refuse = |field: &str, problem: String| (field.to_owned(), problem);
    let problem = if form.current_password.is_empty() || form.current_password.len() > 1024 {
        Some(refuse(
            "current_password",
            "Mật khẩu hiện tại không đúng.".to_owned(),
        ))
    } else if form.new_password != form.confirm_password {
        Some(refuse(
            "confirm_password",
            "Hai lần nhập mật khẩu mới không khớp.".to_owned(),
        ))
    } else {
        None
    };
    let result = match problem {
        Some(p) => Err(p),
        None => match service::auth::change_password(
            &state.db,
            &state.settings.auth,
            id.user.id,
            id.session_id.clone(),
            form.current_password,
            form.new_password,
        )
        .await
        {
            Ok(()) => Ok(()),
            Err(e) if e.code == ErrorCode::TooManyAttempts => Err(("!".to_owned(), e.message)),
            Err(e) => match refused_field(&e) {
                Some(field) => Err(field),
                None => return Err(e.into()),
            },
        },
    };
    match result {
        Ok(()) => {
            let page = page(
                &state,
                &visitor,
                id,
                Some((
                    "ok",
                    "Đã đổi mật khẩu. Các phiên đăng nhập khác đã được đăng xuất.".to_owned(),
                )),
                Vec::new(),
            )
            .await?;
            render(StatusCode::OK, &page)
        }
        Err((field, problem)) if field == "!" => {
            let page = page(&state, &visitor, id, Some(("error", problem)), Vec::new()).await?;
            render(StatusCode::TOO_MANY_REQUESTS, &page)
        }
        Err((field, problem)) => {
            let page = page(
                &state,
                &visitor,
                id,
                Some(("error", "Chưa đổi được mật khẩu.".to_owned())),
                vec![(field, problem)],
            )
            .await?;
            render(StatusCode::BAD_REQUEST, &page)
        }
    }
}

/// The field and problem of a refused password change, when it names one.
fn refused_field(e: &AppError) -> Option<(String, String)> {
    if e.code != ErrorCode::ValidationFailed {
        return None;
    }
    let fields = e.details.as_ref()?.get("fields")?.as_object()?;
    let (field, problem) = fields.iter().next()?;
    Some((field.clone(), problem.as_str()?.to_owned()))
}

/// `POST /tai-khoan/phien/{id}/ket-thuc`: ends one session (another device).
#[post("/tai-khoan/phien/{session_id}/ket-thuc")]
pub async fn end_session(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    f: SignedInForm<NoFields>,
) -> Result<HttpResponse, PageError> {
    let (visitor, id, NoFields {}) = f.into_parts();
    let id = &id;
    let session_id = path.into_inner();
    if session_id.len() > 64 {
        return Err(AppError::not_found().into());
    }
    let current = session_id == id.session_id;
    service::auth::sign_out(&state.db, id.user.id, session_id).await?;
    if current {
        let mut response = see_other("/dang-nhap");
        response
            .add_cookie(&session::session_removal(&req))
            .map_err(AppError::internal)?;
        return Ok(response);
    }
    let page = page(
        &state,
        &visitor,
        id,
        Some(("ok", "Đã đăng xuất phiên đó.".to_owned())),
        Vec::new(),
    )
    .await?;
    render(StatusCode::OK, &page)
}

/// `POST /tai-khoan/phien/ket-thuc-tat-ca`: signs out everywhere, this browser included.
#[post("/tai-khoan/phien/ket-thuc-tat-ca")]
pub async fn end_all_sessions(
    req: HttpRequest,
    state: web::Data<AppState>,
    f: SignedInForm<NoFields>,
) -> Result<HttpResponse, PageError> {
    let id = &f.me;
    service::auth::sign_out_everywhere(&state.db, id.user.id).await?;
    let mut response = see_other("/dang-nhap");
    response
        .add_cookie(&session::session_removal(&req))
        .map_err(AppError::internal)?;
    Ok(response)
}

/// `GET /tai-khoan/du-lieu`: everything stored about the member, as a JSON download.
#[get("/tai-khoan/du-lieu")]
pub async fn personal_data(
    state: web::Data<AppState>,
    visitor: Visitor,
) -> Result<HttpResponse, PageError> {
    let id = visitor.require()?;
    let export = service::privacy::export(&state.db, &id.actor, id.user.id).await?;
    Ok(crate::routes::download::personal_data(&export, id.user.id)?)
}

#[cfg(test)]
mod tests {
    use super::browser_of;

    #[test]
    fn browsers_are_named_shortly() {
        assert_eq!(
            browser_of(
                "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36"
            ),
            "Chrome · Android"
        );
        assert_eq!(
            browser_of(
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
            ),
            "Firefox · Windows"
        );
        assert_eq!(browser_of(""), "Không rõ");
        assert_eq!(browser_of("curl/8.5.0"), "curl/8.5.0");
    }
}
