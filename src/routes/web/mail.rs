//! Pages around email: forgotten password (`/quen-mat-khau`), the signed links from emails
//! (`/dat-lai-mat-khau`, `/kich-hoat`, `/huy-nhan-thu`, usable without signing in), the
//! member's mail preferences (`/tai-khoan/thu`) and the administrators' outbox
//! (`/quan-tri/thu`, with retry of a failed email).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

use super::form::{CheckedForm, SignedInForm};
use super::{Chrome, PageError, Visitor, format, render, see_other};
use crate::auth::LinkPurpose;
use crate::error::{AppError, ErrorCode};
use crate::service;
use crate::service::PageRequest;
use crate::service::mail::MailView;
use crate::state::AppState;

/// The forgotten-password page.
#[derive(Template)]
#[template(path = "password_forgot.html")]
pub struct ForgotPage {
    pub chrome: Chrome,
    pub login: String,
    pub sent: bool,
    pub error: Option<String>,
}

/// `GET /quen-mat-khau`.
#[get("/quen-mat-khau")]
pub async fn forgot_form(visitor: Visitor) -> Result<HttpResponse, PageError> {
    render(
        StatusCode::OK,
        &ForgotPage {
            chrome: Chrome::of(&visitor, "signin"),
            login: String::new(),
            sent: false,
            error: None,
        },
    )
}

/// The forgotten-password form.
#[derive(Debug, Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    pub login: String,
}

/// `POST /quen-mat-khau`: the same answer whether or not the account exists.
#[post("/quen-mat-khau")]
pub async fn forgot(
    state: web::Data<AppState>,
    f: CheckedForm<ForgotForm>,
) -> Result<HttpResponse, PageError> {
    let CheckedForm { visitor, form } = f;
    match service::mail::request_password_reset(&state.db, form.login.clone()).await {
        Ok(()) => render(
            StatusCode::OK,
            &ForgotPage {
                chrome: Chrome::of(&visitor, "signin"),
                login: String::new(),
                sent: true,
                error: None,
            },
        ),
        Err(e) if e.code == ErrorCode::ValidationFailed => render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ForgotPage {
                chrome: Chrome::of(&visitor, "signin"),
                login: form.login,
                sent: false,
                error: Some(
                    super::FieldProblems::from_error(&e)
                        .get("login")
                        .unwrap_or(e.message.as_str())
                        .to_owned(),
                ),
            },
        ),
        Err(e) => Err(e.into()),
    }
}

/// Setting a password through a link.
#[derive(Template)]
#[template(path = "password_set.html")]
pub struct PasswordPage {
    pub chrome: Chrome,
    pub heading: &'static str,
    pub action: &'static str,
    pub token: String,
    pub full_name: String,
    pub login: String,
    pub error: Option<String>,
    pub done: bool,
}

/// The link's token in the query.
#[derive(Debug, Deserialize)]
pub struct LinkQuery {
    pub t: Option<String>,
}

fn token_of(t: Option<String>) -> Result<String, PageError> {
    t.filter(|t| !t.trim().is_empty() && t.len() < 4096)
        .ok_or_else(|| PageError::App(AppError::new(ErrorCode::InvalidLink)))
}

fn link_page(purpose: LinkPurpose) -> (&'static str, &'static str) {
    match purpose {
        LinkPurpose::Invitation => ("Kích hoạt tài khoản", "/kich-hoat"),
        _ => ("Đặt lại mật khẩu", "/dat-lai-mat-khau"),
    }
}

async fn password_form(
    state: &AppState,
    visitor: &Visitor,
    token: Option<String>,
    purpose: LinkPurpose,
) -> Result<HttpResponse, PageError> {
    let token = token_of(token)?;
    let holder = service::mail::link_holder(&state.db, &state.keys, token.clone(), purpose).await?;
    let (heading, action) = link_page(purpose);
    render(
        StatusCode::OK,
        &PasswordPage {
            chrome: Chrome::of(visitor, "signin"),
            heading,
            action,
            token,
            full_name: holder.full_name,
            login: holder.login,
            error: None,
            done: false,
        },
    )
}

/// The new-password form.
#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    pub t: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub password2: String,
}

async fn password_save(
    state: &AppState,
    visitor: &Visitor,
    form: PasswordForm,
    purpose: LinkPurpose,
) -> Result<HttpResponse, PageError> {
    let token = token_of(Some(form.t))?;
    let (heading, action) = link_page(purpose);
    let holder = service::mail::link_holder(&state.db, &state.keys, token.clone(), purpose).await?;
    let again = |message: String| {
        render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &PasswordPage {
                chrome: Chrome::of(visitor, "signin"),
                heading,
                action,
                token: token.clone(),
                full_name: holder.full_name.clone(),
                login: holder.login.clone(),
                error: Some(message),
                done: false,
            },
        )
    };
    if form.password != form.password2 {
        return again("Hai lần nhập mật khẩu không khớp nhau.".to_owned());
    }
    match service::mail::set_password_by_link(
        &state.db,
        &state.keys,
        token.clone(),
        purpose,
        form.password,
    )
    .await
    {
        Ok(holder) => render(
            StatusCode::OK,
            &PasswordPage {
                chrome: Chrome::of(visitor, "signin"),
                heading,
                action,
                token: String::new(),
                full_name: holder.full_name,
                login: holder.login,
                error: None,
                done: true,
            },
        ),
        Err(e) if e.code == ErrorCode::ValidationFailed => again(
            super::FieldProblems::from_error(&e)
                .get("password")
                .unwrap_or(e.message.as_str())
                .to_owned(),
        ),
        Err(e) => Err(e.into()),
    }
}

/// `GET /dat-lai-mat-khau?t=…`.
#[get("/dat-lai-mat-khau")]
pub async fn reset_form(
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<LinkQuery>,
) -> Result<HttpResponse, PageError> {
    password_form(
        &state,
        &visitor,
        query.into_inner().t,
        LinkPurpose::PasswordReset,
    )
    .await
}

/// `POST /dat-lai-mat-khau`.
#[post("/dat-lai-mat-khau")]
pub async fn reset(
    state: web::Data<AppState>,
    f: CheckedForm<PasswordForm>,
) -> Result<HttpResponse, PageError> {
    password_save(&state, &f.visitor, f.form, LinkPurpose::PasswordReset).await
}

/// `GET /kich-hoat?t=…`: an imported member's invitation.
#[get("/kich-hoat")]
pub async fn activate_form(
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<LinkQuery>,
) -> Result<HttpResponse, PageError> {
    password_form(
        &state,
        &visitor,
        query.into_inner().t,
        LinkPurpose::Invitation,
    )
    .await
}

/// `POST /kich-hoat`.
#[post("/kich-hoat")]
pub async fn activate(
    state: web::Data<AppState>,
    f: CheckedForm<PasswordForm>,
) -> Result<HttpResponse, PageError> {
    password_save(&state, &f.visitor, f.form, LinkPurpose::Invitation).await
}

/// Leaving the digests.
#[derive(Template)]
#[template(path = "unsubscribe.html")]
pub struct UnsubscribePage {
    pub chrome: Chrome,
    pub token: String,
    pub full_name: String,
    pub done: bool,
}

/// `GET /huy-nhan-thu?t=…`: asks to confirm (a link opened by a mail scanner changes nothing).
#[get("/huy-nhan-thu")]
pub async fn unsubscribe_form(
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<LinkQuery>,
) -> Result<HttpResponse, PageError> {
    let token = token_of(query.into_inner().t)?;
    let full_name =
        service::mail::unsubscribe_holder(&state.db, &state.keys, token.clone()).await?;
    render(
        StatusCode::OK,
        &UnsubscribePage {
            chrome: Chrome::of(&visitor, ""),
            token,
            full_name,
            done: false,
        },
    )
}

/// The confirmation, or a mail client's one-click `List-Unsubscribe=One-Click` (RFC 8058).
#[derive(Debug, Deserialize)]
pub struct UnsubscribeForm {
    pub t: Option<String>,
}

/// `POST /huy-nhan-thu[?t=…]`: the signed token is the authority, so no session or CSRF
/// token is asked for (a mail client posts it on its own).
#[post("/huy-nhan-thu")]
pub async fn unsubscribe(
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<LinkQuery>,
    form: web::Form<UnsubscribeForm>,
) -> Result<HttpResponse, PageError> {
    let token = token_of(form.into_inner().t.or(query.into_inner().t))?;
    let full_name = service::mail::unsubscribe(&state.db, &state.keys, token).await?;
    render(
        StatusCode::OK,
        &UnsubscribePage {
            chrome: Chrome::of(&visitor, ""),
            token: String::new(),
            full_name,
            done: true,
        },
    )
}

/// The member's mail preferences.
#[derive(Template)]
#[template(path = "mail_preferences.html")]
pub struct PreferencesPage {
    pub chrome: Chrome,
    pub notice: Option<(&'static str, String)>,
    pub email: String,
    pub digests: bool,
}

/// `GET /tai-khoan/thu`.
#[get("/tai-khoan/thu")]
pub async fn preferences_form(
    state: web::Data<AppState>,
    visitor: Visitor,
) -> Result<HttpResponse, PageError> {
    let id = visitor.require()?;
    let prefs = service::mail::preferences(&state.db, &id.actor).await?;
    render(
        StatusCode::OK,
        &PreferencesPage {
            chrome: Chrome::of(&visitor, ""),
            notice: None,
            email: id.user.email.clone(),
            digests: prefs.digests,
        },
    )
}

/// The preferences form (an unchecked box is absent).
#[derive(Debug, Deserialize)]
pub struct PreferencesForm {
    #[serde(default)]
    pub digests: Option<String>,
}

/// `POST /tai-khoan/thu`.
#[post("/tai-khoan/thu")]
pub async fn save_preferences(
    state: web::Data<AppState>,
    f: SignedInForm<PreferencesForm>,
) -> Result<HttpResponse, PageError> {
    let (visitor, id, form) = f.into_parts();
    let id = &id;
    let prefs = service::mail::set_preferences(
        &state.db,
        &id.actor,
        service::mail::MailPreferences {
            digests: form.digests.is_some(),
        },
    )
    .await?;
    render(
        StatusCode::OK,
        &PreferencesPage {
            chrome: Chrome::of(&visitor, ""),
            notice: Some(("ok", "Đã lưu lựa chọn nhận thư.".to_owned())),
            email: id.user.email.clone(),
            digests: prefs.digests,
        },
    )
}

/// One email on the outbox page.
#[derive(Debug, Clone)]
pub struct OutboxRow {
    pub id: i64,
    pub kind: &'static str,
    pub recipient: String,
    pub recipient_name: String,
    pub subject: String,
    pub status_label: &'static str,
    pub tone: &'static str,
    pub attempts: i32,
    pub when: String,
    pub last_error: String,
    pub failed: bool,
}

fn kind_label(kind: &str) -> &'static str {
    match kind {
        "received" => "Biên nhận",
        "returned" => "Trả lại chỉnh sửa",
        "approved" => "Thông qua",
        "rejected" => "Không thông qua",
        "duplicate" => "Trùng lặp",
        "awarded" => "Khen thưởng",
        "assigned" => "Phân công xét duyệt",
        "review_digest" => "Tổng hợp xét duyệt",
        "phase_reminder" => "Nhắc hạn nộp",
        "attainment_weekly" => "Tổng hợp chỉ tiêu",
        "password_reset" => "Đặt lại mật khẩu",
        "invitation" => "Mời kích hoạt",
        "coauthor_invitation" => "Mời đồng tác giả",
        _ => "Khác",
    }
}

fn status_label(status: &str) -> (&'static str, &'static str) {
    match status {
        "pending" => ("Chờ gửi", "waiting"),
        "sending" => ("Đang gửi", "waiting"),
        "sent" => ("Đã gửi", "done"),
        "failed" => ("Thất bại", "problem"),
        _ => ("Không rõ", "neutral"),
    }
}

impl From<MailView> for OutboxRow {
    fn from(m: MailView) -> Self {
        let (status_label, tone) = status_label(&m.status);
        let when = match (&m.status[..], m.sent_at) {
            ("sent", Some(t)) => format!("gửi {}", format::datetime(t)),
            ("failed", _) => format!("tạo {}", format::datetime(m.created_at)),
            _ => format!("lần tới {}", format::datetime(m.next_attempt_at)),
        };
        Self {
            id: m.id,
            kind: kind_label(&m.kind),
            recipient: m.recipient,
            recipient_name: m.recipient_name,
            subject: m.subject,
            status_label,
            tone,
            attempts: m.attempts,
            when,
            last_error: m.last_error.unwrap_or_default(),
            failed: m.status == "failed",
        }
    }
}

/// A status filter of the outbox page.
#[derive(Debug, Clone)]
pub struct Tab {
    pub code: &'static str,
    pub label: &'static str,
    pub count: i64,
    pub current: bool,
}

/// The outbox page.
#[derive(Template)]
#[template(path = "mail_outbox.html")]
pub struct OutboxPage {
    pub chrome: Chrome,
    pub notice: Option<(&'static str, String)>,
    pub status: String,
    pub total_all: i64,
    pub tabs: Vec<Tab>,
    pub rows: Vec<OutboxRow>,
    pub page: i64,
    pub pages: i64,
}

/// The outbox page's query.
#[derive(Debug, Deserialize)]
pub struct OutboxQuery {
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub page: Option<i64>,
    /// The email just put back to be sent.
    #[serde(default)]
    pub retried: Option<i64>,
}

/// `GET /quan-tri/thu`: system administrators only (403 for others).
#[get("/quan-tri/thu")]
pub async fn outbox(
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<OutboxQuery>,
) -> Result<HttpResponse, PageError> {
    let id = visitor.require()?;
    let query = query.into_inner();
    let status = query.status.filter(|s| !s.is_empty());
    let view = service::mail::outbox(
        &state.db,
        &id.actor,
        status.clone(),
        PageRequest {
            page: query.page,
            per_page: Some(50),
        },
    )
    .await?;
    let count = |s: &str| view.counts.get(s).copied().unwrap_or(0);
    let current = status.clone().unwrap_or_default();
    let tabs = [
        ("pending", "Chờ gửi", count("pending")),
        ("sending", "Đang gửi", count("sending")),
        ("sent", "Đã gửi", count("sent")),
        ("failed", "Thất bại", count("failed")),
    ]
    .into_iter()
    .map(|(code, label, count)| Tab {
        code,
        label,
        count,
        current: current == code,
    })
    .collect();
    let pages = (view.items.total + view.items.per_page - 1) / view.items.per_page;
    render(
        StatusCode::OK,
        &OutboxPage {
            chrome: Chrome::of(&visitor, ""),
            notice: query.retried.map(|m| {
                (
                    "ok",
                    format!("Đã đưa thư #{m} trở lại hàng đợi để gửi lại."),
                )
            }),
            status: status.unwrap_or_default(),
            total_all: view.counts.values().sum(),
            tabs,
            page: view.items.page,
            pages: pages.max(1),
            rows: view.items.items.into_iter().map(OutboxRow::from).collect(),
        },
    )
}

/// `POST /quan-tri/thu/{id}/gui-lai`.
#[post("/quan-tri/thu/{id}/gui-lai")]
pub async fn retry(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<super::form::NoFields>,
) -> Result<HttpResponse, PageError> {
    let id = &f.me;
    let mail = path.into_inner();
    service::mail::retry(&state.db, &id.actor, mail).await?;
    Ok(see_other(&format!("/quan-tri/thu?retried={mail}")))
}
